"""Disputes under concurrency (R-ARB-1, R-SEC-4, R-REF-1), on PostgreSQL with real threads.

Each call runs in its own thread with its own connection; the threads meet at a barrier so the
calls really hit the database together (``tests.marketplace.factories.run_concurrently`` closes
each thread's connection at the end). Every test checks what each caller was told and what the
database holds afterwards, and reconciles the books (R-JOB-4).

Transactional tests flush the database; ``serialized_rollback`` restores what the migrations
wrote (the staff groups, the solicitation patterns) for each of them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbitration import services
from arbitration.models import Complaint, Decision, Dispute, Offer
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Refund
from marketplace.scheduling import run_job
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    OPENED,
    SECOND,
    amounts,
    assert_books_balance,
    at,
    closed_by_seller,
    escalate_overdue,
    fresh,
    log_of,
    make_people,
    offer,
    open_dispute,
    return_in_transit,
    under_review,
)
from tests.marketplace.factories import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REFUND, RELEASE = LedgerEntry.Kind.REFUND, LedgerEntry.Kind.RELEASE


@pytest.fixture
def people():
    return make_people()


def split(outcomes):
    """The calls that succeeded, and the messages of those refused by a rule. Anything else
    (a deadlock, an IntegrityError escaping a service) fails the test."""
    unexpected = [o.error for o in outcomes if not o.ok and not isinstance(o.error, DomainError)]
    assert unexpected == []
    return [o for o in outcomes if o.ok], [o.error.message_text for o in outcomes if not o.ok]


def transitions(dispute) -> list[str]:
    return [name for name, _by in log_of(dispute)]


def test_two_arbiters_taking_the_same_case_at_once_one_holds_it_R_ARB_1_R_SEC_4(people):
    dispute = escalate_overdue(people, open_dispute(people))

    with at(dispute.escalated_at + HOUR):
        outcomes = run_concurrently(
            [
                lambda: services.case_take(case=dispute, actor=people.arbiter),
                lambda: services.case_take(case=dispute, actor=people.arbiter2),
            ]
        )

    done, refusals = split(outcomes)
    assert len(done) == 1
    holder = done[0].value.assigned_arbiter
    assert refusals == [f"{holder} has already taken this case."]
    dispute = fresh(dispute)
    assert (dispute.state, dispute.assigned_arbiter) == (Dispute.State.UNDER_REVIEW, holder)
    assert transitions(dispute).count("take") == 1
    assert log_of(dispute)[-1] == ("take", holder.pk)


def test_the_same_decision_submitted_twice_at_once_makes_one_decision_and_one_refund_R_ARB_2_R_SEC_4(people):
    dispute = under_review(people)

    def decide():
        return services.dispute_decide(
            dispute=dispute,
            actor=people.arbiter,
            outcome="partial_refund",
            refund_amount="60.00",
            rationale="The case was cracked in transit.",
            penalty_amount="5.00",
            penalty_reason="Poor packing.",
        )

    with at(fresh(dispute).assigned_at + HOUR):
        outcomes = run_concurrently([decide, decide])

    done, refusals = split(outcomes)
    assert len(done) == 1
    assert refusals == [str(services.CLOSED_HINT)]
    assert Decision.objects.count() == 1 and Refund.objects.count() == 1
    order = fresh(dispute).order
    assert amounts(order, REFUND) == [Decimal("60.00")]
    assert amounts(order, RELEASE) == [Decimal("40.00")]
    assert amounts(order, LedgerEntry.Kind.PENALTY) == [Decimal("5.00")]
    assert transitions(dispute).count("decide") == 1
    assert_books_balance()


def test_the_holder_deciding_while_a_supervisor_reassigns_gives_one_consistent_outcome_R_ARB_1_R_SEC_4(
    people,
):
    dispute = under_review(people)

    with at(fresh(dispute).assigned_at + HOUR):
        outcomes = run_concurrently(
            [
                lambda: services.dispute_decide(
                    dispute=dispute, actor=people.arbiter, outcome="full_refund", rationale="Never delivered."
                ),
                lambda: services.case_reassign(
                    case=dispute, actor=people.supervisor, arbiter=people.arbiter2
                ),
            ]
        )

    done, refusals = split(outcomes)
    assert len(done) == 1 and len(refusals) == 1
    dispute = fresh(dispute)
    if isinstance(done[0].value, Decision):  # the decision won: the case is closed, reassigning refused
        assert refusals == [str(services.CLOSED_HINT)]
        assert (dispute.state, Refund.objects.count()) == (Dispute.State.CLOSED, 1)
        assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    else:  # the reassignment won: the former holder may no longer decide
        assert refusals[0].startswith("You can't do that now")
        assert (dispute.state, dispute.assigned_arbiter) == (Dispute.State.UNDER_REVIEW, people.arbiter2)
        assert not Decision.objects.exists() and not Refund.objects.exists()
    assert Decision.objects.count() <= 1
    assert_books_balance()


def test_the_scheduler_escalating_while_the_seller_accepts_gives_one_outcome_and_one_refund_R_DSP_6_R_SEC_4(
    people,
):
    """Both may succeed in one order (escalated, then accepted: the seller may accept before a
    decision), never in the other; either way the dispute closes once, with one refund."""
    dispute = open_dispute(people)

    with at(dispute.deadline_at + SECOND):
        outcomes = run_concurrently(
            [
                lambda: services.dispute_escalate_overdue(dispute=dispute, actor=people.scheduler),
                lambda: services.dispute_seller_accept(dispute=dispute, actor=people.seller),
            ]
        )

    done, refusals = split(outcomes)
    assert refusals == []
    escalated, accepted = outcomes[0].value, outcomes[1].value
    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "seller_accepted")
    assert accepted.pk == dispute.pk
    expected_log = ["open", "escalate_overdue", "accept_claim"] if escalated else ["open", "accept_claim"]
    assert transitions(dispute) == expected_log
    assert Refund.objects.count() == 1
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert_books_balance()


def test_the_escalation_job_while_the_buyer_accepts_an_offer_gives_exactly_one_outcome_R_DSP_6_R_SEC_4(
    people,
):
    """Accepting an offer is possible only while OPEN: either the buyer's acceptance closes it (and
    the job finds nothing due), or the job escalates it first (the offer lapses, no refund)."""
    dispute = open_dispute(people)
    offer(people, dispute, amount="40.00")

    with at(dispute.deadline_at + SECOND):
        outcomes = run_concurrently(
            [
                lambda: run_job("escalate_disputes"),
                lambda: services.dispute_accept_offer(dispute=dispute, actor=people.buyer),
            ]
        )

    job_result = outcomes[0].value
    assert outcomes[0].ok and job_result.failed == 0
    dispute = fresh(dispute)
    if outcomes[1].ok:
        assert job_result.moved == 0
        assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "offer_accepted")
        assert amounts(dispute.order, REFUND) == [Decimal("40.00")]
        assert amounts(dispute.order, RELEASE) == [Decimal("60.00")]
    else:
        assert isinstance(outcomes[1].error, DomainError)
        assert job_result.moved == 1
        assert dispute.state == Dispute.State.ESCALATED
        assert Offer.objects.get().status == Offer.Status.WITHDRAWN
        assert not Refund.objects.exists()
    assert_books_balance()


def test_the_same_accept_offer_submitted_twice_at_once_makes_one_refund_R_DSP_5_R_SEC_4(people):
    dispute = open_dispute(people)
    pending = offer(people, dispute, amount="35.00")

    def accept():
        return services.dispute_accept_offer(dispute=dispute, actor=people.buyer, offer_id=pending.pk)

    with at(OPENED + 2 * HOUR):
        outcomes = run_concurrently([accept, accept])

    done, refusals = split(outcomes)
    assert len(done) == 1
    assert refusals == [str(services.CLOSED_HINT)]
    assert Refund.objects.count() == 1
    assert amounts(dispute.order, REFUND) == [Decimal("35.00")]
    assert transitions(dispute).count("accept_offer") == 1
    assert_books_balance()


def test_the_seller_confirming_a_return_while_the_scheduler_refunds_it_makes_one_refund_R_RET_2_R_SEC_4(
    people,
):
    dispute = return_in_transit(people)
    deadline = fresh(dispute).deadline_at

    with at(deadline + SECOND):
        outcomes = run_concurrently(
            [
                lambda: services.return_refund_unconfirmed(dispute=dispute, actor=people.scheduler),
                lambda: services.return_acknowledge(
                    dispute=dispute, actor=people.seller, acknowledgement="received_ok"
                ),
            ]
        )

    done, refusals = split(outcomes)
    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.CLOSED
    assert dispute.outcome in ("return_not_confirmed", "return_refunded")
    if dispute.outcome == "return_refunded":  # the seller was first: the job found nothing to do
        assert outcomes[0].value is False
    else:
        assert refusals == [str(services.CLOSED_HINT)]
    assert Refund.objects.count() == 1
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert_books_balance()


def test_two_workers_running_the_escalation_job_at_once_escalate_each_dispute_once_R_DSP_6_R_SEC_4(people):
    disputes = [open_dispute(people, when=OPENED + n * SECOND) for n in range(6)]

    with at(OPENED + 8 * DAY):
        outcomes = run_concurrently([lambda: run_job("escalate_disputes")] * 2)

    assert all(o.ok for o in outcomes)
    assert sum(o.value.moved for o in outcomes) == 6
    for dispute in disputes:
        assert transitions(dispute).count("escalate_overdue") == 1
        assert fresh(dispute).escalation_count == 1


def test_a_buyer_complaining_as_the_scheduler_flags_the_overdue_refund_opens_one_complaint_R_CMP_1_R_REF_4(
    people,
):
    """Both lock the dispute first, so the second finds the first's complaint: one open
    complaint, the refund flagged once, and the buyer told plainly if theirs came second."""
    dispute = closed_by_seller(people)
    refund = fresh(dispute).refund

    with at(refund.due_at + SECOND):
        outcomes = run_concurrently(
            [
                lambda: services.complaint_file(
                    dispute=dispute,
                    actor=people.buyer,
                    kind="refund_not_received",
                    description="The agreed refund never reached my card.",
                ),
                lambda: run_job("flag_overdue_refunds"),
            ]
        )

    done, refusals = split(outcomes)
    assert outcomes[1].ok and outcomes[1].value.failed == 0
    assert refusals in ([], ["A complaint about this dispute is already with arbitration."])
    complaints = list(Complaint.objects.filter(dispute=dispute))
    assert len(complaints) == 1
    assert complaints[0].kind == ("refund_overdue" if refusals else "refund_not_received")
    assert fresh(refund).overdue_flagged_at == refund.due_at + SECOND
