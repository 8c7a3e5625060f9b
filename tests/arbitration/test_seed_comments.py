"""The buyers' comments under the source article (SPEC, seed/000_4626c0db738811d2.txt), replayed.

Each test is one real complaint from the comments, played through the services with the
clock frozen at each step, ending in what the SPEC promises the buyer instead.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbitration import services
from arbitration.models import Complaint, Dispute, SafetyReport
from arbitration.presentation import available_actions
from arbitration.selectors import seller_record
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Order, Refund
from marketplace.scheduling import run_job
from marketplace.selectors import order_money_trail
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    OPENED,
    SECOND,
    amounts,
    assert_books_balance,
    at,
    decide,
    fresh,
    log_of,
    notified,
    open_dispute,
    png,
    ship_return,
    under_review,
)
from tests.marketplace.factories import confirmed_order

pytestmark = pytest.mark.django_db

REFUND, RELEASE, PENALTY = LedgerEntry.Kind.REFUND, LedgerEntry.Kind.RELEASE, LedgerEntry.Kind.PENALTY


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


def test_seller_closed_the_dispute_and_did_not_refund_the_overdue_refund_becomes_a_complaint_R_CMP_1_R_REF_4(
    people, settings
):
    """«Что делать, если продавец закрыл спор … и не вернул деньги?» — here the seller can close
    only by accepting the claim, which creates the refund in the same transaction (R-DSP-4,
    R-REF-1); if the payout still never arrives, the scheduler opens a complaint on the due date
    (R-REF-4) and arbitration has it sent (R-CMP-1). The buyer never has to chase anyone."""
    dispute = open_dispute(people)
    with at(OPENED + DAY):
        services.dispute_seller_accept(dispute=dispute, actor=people.seller)
    refund = fresh(dispute).refund
    assert (refund.amount, refund.state, refund.created_by) == (Decimal("100.00"), "pending", people.seller)
    assert fresh(dispute.order).state == Order.State.COMPLETED
    # The payout worker never sent it. Sixty days later:
    due = refund.due_at
    assert due == OPENED + DAY + settings.REFUND_DEADLINE_DAYS * DAY

    with at(due - SECOND):
        assert run_job("flag_overdue_refunds").moved == 0
    with at(due + SECOND):
        assert run_job("flag_overdue_refunds").moved == 1
    with at(due + HOUR):
        assert run_job("flag_overdue_refunds").moved == 0

    complaint = Complaint.objects.get()
    assert (complaint.kind, complaint.filed_by, complaint.refund) == (
        "refund_overdue",
        people.scheduler,
        refund,
    )
    assert notified(people.buyer, "refund_overdue")
    assert "file_complaint" not in available_actions(fresh(dispute), people.buyer)  # already with arbitration
    with at(due + 2 * HOUR):
        services.case_take(case=complaint, actor=people.arbiter)
        services.complaint_decide(
            complaint=complaint,
            actor=people.arbiter,
            outcome="reissue_refund",
            rationale="The payout was never sent; sending it now.",
            penalty_amount="10.00",
            penalty_reason="Refund not paid for 60 days.",
        )
    with at(due + 2 * HOUR + settings.SIMULATED_GATEWAY_SETTLE_SECONDS * SECOND):
        money.refund_sync_with_gateway(refund=fresh(refund), actor=people.scheduler)

    refund = fresh(refund)
    assert refund.state == Refund.State.COMPLETED and refund.payout_reference.startswith("SIM-")
    trail = order_money_trail(fresh(dispute.order))
    assert (trail.refunded, trail.released, trail.in_escrow, trail.balanced) == (
        Decimal("100.00"),
        0,
        0,
        True,
    )
    assert amounts(dispute.order, PENALTY) == [Decimal("10.00")]
    assert log_of(complaint) == [
        ("file", people.scheduler.pk),
        ("take", people.arbiter.pk),
        ("decide", people.arbiter.pk),
    ]
    assert_books_balance()


def test_the_seller_got_the_return_two_weeks_ago_and_the_refund_is_made_automatically_R_RET_2(
    people, settings
):
    """«Спор продавец закрыл, согласился вернуть деньги, товар свой получил больше двух недель
    назад, деньги так и не вернули, на обращения не отвечает» — RETURN_CONFIRM_DAYS after the
    buyer shipped the return, a silent seller's buyer is refunded by the scheduler."""
    dispute = open_dispute(
        people, resolution="return_and_refund", reason="damaged", description="Сломан экран."
    )
    with at(OPENED + DAY):
        services.dispute_seller_accept(dispute=dispute, actor=people.seller)
    ship_return(people, dispute, when=OPENED + 3 * DAY)
    deadline = fresh(dispute).deadline_at
    assert deadline == OPENED + 3 * DAY + settings.RETURN_CONFIRM_DAYS * DAY

    with at(deadline - SECOND):
        assert run_job("refund_unconfirmed_returns").moved == 0
        assert available_actions(fresh(dispute), people.buyer).deadline.at == deadline  # the buyer sees when
    assert not Refund.objects.exists()
    with at(deadline + SECOND):
        assert run_job("refund_unconfirmed_returns").moved == 1
    with at(deadline + DAY):
        assert run_job("refund_unconfirmed_returns").moved == 0

    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "return_not_confirmed")
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert dispute.refund.created_by == people.scheduler
    assert log_of(dispute)[-1] == ("refund_unconfirmed_return", people.scheduler.pk)
    assert notified(people.buyer, "dispute_closed")[-1].context["outcome"] == "return_not_confirmed"
    assert_books_balance()


