"""Complaints after closure (SPEC §8: R-CMP-1) and the complaint the scheduler opens for an
overdue refund (R-REF-4 via the ``flag_overdue_refunds`` job).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from arbitration import services
from arbitration.models import Complaint, Evidence
from arbitration.presentation import available_actions
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Refund
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
    closed_by_seller,
    escrow,
    fresh,
    log_of,
    notified,
    open_dispute,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db

CLOSED_AT = OPENED + DAY  # closed_by_seller: the seller accepts a day after opening
REFUND_DUE = CLOSED_AT + 60 * DAY  # R-REF-2


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


def file_complaint(people, dispute, *, when=CLOSED_AT + 20 * DAY, kind="refund_not_received", files=()):
    with at(when):
        return services.complaint_file(
            dispute=dispute,
            actor=people.buyer,
            kind=kind,
            description="The refund you agreed has not reached my card.",
            files=list(files),
        )


def taken_complaint(people, complaint, *, arbiter=None):
    with at(complaint.opened_at + HOUR):
        return services.case_take(case=complaint, actor=arbiter or people.arbiter)


def decide_complaint(people, complaint, *, outcome, when=None, **kwargs):
    complaint = Complaint.objects.get(pk=complaint.pk)
    with at(when or complaint.assigned_at + HOUR):
        return services.complaint_decide(
            complaint=complaint,
            actor=people.arbiter,
            outcome=outcome,
            rationale=kwargs.pop("rationale", "Checked the payout records."),
            **kwargs,
        )


# --- Filing -----------------------------------------------------------------------------------


def test_after_closure_the_buyer_files_a_complaint_with_evidence_to_arbitration_R_CMP_1(people):
    dispute = closed_by_seller(people)

    complaint = file_complaint(people, dispute, files=[pdf(), png("screenshot.png")])

    assert (complaint.state, complaint.kind, complaint.refund) == (
        Complaint.State.OPEN,
        "refund_not_received",
        fresh(dispute).refund,
    )
    assert complaint.deadline_at == complaint.opened_at + 5 * DAY  # decided like a case (R-ARB-4)
    assert sorted(Evidence.objects.filter(complaint=complaint).values_list("kind", flat=True)) == [
        "image",
        "pdf",
    ]
    assert log_of(complaint) == [("file", people.buyer.pk)]
    assert notified(people.buyer, "complaint_filed")
    assert "file_complaint" not in available_actions(fresh(dispute), people.buyer)  # one open at a time


def test_a_complaint_is_only_for_a_closed_dispute_R_CMP_1(people):
    dispute = open_dispute(people)

    message = refused(lambda: file_complaint(people, dispute, when=OPENED + HOUR))

    assert message == "The dispute is still open: write in it or escalate it instead."
    assert "file_complaint" not in available_actions(dispute, people.buyer)
    assert not Complaint.objects.exists()


def test_a_dispute_closed_without_a_refund_takes_no_refund_not_received_complaint_R_CMP_1(people):
    """Nothing was to be refunded after a withdrawal: "the agreed refund has not arrived" is refused
    (and not offered by the form); a broken agreement can still be complained about."""
    from arbitration.web.forms import ComplaintForm

    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        services.dispute_withdraw(dispute=dispute, actor=people.buyer, confirmed=True)
    dispute = fresh(dispute)
    assert dispute.is_closed and dispute.refund_id is None

    message = refused(lambda: file_complaint(people, dispute, when=OPENED + DAY))

    assert message.startswith("This dispute closed without a refund, so there is none to wait for.")
    assert not Complaint.objects.exists()
    assert [k for k, _ in ComplaintForm(dispute=dispute).fields["kind"].choices] == ["agreement_broken"]
    assert [k for k, _ in ComplaintForm(dispute=closed_by_seller(people)).fields["kind"].choices] == [
        "refund_not_received",
        "agreement_broken",
    ]
    complaint = file_complaint(people, dispute, when=OPENED + DAY, kind="agreement_broken")
    assert complaint.kind == Complaint.Kind.AGREEMENT_BROKEN and complaint.refund is None


@pytest.mark.parametrize(
    ("who", "fields", "expected"),
    [
        ("seller", {}, "Only the buyer can file a complaint about this dispute."),
        ("stranger", {}, "Only the buyer can file a complaint about this dispute."),
        ("buyer", {"kind": "refund_overdue"}, "Choose what the complaint is about."),
        ("buyer", {"description": ""}, "Describe what happened and what was agreed."),
    ],
)
def test_a_complaint_is_filed_by_the_buyer_with_a_kind_and_a_description_R_CMP_1(
    people, who, fields, expected
):
    dispute = closed_by_seller(people)
    complaint = {"kind": "agreement_broken", "description": "Promised a replacement", **fields}

    with at(CLOSED_AT + DAY):
        message = refused(
            lambda: services.complaint_file(dispute=dispute, actor=getattr(people, who), **complaint)
        )

    assert message == expected
    assert not Complaint.objects.exists()
    if who != "buyer":
        assert "file_complaint" not in available_actions(fresh(dispute), getattr(people, who))


def test_one_complaint_at_a_time_then_another_after_the_first_is_decided_R_CMP_1(people):
    dispute = closed_by_seller(people)
    first = file_complaint(people, dispute)

    message = refused(lambda: file_complaint(people, dispute, when=CLOSED_AT + 21 * DAY))
    taken_complaint(people, first)
    decide_complaint(people, first, outcome="rejected", rationale="The payout is still inside its 60 days.")
    second = file_complaint(people, dispute, when=CLOSED_AT + 30 * DAY, kind="agreement_broken")

    assert message == "A complaint about this dispute is already with arbitration."
    assert second.state == Complaint.State.OPEN
    assert Complaint.objects.count() == 2


# --- The scheduler opens one for an overdue refund (R-REF-4) ---------------------------------


def test_an_overdue_refund_becomes_a_complaint_automatically_at_its_due_date_once_R_CMP_1_R_REF_4(people):
    dispute = closed_by_seller(people)
    refund = fresh(dispute).refund
    assert refund.due_at == REFUND_DUE

    with at(REFUND_DUE - SECOND):
        early = run_job("flag_overdue_refunds")
    assert not Complaint.objects.exists()
    with at(REFUND_DUE + SECOND):
        on_time = run_job("flag_overdue_refunds")
    with at(REFUND_DUE + DAY):
        again = run_job("flag_overdue_refunds")

    assert (early.moved, on_time.moved, again.moved) == (0, 1, 0)
    complaint = Complaint.objects.get()
    assert (complaint.kind, complaint.refund, complaint.filed_by, complaint.state) == (
        "refund_overdue",
        refund,
        people.scheduler,
        Complaint.State.OPEN,
    )
    assert "100.00 USD was due on 2025-05-23" in complaint.description
    assert fresh(refund).overdue_flagged_at == REFUND_DUE + SECOND
    assert log_of(complaint) == [("file", people.scheduler.pk)]
    assert notified(people.buyer, "refund_overdue") and notified(people.seller, "refund_overdue")


def test_a_refund_paid_in_time_never_becomes_a_complaint_R_REF_4(people):
    dispute = closed_by_seller(people)
    refund = fresh(dispute).refund
    with at(CLOSED_AT + HOUR):
        money.refund_mark_sent(refund=refund, actor=people.finance, reference="BANK-1")
        money.refund_mark_completed(refund=refund, actor=people.finance)

    with at(REFUND_DUE + SECOND):
        assert run_job("flag_overdue_refunds").moved == 0

    assert not Complaint.objects.exists()


def test_an_overdue_refund_already_complained_about_is_flagged_without_a_second_complaint_R_REF_4(people):
    dispute = closed_by_seller(people)
    own = file_complaint(people, dispute, when=REFUND_DUE - DAY)

    with at(REFUND_DUE + SECOND):
        assert run_job("flag_overdue_refunds").moved == 1

    assert list(Complaint.objects.all()) == [own]
    assert fresh(fresh(dispute).refund).overdue_flagged_at is not None


# --- Taking and deciding ------------------------------------------------------------------------


def test_an_arbiter_takes_a_complaint_and_no_other_arbiter_can_take_or_decide_it_R_CMP_1_R_ARB_1(people):
    complaint = file_complaint(people, closed_by_seller(people))
    taken_complaint(people, complaint)

    with at(complaint.opened_at + 2 * HOUR):
        took = refused(lambda: services.case_take(case=complaint, actor=people.arbiter2))
        decided = refused(
            lambda: services.complaint_decide(
                complaint=complaint, actor=people.arbiter2, outcome="rejected", rationale="x"
            )
        )
        by_staff = refused(lambda: services.case_release(case=complaint, actor=people.staff))

    assert took == "Alina (alina) has already taken this complaint."
    assert decided.startswith("You can't do that now") and by_staff.startswith("You can't do that now")
    assert Complaint.objects.get().assigned_arbiter == people.arbiter


def test_a_complaint_can_be_released_and_reassigned_by_a_supervisor_R_CMP_1(people):
    complaint = file_complaint(people, closed_by_seller(people))
    with at(complaint.opened_at + HOUR):
        refused(lambda: services.case_take(case=complaint, actor=people.staff))
        services.case_take(case=complaint, actor=people.arbiter)
        services.case_release(case=complaint, actor=people.arbiter)
        services.case_reassign(case=complaint, actor=people.supervisor, arbiter=people.arbiter2)

    complaint = Complaint.objects.get()
    assert (complaint.state, complaint.assigned_arbiter) == (Complaint.State.UNDER_REVIEW, people.arbiter2)
    assert log_of(complaint) == [
        ("file", people.buyer.pk),
        ("take", people.arbiter.pk),
        ("release", people.arbiter.pk),
        ("reassign", people.supervisor.pk),
    ]


def test_a_complaint_decided_to_reissue_a_refund_that_was_never_sent_sends_it_R_CMP_1(people):
    dispute = closed_by_seller(people)
    complaint = file_complaint(people, dispute)
    taken_complaint(people, complaint)

    decided = decide_complaint(people, complaint, outcome="reissue_refund")

    refund = Refund.objects.get()
    assert (decided.state, decided.outcome, decided.decided_by) == (
        Complaint.State.DECIDED,
        "reissue_refund",
        people.arbiter,
    )
    assert refund.state == Refund.State.SENT and refund.via_gateway and refund.payout_reference
    assert amounts(dispute.order, LedgerEntry.Kind.REFUND) == [Decimal("100.00")]  # not a second refund
    assert notified(people.buyer, "complaint_decided")[0].context["outcome"] == "reissue_refund"
    assert_books_balance()


def test_a_complaint_decided_to_reissue_a_failed_payout_retries_it_once_R_CMP_1(people):
    dispute = closed_by_seller(people)
    refund = fresh(dispute).refund
    with at(CLOSED_AT + HOUR):
        money.refund_mark_sent(refund=refund, actor=people.finance, reference="BANK-7")
        money.refund_mark_failed(refund=refund, actor=people.finance, reason="Card closed")
    complaint = file_complaint(people, dispute)
    taken_complaint(people, complaint)

    decide_complaint(people, complaint, outcome="reissue_refund")

    refund = fresh(refund)
    assert (refund.state, refund.attempts) == (Refund.State.PENDING, 1)
    assert log_of(refund)[-1] == ("retry", people.arbiter.pk)
    assert Refund.objects.count() == 1
    assert_books_balance()


def test_a_failed_payout_is_reissued_to_the_new_card_the_buyer_gave_R_CMP_1_R_REF_2(people):
    """The card the refund went to was closed: re-issuing to it would fail again, so the decision
    sends the retry to the new destination, and the audit names the change."""
    dispute = closed_by_seller(people)
    refund = fresh(dispute).refund
    with at(CLOSED_AT + HOUR):
        money.refund_mark_sent(refund=refund, actor=people.finance, reference="BANK-8")
        money.refund_mark_failed(refund=refund, actor=people.finance, reason="Card closed")
    complaint = file_complaint(people, dispute)
    taken_complaint(people, complaint)

    decide_complaint(people, complaint, outcome="reissue_refund", new_destination="Mastercard •••• 5454")

    refund = fresh(refund)
    assert (refund.state, refund.destination, refund.attempts) == (
        Refund.State.PENDING,
        "Mastercard •••• 5454",
        1,
    )
    retry = StateLog.objects.for_(refund).filter(transition="retry").get()
    assert "to Mastercard •••• 5454 instead of Visa" in retry.description
    assert_books_balance()


def test_a_sent_refund_is_not_reissued_so_the_buyer_is_never_paid_twice_R_CMP_1(people):
    dispute = closed_by_seller(people)
    with at(CLOSED_AT + HOUR):
        money.refund_mark_sent(refund=fresh(dispute).refund, actor=people.finance, reference="BANK-9")
    complaint = file_complaint(people, dispute)
    taken_complaint(people, complaint)

    message = refused(lambda: decide_complaint(people, complaint, outcome="reissue_refund"))

    assert message.startswith(
        "The refund is “Sent to the payment provider”. Re-issue only a pending or failed"
    )
    assert Complaint.objects.get().state == Complaint.State.UNDER_REVIEW


def test_a_complaint_decided_with_a_refund_from_the_sellers_balance_and_a_penalty_R_CMP_1_R_ARB_5(people):
    """The seller's offer was accepted (30 back) with a promise to refund shipping (20) too, never kept."""
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        services.dispute_make_offer(
            dispute=dispute,
            actor=people.seller,
            kind="partial_refund",
            amount="30.00",
            note="30 now, and I refund the 20 shipping separately.",
        )
        services.dispute_accept_offer(dispute=dispute, actor=people.buyer)
    complaint = file_complaint(people, dispute, kind="agreement_broken", files=[pdf()])
    taken_complaint(people, complaint)

    too_much = refused(
        lambda: decide_complaint(people, complaint, outcome="refund_from_seller", refund_amount="70.01")
    )
    decided = decide_complaint(
        people,
        complaint,
        outcome="refund_from_seller",
        refund_amount="20.00",
        penalty_amount="5.00",
        penalty_reason="Promised a refund outside the decision.",
    )

    assert too_much == "At most 70.00 USD can still be refunded for this order."
    assert (decided.refund_amount, decided.penalty_amount) == (Decimal("20.00"), Decimal("5.00"))
    new = decided.new_refund
    assert (new.amount, new.source, new.created_by) == (Decimal("20.00"), "seller_balance", people.arbiter)
    order = fresh(dispute).order
    assert amounts(order, LedgerEntry.Kind.REFUND) == [Decimal("30.00"), Decimal("20.00")]
    assert amounts(order, LedgerEntry.Kind.PENALTY) == [Decimal("5.00")]
    assert escrow(order).refunded_by_seller == Decimal("20.00")
    trail = order_money_trail(order)
    assert (trail.refunded, trail.kept_by_seller, trail.in_escrow, trail.balanced) == (
        Decimal("50.00"),
        Decimal("50.00"),
        0,
        True,
    )
    assert_books_balance()


