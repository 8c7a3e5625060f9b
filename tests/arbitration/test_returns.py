"""Returns (SPEC §7: R-RET-1, R-RET-2): ship within RETURN_SHIP_DAYS, confirm within
RETURN_CONFIRM_DAYS, and the scheduler's deadlines at −1 s / +1 s, once.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbitration import services
from arbitration.models import Decision, Dispute, Evidence, ReturnShipment
from arbitration.presentation import available_actions
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Order
from marketplace.scheduling import run_job
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    SECOND,
    amounts,
    assert_books_balance,
    at,
    awaiting_return,
    decide,
    fresh,
    log_of,
    notified,
    png,
    report_return_problem,
    return_in_transit,
    ship_return,
    snapshot,
    take,
)

pytestmark = pytest.mark.django_db

REFUND, RELEASE = LedgerEntry.Kind.REFUND, LedgerEntry.Kind.RELEASE


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


# --- R-RET-1: the buyer ships the return -----------------------------------------------------


def test_the_buyer_ships_the_return_with_tracking_and_the_seller_has_fifteen_days_to_confirm_R_RET_1(
    people, settings
):
    dispute = awaiting_return(people)
    shipped_at = fresh(dispute).deadline_at - 5 * DAY

    ship_return(people, dispute, when=shipped_at)

    dispute = fresh(dispute)
    shipment = dispute.return_shipment
    assert dispute.state == Dispute.State.RETURN_IN_TRANSIT
    assert (shipment.carrier, shipment.tracking_number, shipment.shipped_at) == (
        "Russian Post",
        "RR987654321RU",
        shipped_at,
    )
    assert dispute.deadline_at == shipped_at + settings.RETURN_CONFIRM_DAYS * DAY
    assert notified(people.seller, "return_shipped")[0].context["tracking_number"] == "RR987654321RU"
    assert log_of(dispute)[-1] == ("ship_return", people.buyer.pk)


@pytest.mark.parametrize(
    ("who", "carrier", "tracking", "expected"),
    [
        ("buyer", "Russian Post", " ", "Enter the return's tracking number."),
        ("buyer", "", "RR1", "Enter the carrier you shipped the return with."),
        ("seller", "Russian Post", "RR1", "Only the buyer can do that."),
        ("stranger", "Russian Post", "RR1", "Only the buyer can do that."),
    ],
)
def test_only_the_buyer_ships_the_return_and_only_with_a_carrier_and_tracking_number_R_RET_1(
    people, who, carrier, tracking, expected
):
    dispute = awaiting_return(people)
    before = snapshot(dispute)

    with at(fresh(dispute).deadline_at - DAY):
        message = refused(
            lambda: services.return_ship(
                dispute=dispute, actor=getattr(people, who), carrier=carrier, tracking_number=tracking
            )
        )

    assert message.startswith(expected)
    assert snapshot(dispute) == before


def test_an_unshipped_return_closes_at_the_deadline_with_the_escrow_to_the_seller_once_R_RET_1(
    people, settings
):
    dispute = awaiting_return(people)
    deadline = fresh(dispute).deadline_at
    assert deadline == dispute.opened_at + DAY + settings.RETURN_SHIP_DAYS * DAY

    with at(deadline - SECOND):
        early = run_job("close_unshipped_returns")
    assert fresh(dispute).state == Dispute.State.AWAITING_RETURN
    with at(deadline + SECOND):
        on_time = run_job("close_unshipped_returns")
    with at(deadline + 2 * SECOND):
        again = run_job("close_unshipped_returns")

    dispute = fresh(dispute)
    assert (early.moved, on_time.moved, again.moved) == (0, 1, 0)
    assert (dispute.state, dispute.outcome, dispute.closed_at) == (
        Dispute.State.CLOSED,
        "return_not_shipped",
        deadline + SECOND,
    )
    assert amounts(dispute.order, RELEASE) == [Decimal("100.00")] and amounts(dispute.order, REFUND) == []
    assert log_of(dispute)[-1] == ("close_return_not_shipped", people.scheduler.pk)
    assert notified(people.buyer, "return_overdue") and notified(people.seller, "return_overdue")
    assert_books_balance()


def test_the_buyer_is_reminded_once_three_days_before_the_ship_by_date_R_RET_1(people, settings):
    assert settings.RETURN_REMINDER_DAYS == 3
    dispute = awaiting_return(people)
    remind_from = fresh(dispute).deadline_at - 3 * DAY

    with at(remind_from - SECOND):
        early = run_job("remind_returns_due")
    with at(remind_from + SECOND):
        on_time = run_job("remind_returns_due")
    with at(remind_from + DAY):
        again = run_job("remind_returns_due")

    assert (early.moved, on_time.moved, again.moved) == (0, 1, 0)
    reminders = notified(people.buyer, "return_due_soon")
    assert len(reminders) == 1
    assert reminders[0].context["address"] == people.seller.return_address
    assert ReturnShipment.objects.get().reminded_at == remind_from + SECOND


def test_a_return_shipped_in_time_is_never_reminded_or_closed_as_unshipped_R_RET_1(people):
    dispute = return_in_transit(people)
    shipped_by = fresh(dispute).return_shipment.shipped_at + DAY

    with at(shipped_by + 20 * DAY):
        assert run_job("remind_returns_due").moved == 0
        assert run_job("close_unshipped_returns").moved == 0


def test_the_return_cannot_be_shipped_after_the_ship_by_date_R_RET_1(people):
    """Past the deadline the dispute is the scheduler's to close (escrow to the seller), even in
    the minutes before the job runs: a late shipment must not keep the dispute alive."""
    dispute = awaiting_return(people)
    deadline = fresh(dispute).deadline_at
    before = snapshot(dispute)

    with at(deadline + SECOND):
        message = refused(
            lambda: services.return_ship(
                dispute=dispute, actor=people.buyer, carrier="DHL", tracking_number="JD0001"
            )
        )
        offered = available_actions(fresh(dispute), people.buyer).actions

    assert message.startswith("The time to ship the return ended")
    assert "ship_return" not in offered
    assert snapshot(dispute) == before
    with at(deadline - SECOND):
        assert "ship_return" in available_actions(fresh(dispute), people.buyer).actions


# --- R-RET-2: the seller confirms or reports a problem ---------------------------------------


def test_the_seller_confirms_the_return_and_the_buyer_is_refunded_in_the_same_transaction_R_RET_2_R_REF_1(
    people,
):
    dispute = return_in_transit(people)

    with at(fresh(dispute).deadline_at - DAY):
        services.return_acknowledge(dispute=dispute, actor=people.seller, acknowledgement="received_ok")

    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "return_refunded")
    assert dispute.return_shipment.acknowledgement == "received_ok"
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert log_of(dispute)[-1] == ("confirm_return", people.seller.pk)
    assert_books_balance()


def test_an_unconfirmed_return_is_refunded_automatically_at_the_deadline_once_R_RET_2(people, settings):
    """ "The seller got the goods back two weeks ago and still no refund" must be impossible."""
    dispute = return_in_transit(people)
    deadline = fresh(dispute).deadline_at
    assert deadline == fresh(dispute).return_shipment.shipped_at + settings.RETURN_CONFIRM_DAYS * DAY

    with at(deadline - SECOND):
        early = run_job("refund_unconfirmed_returns")
    assert amounts(dispute.order, REFUND) == []
    with at(deadline + SECOND):
        on_time = run_job("refund_unconfirmed_returns")
    with at(deadline + 2 * SECOND):
        again = run_job("refund_unconfirmed_returns")

    dispute = fresh(dispute)
    assert (early.moved, on_time.moved, again.moved) == (0, 1, 0)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "return_not_confirmed")
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert dispute.refund.created_by == people.scheduler
    assert log_of(dispute)[-1] == ("refund_unconfirmed_return", people.scheduler.pk)
    assert notified(people.buyer, "dispute_closed")
    assert_books_balance()


@pytest.mark.parametrize("problem", ["not_received", "damaged", "empty_or_different", "missing_parts"])
def test_a_problem_with_the_returned_item_with_evidence_goes_back_to_arbitration_R_RET_2(people, problem):
    dispute = return_in_transit(people)
    reported_at = fresh(dispute).deadline_at - DAY

    with at(reported_at):
        services.return_acknowledge(
            dispute=dispute,
            actor=people.seller,
            acknowledgement=problem,
            note="Box arrived with a brick inside.",
            files=[png()],
        )

    dispute = fresh(dispute)
    assert (dispute.state, dispute.escalation_count, dispute.escalated_at) == (
        Dispute.State.ESCALATED,
        1,
        reported_at,
    )
    assert dispute.assigned_arbiter is None
    assert dispute.return_shipment.acknowledgement == problem
    assert Evidence.objects.filter(dispute=dispute, uploaded_by=people.seller).count() == 1
    assert amounts(dispute.order, REFUND) == [] and amounts(dispute.order, RELEASE) == []
    assert log_of(dispute)[-1] == ("report_return_problem", people.seller.pk)


def test_a_problem_report_whose_note_solicits_escalates_and_keeps_the_flag_R_RET_2_R_DSP_8(people):
    """The seller's problem note is a seller message like any other: flagged when it asks the
    buyer to settle off the platform, and the report still goes to arbitration."""
    dispute = report_return_problem(
        people,
        return_in_transit(people),
        note="Empty box. Close the dispute and I will send you the money via PayPal.",
    )

    assert dispute.state == Dispute.State.ESCALATED
    assert dispute.solicitation_flags == 1
    flagged = dispute.messages.get(is_flagged=True)
    assert flagged.author == people.seller and "PayPal" in flagged.body
    assert log_of(dispute)[-1] == ("report_return_problem", people.seller.pk)


@pytest.mark.parametrize(
    ("note", "files", "expected"),
    [
        ("", True, "Describe the problem with the returned item; arbiters will review it."),
        ("Empty box", False, "Attach photos or a video of what arrived; a problem report needs evidence."),
    ],
)
def test_a_problem_report_needs_a_description_and_evidence_R_RET_2(people, note, files, expected):
    dispute = return_in_transit(people)
    before = snapshot(dispute)

    with at(fresh(dispute).deadline_at - DAY):
        message = refused(
            lambda: services.return_acknowledge(
                dispute=dispute,
                actor=people.seller,
                acknowledgement="empty_or_different",
                note=note,
                files=[png()] if files else [],
            )
        )

    assert message == expected
    assert snapshot(dispute) == before


def test_a_problem_cannot_be_reported_after_the_confirmation_deadline_R_RET_2(people):
    """Past the deadline the refund is due (R-RET-2); a late report must not hold it up."""
    dispute = return_in_transit(people)
    deadline = fresh(dispute).deadline_at
    before = snapshot(dispute)

    with at(deadline + SECOND):
        message = refused(
            lambda: services.return_acknowledge(
                dispute=dispute,
                actor=people.seller,
                acknowledgement="empty_or_different",
                note="Empty box",
                files=[png()],
            )
        )
        offered = available_actions(fresh(dispute), people.seller).actions

    assert message.startswith("The time to report a problem with the return ended")
    assert "report_return_problem" not in offered and "confirm_return" in offered
    assert snapshot(dispute) == before


def test_only_the_seller_acknowledges_the_return_R_RET_2(people):
    dispute = return_in_transit(people)

    with at(fresh(dispute).deadline_at - DAY):
        for who in (people.buyer, people.stranger, people.arbiter):
            message = refused(
                lambda u=who: services.return_acknowledge(
                    dispute=dispute, actor=u, acknowledgement="received_ok"
                )
            )
            assert message == "Only the seller can do that."

    assert fresh(dispute).state == Dispute.State.RETURN_IN_TRANSIT


def test_after_a_return_problem_the_arbiter_decides_a_second_round_but_no_second_return_R_RET_2_R_ARB_2(
    people,
):
    dispute = report_return_problem(people, return_in_transit(people))
    take(people, dispute)
    with at(fresh(dispute).assigned_at + HOUR):
        second_return = refused(
            lambda: services.dispute_decide(
                dispute=dispute, actor=people.arbiter, outcome="return_then_refund", rationale="Again"
            )
        )
    decision = decide(people, dispute, outcome="rejected", rationale="The seller's video shows a brick.")

    assert second_return == "This dispute already had a return; decide with a refund or a rejection."
    assert decision.round == 1
    dispute = fresh(dispute)
    assert (dispute.outcome, amounts(dispute.order, RELEASE)) == ("decided_rejected", [Decimal("100.00")])
    assert_books_balance()


def test_a_return_decided_by_an_arbiter_is_refunded_with_the_decided_amount_R_RET_2_R_ARB_2(people):
    from tests.arbitration.conftest import under_review

    dispute = under_review(people)
    decide(people, dispute, outcome="return_then_refund", refund_amount="80.00")
    ship_return(people, dispute)

    with at(fresh(dispute).deadline_at - DAY):
        services.return_acknowledge(dispute=dispute, actor=people.seller, acknowledgement="received_ok")

    dispute = fresh(dispute)
    assert Decision.objects.get().outcome == "return_then_refund"
    assert amounts(dispute.order, REFUND) == [Decimal("80.00")]
    assert amounts(dispute.order, RELEASE) == [Decimal("20.00")]
    assert fresh(dispute.order).state == Order.State.COMPLETED
    assert_books_balance()


def test_a_seller_accepting_the_claim_after_a_return_problem_refunds_without_a_second_return_R_DSP_5(
    people,
):
    """Back in arbitration after a problem report, the seller may still accept the claim; the item
    already travelled once, so accepting refunds (the service must not answer with an arbiter's message)."""
    dispute = report_return_problem(
        people, return_in_transit(people), acknowledgement="missing_parts", note="The charger is missing."
    )
    assert "accept_claim" in available_actions(fresh(dispute), people.seller).actions

    with at(fresh(dispute).escalated_at + HOUR):
        services.dispute_seller_accept(dispute=dispute, actor=people.seller)

    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "seller_accepted")
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert_books_balance()