RU_SOLICITATION = (
    "Предлагаю вам скидку 30% на следующий заказ, но чтобы вы закрыли спор. Деньги получите через 15 дней."
)


def test_thirty_percent_off_if_you_close_the_dispute_is_flagged_and_needs_a_second_yes_R_DSP_8_R_DSP_9(
    people,
):
    """«продавец предлагает 30% скидки но чтобы я закрыла спор … может закрыть спор?» — the
    message is flagged (R-DSP-8); the withdrawal warning names it, and withdrawing needs an
    explicit second confirmation (R-DSP-9). Should the buyer withdraw anyway and the promise not
    be kept, the broken agreement is a complaint, decided with a refund from the seller's balance."""
    dispute = open_dispute(people, reason="not_as_described", resolution="full_refund")
    with at(OPENED + HOUR):
        flagged = services.dispute_post_message(dispute=dispute, actor=people.seller, body=RU_SOLICITATION)

    assert flagged.is_flagged and flagged.solicitation_patterns
    assert fresh(dispute).solicitation_flags == 1 and seller_record(people.seller).solicitation_flags == 1
    assert notified(people.buyer, "dispute_message")[-1].context["flagged"] is True
    warning = services.withdrawal_warning(fresh(dispute))
    assert warning.needs_second_confirmation and warning.flagged_messages == [flagged]
    assert "message of March 23, 2025, 10 a.m." in warning.text and "can't be reopened" in warning.text
    with at(OPENED + 2 * HOUR):
        once = refused(lambda: services.dispute_withdraw(dispute=dispute, actor=people.buyer, confirmed=True))
    assert fresh(dispute).state == Dispute.State.OPEN
    assert once.endswith("Tick the second confirmation to withdraw anyway.")

    with at(OPENED + 3 * HOUR):
        services.dispute_withdraw(
            dispute=dispute, actor=people.buyer, confirmed=True, confirmed_despite_solicitation=True
        )
    assert amounts(dispute.order, RELEASE) == [Decimal("100.00")]
    # The discount never came. The buyer can't reopen, but can complain (R-DSP-1, R-CMP-1).
    with at(OPENED + 20 * DAY):
        reopen = refused(
            lambda: services.dispute_open(
                order=fresh(dispute.order),
                actor=people.buyer,
                reason="not_as_described",
                resolution="full_refund",
                description="Обманул",
            )
        )
        complaint = services.complaint_file(
            dispute=dispute,
            actor=people.buyer,
            kind="agreement_broken",
            description="Продавец обещал вернуть 30% и не вернул.",
            files=[png("chat.png")],
        )
        services.case_take(case=complaint, actor=people.arbiter)
        services.complaint_decide(
            complaint=complaint,
            actor=people.arbiter,
            outcome="refund_from_seller",
            refund_amount="30.00",
            rationale="The seller's own message promised 30%.",
            penalty_amount="15.00",
            penalty_reason="Asked the buyer to close the dispute.",
        )

    assert "file a complaint" in reopen
    complaint = Complaint.objects.get()
    assert (complaint.new_refund.amount, complaint.new_refund.source) == (Decimal("30.00"), "seller_balance")
    trail = order_money_trail(fresh(dispute.order))
    assert (trail.refunded, trail.kept_by_seller, trail.balanced) == (
        Decimal("30.00"),
        Decimal("70.00"),
        True,
    )
    assert seller_record(people.seller).penalties_total == Decimal("15.00")
    assert_books_balance()