def test_confirmed_paid_needs_a_refund_finance_recorded_as_paid_R_CMP_1(people):
    dispute = closed_by_seller(people)
    complaint = file_complaint(people, dispute)
    taken_complaint(people, complaint)

    not_yet = refused(lambda: decide_complaint(people, complaint, outcome="confirmed_paid"))
    with at(CLOSED_AT + 21 * DAY):
        refund = fresh(dispute).refund
        money.refund_mark_sent(refund=refund, actor=people.finance, reference="BANK-42")
        money.refund_mark_completed(refund=refund, actor=people.finance)
    decided = decide_complaint(people, complaint, outcome="confirmed_paid", when=CLOSED_AT + 22 * DAY)

    assert not_yet.startswith("The refund is not recorded as paid")
    assert decided.outcome == "confirmed_paid"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"outcome": "rejected", "rationale": " "},
            "Write the rationale: the buyer and the seller will read it.",
        ),
        ({"outcome": "apologise"}, "Choose the decision."),
        (
            {"outcome": "rejected", "penalty_amount": "5.00"},
            "Give the reason for the penalty; the seller will see it.",
        ),
    ],
)
def test_a_complaint_decision_needs_an_outcome_and_a_rationale_R_CMP_1(people, fields, expected):
    complaint = file_complaint(people, closed_by_seller(people))
    taken_complaint(people, complaint)

    message = refused(lambda: decide_complaint(people, complaint, **fields))

    assert message == expected
    complaint = Complaint.objects.get()
    assert (complaint.state, complaint.outcome) == (Complaint.State.UNDER_REVIEW, "")
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PENALTY).exists()


def test_a_rejected_complaint_records_the_rationale_and_the_buyer_is_told_R_CMP_1(people):
    complaint = file_complaint(people, closed_by_seller(people))
    taken_complaint(people, complaint)

    decide_complaint(people, complaint, outcome="rejected", rationale="The refund is within its 60 days.")

    complaint = Complaint.objects.get()
    assert (complaint.state, complaint.outcome, complaint.rationale) == (
        Complaint.State.DECIDED,
        "rejected",
        "The refund is within its 60 days.",
    )
    assert notified(people.buyer, "complaint_decided")[0].context["rationale"] == complaint.rationale
    assert log_of(complaint)[-1] == ("decide", people.arbiter.pk)
