"""Arbitration (SPEC §5: R-ARB-1 … R-ARB-6) and its access rules (R-SEC-2), through the services.

A decision moves the money in the same transaction (R-REF-1): every test that decides checks
the ledger and reconciles the books afterwards.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import OuterRef

from arbitration import services
from arbitration.models import Decision, Dispute, InformationRequest, Message
from arbitration.presentation import available_actions
from arbitration.selectors import buyer_record, buyer_record_annotations, buyer_record_of, seller_record
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Order, Refund, User
from marketplace.scheduling import run_job
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    SECOND,
    amounts,
    assert_books_balance,
    at,
    decide,
    escalate_overdue,
    escrow,
    fresh,
    log_of,
    make_people,
    notified,
    open_dispute,
    snapshot,
    take,
    under_review,
)

pytestmark = pytest.mark.django_db

REFUND, RELEASE, PENALTY = LedgerEntry.Kind.REFUND, LedgerEntry.Kind.RELEASE, LedgerEntry.Kind.PENALTY


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


# --- R-SEC-2: the staff groups and who may act ----------------------------------------------


def test_the_staff_groups_from_the_migration_carry_the_arbiter_supervisor_and_finance_permissions_R_SEC_2(db):
    def codes(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert "arbitrate" in codes("Arbiters") and "supervise" not in codes("Arbiters")
    assert {"arbitrate", "supervise"} <= codes("Supervisors")
    assert "manage_payouts" in codes("Finance") and "arbitrate" not in codes("Finance")


@pytest.mark.parametrize("who", ["staff", "finance", "buyer", "seller", "stranger", "scheduler"])
def test_taking_a_case_needs_the_arbiter_permission_R_SEC_2(people, who):
    dispute = escalate_overdue(people, open_dispute(people))
    before = snapshot(dispute)

    with at(dispute.escalated_at + HOUR):
        message = refused(lambda: services.case_take(case=dispute, actor=getattr(people, who)))

    assert (
        message == "You can't do that now: the case is “Escalated: waiting for an arbiter”. Reload the page "
        "to see what you can do."
    )
    assert snapshot(dispute) == before


def test_an_arbiter_whose_account_is_disabled_can_no_longer_take_cases_R_SEC_2(people):
    dispute = escalate_overdue(people, open_dispute(people))
    people.arbiter.is_active = False
    people.arbiter.save()

    with at(dispute.escalated_at + HOUR):
        refused(lambda: services.case_take(case=dispute, actor=fresh(people.arbiter)))

    assert fresh(dispute).assigned_arbiter is None


def test_every_transition_of_a_decided_case_records_who_made_it_including_the_scheduler_R_SEC_2(people):
    dispute = under_review(people)
    decide(people, dispute)

    assert log_of(dispute) == [
        ("open", people.buyer.pk),
        ("escalate_overdue", people.scheduler.pk),
        ("take", people.arbiter.pk),
        ("decide", people.arbiter.pk),
    ]
    order_log = log_of(fresh(dispute.order))
    assert order_log[-1] == ("complete", people.arbiter.pk)


# --- R-ARB-1: taking and holding a case -------------------------------------------------------


def test_an_arbiter_takes_an_escalated_case_and_it_is_theirs_R_ARB_1(people):
    dispute = escalate_overdue(people, open_dispute(people))

    with at(dispute.escalated_at + HOUR):
        services.case_take(case=dispute, actor=people.arbiter)

    dispute = fresh(dispute)
    assert (dispute.state, dispute.assigned_arbiter, dispute.assigned_at) == (
        Dispute.State.UNDER_REVIEW,
        people.arbiter,
        dispute.escalated_at + HOUR,
    )
    assert log_of(dispute)[-1] == ("take", people.arbiter.pk)


def test_a_second_arbiter_cannot_take_or_decide_a_case_someone_holds_R_ARB_1(people):
    dispute = under_review(people)
    before = snapshot(dispute)

    with at(dispute.assigned_at + HOUR):
        took = refused(lambda: services.case_take(case=dispute, actor=people.arbiter2))
        decided = refused(
            lambda: services.dispute_decide(
                dispute=dispute, actor=people.arbiter2, outcome="full_refund", rationale="Mine now"
            )
        )
        released = refused(lambda: services.case_release(case=dispute, actor=people.arbiter2))

    assert took == "Alina (alina) has already taken this case."
    assert decided.startswith("You can't do that now") and released.startswith("You can't do that now")
    assert snapshot(dispute) == before
    assert available_actions(fresh(dispute), people.arbiter2).actions == ["message"]


def test_the_holding_arbiter_releases_the_case_and_another_arbiter_takes_it_R_ARB_1(people):
    dispute = under_review(people)

    with at(dispute.assigned_at + HOUR):
        services.case_release(case=dispute, actor=people.arbiter)
    released = fresh(dispute)
    with at(dispute.assigned_at + 2 * HOUR):
        services.case_take(case=dispute, actor=people.arbiter2)

    assert (released.state, released.assigned_arbiter) == (Dispute.State.ESCALATED, None)
    assert fresh(dispute).assigned_arbiter == people.arbiter2
    assert [t for t, _ in log_of(dispute)][-2:] == ["release", "take"]


def test_a_supervisor_reassigns_a_held_case_to_another_arbiter_R_ARB_1(people):
    dispute = under_review(people)

    with at(dispute.assigned_at + HOUR):
        not_an_arbiter = refused(
            lambda: services.case_reassign(case=dispute, actor=people.supervisor, arbiter=people.finance)
        )
        by_arbiter = refused(
            lambda: services.case_reassign(case=dispute, actor=people.arbiter, arbiter=people.arbiter2)
        )
        services.case_reassign(case=dispute, actor=people.supervisor, arbiter=people.arbiter2)

    assert not_an_arbiter == "Fedor (fedor) is not an arbiter."
    assert by_arbiter.startswith("You can't do that now")
    assert fresh(dispute).assigned_arbiter == people.arbiter2
    assert log_of(dispute)[-1] == ("reassign", people.supervisor.pk)
    with at(dispute.assigned_at + 2 * HOUR):  # the previous holder no longer decides it
        assert refused(
            lambda: services.dispute_decide(
                dispute=dispute, actor=people.arbiter, outcome="rejected", rationale="x"
            )
        ).startswith("You can't do that now")


def test_each_case_is_overdue_by_its_own_escalation_time_R_ARB_4(people):
    older = escalate_overdue(people, open_dispute(people))
    newer = escalate_overdue(people, open_dispute(people, when=older.opened_at + DAY))

    with at(older.deadline_at + SECOND):  # the older case's decision is due; the newer has a day left
        assert run_job("flag_overdue_cases").moved == 1

    assert fresh(older).overdue_flagged_at == older.deadline_at + SECOND
    assert fresh(newer).overdue_flagged_at is None


# --- R-ARB-2: decisions -----------------------------------------------------------------------


def test_a_full_refund_decision_refunds_everything_held_in_the_same_transaction_R_ARB_2_R_REF_1(people):
    dispute = under_review(people)

    decision = decide(people, dispute, outcome="full_refund")

    dispute = fresh(dispute)
    assert (decision.round, decision.refund_amount, decision.decided_by) == (
        1,
        Decimal("100.00"),
        people.arbiter,
    )
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "decided_refund")
    assert dispute.refund.amount == Decimal("100.00")
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")] and amounts(dispute.order, RELEASE) == []
    assert fresh(dispute.order).state == Order.State.COMPLETED
    assert notified(people.buyer, "dispute_decided")[0].context["rationale"] == decision.rationale
    assert_books_balance()


def test_a_partial_refund_decision_refunds_the_amount_and_releases_the_rest_R_ARB_2_R_REF_1(people):
    dispute = under_review(people)

    decide(people, dispute, outcome="partial_refund", refund_amount="37.50")

    order = fresh(dispute).order
    assert amounts(order, REFUND) == [Decimal("37.50")]
    assert amounts(order, RELEASE) == [Decimal("62.50")]
    assert (escrow(order).balance, fresh(dispute).outcome) == (0, "decided_refund")
    assert_books_balance()


@pytest.mark.parametrize("amount", ["0", "100.00", "150.00", None])
def test_a_partial_refund_must_be_more_than_zero_and_less_than_held_R_ARB_2(people, amount):
    dispute = under_review(people)
    before = snapshot(dispute)

    with at(fresh(dispute).assigned_at + HOUR):
        message = refused(
            lambda: services.dispute_decide(
                dispute=dispute,
                actor=people.arbiter,
                outcome="partial_refund",
                refund_amount=amount,
                rationale="Half works",
            )
        )

    assert message == (
        "A partial refund must be more than 0 and less than the 100.00 USD held; for all of it "
        "choose a full refund."
    )
    assert snapshot(dispute) == before


def test_a_rejected_claim_releases_the_escrow_to_the_seller_R_ARB_2(people):
    dispute = under_review(people)

    decide(people, dispute, outcome="rejected", rationale="Delivered and signed for by the buyer.")

    dispute = fresh(dispute)
    assert (dispute.outcome, dispute.refund) == ("decided_rejected", None)
    assert amounts(dispute.order, RELEASE) == [Decimal("100.00")] and amounts(dispute.order, REFUND) == []
    assert buyer_record(people.buyer).rejected == 1
    assert_books_balance()


def test_a_return_then_refund_decision_sets_a_return_deadline_and_moves_no_money_yet_R_ARB_2(people):
    dispute = under_review(people)

    decision = decide(people, dispute, outcome="return_then_refund", return_days=14)

    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.AWAITING_RETURN
    assert decision.return_deadline == dispute.deadline_at == dispute.assigned_at + HOUR + 14 * DAY
    assert decision.return_address == people.seller.return_address
    assert dispute.return_shipment.refund_amount == Decimal("100.00")
    assert amounts(dispute.order, REFUND) == [] and amounts(dispute.order, RELEASE) == []
    assert_books_balance()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"rationale": "  "}, "Write the rationale: both parties will read why you decided this."),
        ({"outcome": "coin_toss"}, "Choose the decision."),
        ({"penalty_amount": "10.00"}, "Give the reason for the penalty; the seller will see it."),
        ({"penalty_amount": "-5"}, "A penalty must be more than zero, or leave it empty."),
        (
            {"outcome": "return_then_refund", "return_days": 90},
            "Give the buyer between 1 and 60 days to ship the return.",
        ),
    ],
)
def test_a_decision_needs_an_outcome_a_rationale_and_a_reasoned_penalty_R_ARB_2(people, fields, expected):
    dispute = under_review(people)
    before = snapshot(dispute)
    decision = {"outcome": "full_refund", "rationale": "Never delivered.", **fields}

    with at(fresh(dispute).assigned_at + HOUR):
        message = refused(lambda: services.dispute_decide(dispute=dispute, actor=people.arbiter, **decision))

    assert message == expected
    assert snapshot(dispute) == before


def test_a_decision_can_never_be_changed_or_deleted_R_ARB_2(people):
    dispute = under_review(people)
    decision = decide(people, dispute)

    decision.outcome = Decision.Outcome.REJECTED
    with pytest.raises(ValueError, match="can't be changed"):
        decision.save()
    with pytest.raises(ValueError, match="never deleted"):
        decision.delete()
    with at(fresh(dispute).closed_at + HOUR):
        again = refused(
            lambda: services.dispute_decide(
                dispute=dispute, actor=people.arbiter, outcome="rejected", rationale="Changed my mind"
            )
        )

    assert again == str(services.CLOSED_HINT)
    assert Decision.objects.get().outcome == Decision.Outcome.FULL_REFUND
    assert Refund.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # one decision per round, by the database
        Decision.objects.create(
            dispute=dispute, round=1, outcome="rejected", rationale="x", decided_by=people.arbiter
        )


def test_a_decision_and_its_money_commit_together_or_not_at_all_R_ARB_2_R_REF_1(people, monkeypatch):
    """If anything fails after the refund was written (here: the penalty), nothing of it stays."""
    dispute = under_review(people)
    before = snapshot(dispute)

    def broken_penalty(**kwargs):
        raise DomainError("The penalty ledger is unavailable.")

    monkeypatch.setattr("marketplace.services.seller_penalize", broken_penalty)
    with at(fresh(dispute).assigned_at + HOUR):
        message = refused(
            lambda: services.dispute_decide(
                dispute=dispute,
                actor=people.arbiter,
                outcome="partial_refund",
                refund_amount="40.00",
                rationale="Half broken",
                penalty_amount="5.00",
                penalty_reason="Late answer",
            )
        )

    assert message == "The penalty ledger is unavailable."
    assert snapshot(dispute) == before
    assert not Refund.objects.exists() and not Decision.objects.exists()


def test_decision_effect_shows_the_money_before_the_arbiter_confirms_R_ARB_2(people):
    dispute = fresh(under_review(people))

    effect = services.decision_effect(
        dispute=dispute, outcome="partial_refund", refund_amount="25.00", penalty_amount="5.00"
    )

    assert (effect.refund_to_buyer, effect.release_to_seller, effect.penalty, effect.return_first) == (
        Decimal("25.00"),
        Decimal("75.00"),
        Decimal("5.00"),
        False,
    )
    assert services.decision_effect(dispute=dispute, outcome="return_then_refund").release_to_seller == 0
    assert not Decision.objects.exists()


# --- R-ARB-3 / R-ARB-5: the parties' records and penalties ------------------------------------


def test_a_penalty_is_a_ledger_entry_against_the_seller_and_shows_on_their_record_R_ARB_5(people):
    dispute = under_review(people)

    decision = decide(
        people, dispute, outcome="full_refund", penalty_amount="15.00", penalty_reason="Shipped an empty box."
    )

    entry = LedgerEntry.objects.get(kind=PENALTY)
    assert (entry.amount, entry.party, entry.actor, entry.reason) == (
        Decimal("15.00"),
        people.seller,
        people.arbiter,
        "Shipped an empty box.",
    )
    assert (decision.penalty_amount, decision.penalty_reason) == (Decimal("15.00"), "Shipped an empty box.")
    record = seller_record(people.seller)
    assert (record.penalties_count, record.penalties_total) == (1, Decimal("15.00"))
    assert_books_balance()


def test_the_sellers_record_counts_disputes_losses_and_the_loss_rate_R_ARB_3_R_ARB_5(people):
    lost = under_review(people)
    decide(people, lost, outcome="full_refund")
    won = under_review(people, when=lost.opened_at + HOUR)
    decide(people, won, outcome="rejected")
    open_dispute(people, when=lost.opened_at + 2 * HOUR)
    withdrawn = open_dispute(people, when=lost.opened_at + 3 * HOUR)
    with at(withdrawn.opened_at + HOUR):
        services.dispute_withdraw(dispute=withdrawn, actor=people.buyer, confirmed=True)

    record = seller_record(people.seller)

    assert (record.disputes, record.open_disputes, record.lost, record.decided) == (4, 1, 1, 2)
    assert record.loss_rate == 0.5


def test_the_buyers_record_shows_past_disputes_and_outcomes_so_serial_claimants_are_visible_R_ARB_3(people):
    first = under_review(people)
    decide(people, first, outcome="rejected")
    second = under_review(people, when=first.opened_at + HOUR)
    decide(people, second, outcome="full_refund")
    third = open_dispute(people, when=first.opened_at + 2 * HOUR)

    record = buyer_record(people.buyer)

    assert (record.disputes, record.won, record.rejected, record.withdrawn, record.open_disputes) == (
        3,
        1,
        1,
        0,
        1,
    )
    assert record.win_rate == 0.5
    assert [d.pk for d in record.recent] == [third.pk, second.pk, first.pk]
    assert buyer_record(people.stranger).disputes == 0


def test_the_buyers_record_read_with_a_row_is_the_same_record_R_ARB_3(people):
    """The case page reads the record as subqueries of the dispute's row (issue 15): the same
    counts and the same recent disputes, newest first, as ``buyer_record``; a buyer without
    disputes reads zeros and an empty list."""
    first = under_review(people)
    decide(people, first, outcome="rejected")
    second = under_review(people, when=first.opened_at + HOUR)
    decide(people, second, outcome="full_refund")
    third = open_dispute(people, when=first.opened_at + 2 * HOUR)

    row = Dispute.objects.annotate(**buyer_record_annotations(OuterRef("buyer_id"))).get(pk=third.pk)
    record, expected = buyer_record_of(row, buyer_id=people.buyer.pk), buyer_record(people.buyer)

    counts = ("disputes", "won", "rejected", "withdrawn", "open_disputes")
    assert [getattr(record, n) for n in counts] == [getattr(expected, n) for n in counts] == [3, 1, 1, 0, 1]
    assert [d.pk for d in record.recent] == [third.pk, second.pk, first.pk]
    assert [(d.get_reason_display(), d.get_outcome_display(), d.state) for d in record.recent] == [
        (d.get_reason_display(), d.get_outcome_display(), d.state) for d in expected.recent
    ]
    second.refresh_from_db()
    assert record.recent[1].get_outcome_display() == second.get_outcome_display() != ""
    nobody = User.objects.annotate(**buyer_record_annotations(OuterRef("pk"))).get(pk=people.stranger.pk)
    nobodys = buyer_record_of(nobody, buyer_id=people.stranger.pk)
    assert nobodys.disputes == 0 and nobodys.recent == []
    assert hasattr(nobody, "buyer_record_disputes")  # read with the row, not by buyer_record's query


# --- R-ARB-4: overdue cases ---------------------------------------------------------------------


@pytest.mark.parametrize("state", ["escalated", "under_review"])
def test_a_case_not_decided_five_days_after_escalation_is_flagged_overdue_once_R_ARB_4(
    people, settings, state
):
    assert settings.ARBITER_DECISION_DAYS == 5
    dispute = escalate_overdue(people, open_dispute(people))
    if state == "under_review":
        dispute = take(people, dispute)
    due = dispute.escalated_at + 5 * DAY

    with at(due - SECOND):
        early = run_job("flag_overdue_cases")
        assert not fresh(dispute).decision_overdue()
    with at(due + SECOND):
        on_time = run_job("flag_overdue_cases")
        assert fresh(dispute).decision_overdue()
    with at(due + 2 * SECOND):
        again = run_job("flag_overdue_cases")

    assert (early.moved, on_time.moved, again.moved) == (0, 1, 0)
    assert fresh(dispute).overdue_flagged_at == due + SECOND
    assert fresh(dispute).state == state  # flagged, not moved: a person decides


def test_a_decided_case_is_never_flagged_overdue_R_ARB_4(people):
    dispute = under_review(people)
    decide(people, dispute)

    with at(fresh(dispute).escalated_at + 30 * DAY):
        assert run_job("flag_overdue_cases").moved == 0

    assert fresh(dispute).overdue_flagged_at is None


# --- R-ARB-6: information requests ----------------------------------------------------------


def test_the_arbiter_asks_the_seller_for_evidence_with_a_deadline_and_the_seller_is_told_R_ARB_6(
    people, settings
):
    dispute = under_review(people)
    asked_at = fresh(dispute).assigned_at + HOUR

    with at(asked_at):
        request = services.dispute_request_information(
            dispute=dispute,
            actor=people.arbiter,
            party="seller",
            question="Upload the carrier's proof of delivery.",
        )
        for_seller = available_actions(fresh(dispute), people.seller)

    assert request.due_at == asked_at + settings.INFORMATION_REQUEST_DAYS * DAY
    assert notified(people.seller, "information_requested")[0].context["question"] == (
        "Upload the carrier's proof of delivery."
    )
    assert not notified(people.buyer, "information_requested")
    assert for_seller.open_requests == [request]
    assert for_seller.turn.who == "seller"
    assert Message.objects.filter(dispute=dispute, role="arbiter").get().body == request.question
    assert log_of(dispute)[-1] == ("request_information", people.arbiter.pk)


def test_the_case_shows_when_the_asked_party_answered_and_only_their_message_answers_R_ARB_6(people):
    dispute = under_review(people)
    with at(fresh(dispute).assigned_at + HOUR):
        request = services.dispute_request_information(
            dispute=dispute,
            actor=people.arbiter,
            party="seller",
            question="Proof of delivery?",
            due_in_days=2,
        )
    with at(fresh(dispute).assigned_at + 2 * HOUR):
        services.dispute_post_message(dispute=dispute, actor=people.buyer, body="I never got it.")
    assert fresh(request).answered_at is None
    with at(fresh(dispute).assigned_at + 3 * HOUR):
        answer = services.dispute_post_message(dispute=dispute, actor=people.seller, body="Here it is.")

    request = InformationRequest.objects.get(pk=request.pk)
    assert (request.answered_at, request.answer) == (answer.created_at, answer)
    assert not request.is_overdue
    assert available_actions(fresh(dispute), people.seller).open_requests == []
    assert available_actions(fresh(dispute), people.seller).turn.who == "arbitration"


def test_an_unanswered_request_becomes_overdue_at_its_deadline_R_ARB_6(people):
    dispute = under_review(people)
    with at(fresh(dispute).assigned_at + HOUR):
        request = services.dispute_request_information(
            dispute=dispute,
            actor=people.arbiter,
            party="buyer",
            question="Photo of the label?",
            due_in_days=1,
        )

    with at(request.due_at - SECOND):
        assert not InformationRequest.objects.get(pk=request.pk).is_overdue
    with at(request.due_at + SECOND):
        assert InformationRequest.objects.get(pk=request.pk).is_overdue


@pytest.mark.parametrize(
    ("who", "fields", "expected"),
    [
        ("arbiter2", {}, "You can't do that now"),
        ("supervisor", {}, "You can't do that now"),
        ("arbiter", {"question": " "}, "Write what you need from the party."),
        ("arbiter", {"party": "courier"}, "Choose whom to ask: the buyer or the seller."),
        ("arbiter", {"due_in_days": 45}, "Give the party between 1 and 30 days to answer."),
    ],
)
def test_only_the_holding_arbiter_asks_with_a_question_a_party_and_a_sane_deadline_R_ARB_6(
    people, who, fields, expected
):
    dispute = under_review(people)
    request = {"party": "buyer", "question": "More photos please", **fields}

    with at(fresh(dispute).assigned_at + HOUR):
        message = refused(
            lambda: services.dispute_request_information(
                dispute=dispute, actor=getattr(people, who), **request
            )
        )

    assert message.startswith(expected)
    assert not InformationRequest.objects.exists()


def test_make_people_gives_every_role_its_permissions_R_SEC_2(db):
    people = make_people()

    assert people.arbiter.has_perm("arbitration.arbitrate") and not people.arbiter.has_perm(
        "arbitration.supervise"
    )
    assert people.supervisor.has_perm("arbitration.supervise")
    assert people.finance.has_perm("marketplace.manage_payouts")
    assert not people.staff.has_perm("arbitration.arbitrate") and people.staff.is_staff
    assert people.scheduler.is_system and not people.scheduler.is_active