def test_after_a_return_decision_the_thirty_percent_offer_cannot_close_the_dispute_R_DSP_8_R_ARB_2_R_RET_2(
    people,
):
    """The commenter's exact case: arbitration decided a return, then the seller asked her to
    close the dispute for 30% off. Once decided, the buyer can't withdraw at all; she ships the
    return and the refund follows."""
    dispute = under_review(people, reason="not_as_described", resolution="return_and_refund")
    decide(people, dispute, outcome="return_then_refund")
    with at(fresh(dispute).deadline_at - 8 * DAY):
        flagged = services.dispute_post_message(dispute=dispute, actor=people.seller, body=RU_SOLICITATION)
        withdraw = refused(
            lambda: services.dispute_withdraw(
                dispute=dispute, actor=people.buyer, confirmed=True, confirmed_despite_solicitation=True
            )
        )
        offered = available_actions(fresh(dispute), people.buyer).actions

    assert flagged.is_flagged
    assert withdraw.startswith("You can't do that now")
    assert offered == ["ship_return", "message"]
    ship_return(people, dispute)
    with at(fresh(dispute).deadline_at - DAY):
        services.return_acknowledge(dispute=dispute, actor=people.seller, acknowledgement="received_ok")
    assert fresh(dispute).outcome == "return_refunded"
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]


def test_dangerous_batteries_after_fifteen_days_are_reported_and_closed_only_with_a_reason_R_SAF_1(people):
    """«продавец продал … взрывоопасный товар … спор не смог открыть, уже прошло 15 дней …
    Модераторы … проигнорировали моё заявление и закрыли эту тему» — a safety report is accepted
    after the dispute window, can't be closed without an outcome and a reason, and the buyer is
    told the outcome."""
    order = confirmed_order(buyer=people.buyer, seller=people.seller)
    late = order.dispute_deadline + DAY  # "уже прошло 15 дней"
    with at(late):
        money.order_release_if_due(order=order, actor=people.scheduler)
        no_dispute = refused(
            lambda: services.dispute_open(
                order=fresh(order),
                actor=people.buyer,
                reason="unsafe",
                resolution="full_refund",
                description="Батарейки вздулись",
            )
        )
        report = services.safety_report_file(
            order=fresh(order),
            actor=people.buyer,
            description="Аккумуляторы вздулись и нагреваются при зарядке.",
            files=[png("swollen-1.png"), png("swollen-2.png", "blue")],
        )

    # The refusal points the buyer to the one thing still possible: reporting the danger.
    assert no_dispute == (
        "This order is completed and the payment has been settled. If the product is dangerous, you can "
        "still report it from the order page."
    )
    assert report.state == SafetyReport.State.OPEN and report.evidence.count() == 2
    with at(late + DAY):
        ignored = refused(
            lambda: services.safety_report_close(report=report, actor=people.arbiter, outcome="", reason="")
        )
        by_staff = refused(
            lambda: services.safety_report_close(
                report=report, actor=people.staff, outcome="no_action", reason="Closed the topic"
            )
        )
        no_reason = refused(
            lambda: services.safety_report_close(
                report=report, actor=people.arbiter, outcome="no_action", reason=" "
            )
        )
    assert SafetyReport.objects.get().state == SafetyReport.State.OPEN
    assert ignored.startswith("Choose the outcome") and no_reason.startswith("Write the reason")
    assert by_staff.startswith("You can't do that now")

    with at(late + 2 * DAY):
        services.safety_report_close(
            report=report,
            actor=people.arbiter,
            outcome="listing_blocked",
            reason="Uncertified lithium cells that swell: listing blocked, seller warned.",
        )

    report = SafetyReport.objects.get()
    assert (report.outcome, report.closed_by) == ("listing_blocked", people.arbiter)
    told = notified(people.buyer, "safety_report_closed")[-1].context
    assert (told["outcome"], told["reason"]) == (
        "listing_blocked",
        "Uncertified lithium cells that swell: listing blocked, seller warned.",
    )
