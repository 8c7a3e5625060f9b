"""The transition matrix (R-DSP-10, with R-DSP-4/5/6, R-ARB-1/2/6, R-RET-1/2, R-CMP-1, R-SEC-2):
for every dispute state × every action × every role, the action is offered exactly when the
SPEC allows it, and the service refuses it (changing nothing) exactly when it is not offered.

``EXPECTED`` below is written from SPEC §4 (the diagram) and the rules, not read from the code.
Refinements documented in the code and checked here: the buyer may withdraw and the seller may
accept the claim while OPEN, ESCALATED or UNDER_REVIEW (before a decision); offers, rejections
and amendments only while OPEN. Each state is built with the conditions that make its
interesting actions possible (a pending offer, amendments left, a rejection, a declined offer,
a passed deadline) and again with them unmet.

Scheduler-only transitions are never offered to a person; for them the test asks
``django_fsm.has_transition_perm`` directly, for every role including the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.db import transaction
from django_fsm import has_transition_perm

from arbitration import services
from arbitration.models import Dispute
from arbitration.presentation import available_actions
from marketplace.errors import DomainError
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    OPENED,
    SECOND,
    People,
    at,
    awaiting_return,
    closed_by_seller,
    decide,
    decline,
    escalate_overdue,
    fresh,
    make_people,
    offer,
    open_dispute,
    png,
    reject,
    report_return_problem,
    return_in_transit,
    snapshot,
    take,
    under_review,
)

pytestmark = pytest.mark.django_db

SCHEDULER_ONLY = ("escalate_overdue", "close_return_not_shipped", "refund_unconfirmed_return")
TRANSITIONS = (
    "amend",
    "withdraw",
    "accept_claim",
    "make_offer",
    "reject_claim",
    "accept_offer",
    "decline_offer",
    "escalate",
    "escalate_overdue",
    "take",
    "release",
    "reassign",
    "request_information",
    "decide",
    "ship_return",
    "close_return_not_shipped",
    "confirm_return",
    "report_return_problem",
    "refund_unconfirmed_return",
)
ACTIONS = (*TRANSITIONS, "message", "file_complaint")
ROLES = ("buyer", "seller", "stranger", "staff", "arbiter", "holder", "supervisor", "scheduler")


def user_for(people: People, role: str):
    """``arbiter`` is an arbiter not holding the case; ``holder`` is the one who took it (where
    nobody holds it, ``holder`` is simply another arbiter)."""
    return {
        "buyer": people.buyer,
        "seller": people.seller,
        "stranger": people.stranger,
        "staff": people.staff,
        "arbiter": people.arbiter2,
        "holder": people.arbiter,
        "supervisor": people.supervisor,
        "scheduler": people.scheduler,
    }[role]


def row(*, buyer, seller, stranger, staff, arbiter, holder, supervisor, scheduler) -> dict[str, frozenset]:
    """One state's expectations; every role must be written out."""
    cells = dict(
        buyer=buyer,
        seller=seller,
        stranger=stranger,
        staff=staff,
        arbiter=arbiter,
        holder=holder,
        supervisor=supervisor,
        scheduler=scheduler,
    )
    return {role: frozenset(actions) for role, actions in cells.items()}


NONE: set[str] = set()
SELLER_ANSWERS = {"accept_claim", "make_offer", "reject_claim", "message"}

# --- The expected table (SPEC §4 diagram + R-DSP-4/5/6, R-ARB-1/2/6, R-RET-1/2, R-CMP-1) -------
EXPECTED: dict[str, dict[str, frozenset]] = {
    # OPEN, a new claim: the seller answers (R-DSP-5); the buyer amends (R-DSP-3) or withdraws
    # (R-DSP-4); nobody may escalate yet (R-DSP-6); arbiters are not in the thread (R-DSP-7).
    "open": row(
        buyer={"amend", "withdraw", "message"},
        seller=SELLER_ANSWERS,
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # OPEN with a pending offer: the buyer accepts or declines it; one offer at a time (R-DSP-5).
    "open_pending_offer": row(
        buyer={"amend", "withdraw", "accept_offer", "decline_offer", "message"},
        seller={"accept_claim", "reject_claim", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # OPEN after the seller rejected: the buyer may escalate early (R-DSP-6); no second rejection.
    "open_rejected": row(
        buyer={"amend", "withdraw", "escalate", "message"},
        seller={"accept_claim", "make_offer", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # OPEN after the buyer declined an offer: early escalation; the seller may offer again.
    "open_offer_declined": row(
        buyer={"amend", "withdraw", "escalate", "message"},
        seller=SELLER_ANSWERS,
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # OPEN, rejected and then an offer made: everything the buyer can do at once.
    "open_rejected_with_pending_offer": row(
        buyer={"amend", "withdraw", "accept_offer", "decline_offer", "escalate", "message"},
        seller={"accept_claim", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # OPEN with all MAX_DISPUTE_AMENDMENTS used (R-DSP-3): no more amendments, messages still free.
    "open_no_amendments_left": row(
        buyer={"withdraw", "message"},
        seller=SELLER_ANSWERS,
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # OPEN one second past ESCALATION_AFTER_DAYS: the scheduler escalates (R-DSP-6); until its job
    # runs, the parties may still agree.
    "open_escalation_due": row(
        buyer={"amend", "withdraw", "message"},
        seller=SELLER_ANSWERS,
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler={"escalate_overdue"},
    ),
    # ESCALATED: an arbiter takes it (R-ARB-1), a supervisor may also assign it; arbiters join the
    # thread (R-DSP-7); before a decision the buyer may still withdraw and the seller accept.
    "escalated": row(
        buyer={"withdraw", "message"},
        seller={"accept_claim", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter={"take", "message"},
        holder={"take", "message"},
        supervisor={"take", "reassign", "message"},
        scheduler=NONE,
    ),
    # ESCALATED again after the seller reported a problem with the return (R-RET-2).
    "escalated_after_return_problem": row(
        buyer={"withdraw", "message"},
        seller={"accept_claim", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter={"take", "message"},
        holder={"take", "message"},
        supervisor={"take", "reassign", "message"},
        scheduler=NONE,
    ),
    # UNDER_REVIEW: only the holder decides, asks for information (R-ARB-6) or releases; another
    # arbiter can't take or decide it (R-ARB-1); a supervisor releases or reassigns.
    "under_review": row(
        buyer={"withdraw", "message"},
        seller={"accept_claim", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter={"message"},
        holder={"release", "request_information", "decide", "message"},
        supervisor={"release", "reassign", "message"},
        scheduler=NONE,
    ),
    # AWAITING_RETURN (the seller accepted a return claim, never escalated): the buyer ships (R-RET-1).
    "awaiting_return": row(
        buyer={"ship_return", "message"},
        seller={"message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # AWAITING_RETURN decided by an arbiter: arbiters stay in the thread.
    "awaiting_return_after_decision": row(
        buyer={"ship_return", "message"},
        seller={"message"},
        stranger=NONE,
        staff=NONE,
        arbiter={"message"},
        holder={"message"},
        supervisor={"message"},
        scheduler=NONE,
    ),
    # AWAITING_RETURN past the ship-by date: the scheduler closes it, escrow to the seller (R-RET-1).
    "awaiting_return_ship_by_passed": row(
        buyer={"message"},
        seller={"message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler={"close_return_not_shipped"},
    ),
    # RETURN_IN_TRANSIT: the seller confirms (refund) or reports a problem (R-RET-2).
    "return_in_transit": row(
        buyer={"message"},
        seller={"confirm_return", "report_return_problem", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # RETURN_IN_TRANSIT past the confirm-by date: the scheduler refunds (R-RET-2); the seller may
    # still confirm (the same refund), no longer report a problem.
    "return_in_transit_confirm_by_passed": row(
        buyer={"message"},
        seller={"confirm_return", "message"},
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler={"refund_unconfirmed_return"},
    ),
    # CLOSED: nothing reopens it (R-DSP-1); the buyer may complain (R-CMP-1).
    "closed": row(
        buyer={"file_complaint"},
        seller=NONE,
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
    # CLOSED with a complaint already with arbitration: one at a time.
    "closed_with_open_complaint": row(
        buyer=NONE,
        seller=NONE,
        stranger=NONE,
        staff=NONE,
        arbiter=NONE,
        holder=NONE,
        supervisor=NONE,
        scheduler=NONE,
    ),
}


# --- How each state is built, and the moment it is looked at --------------------------------


def _amended_four_times(people: People) -> tuple[Dispute, datetime]:
    dispute = open_dispute(people)
    for n in range(1, 5):
        with at(OPENED + n * HOUR):
            services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description=f"Version {n}",
            )
    return dispute, OPENED + 6 * HOUR


def _rejected_then_offered(people: People) -> tuple[Dispute, datetime]:
    dispute = reject(people, open_dispute(people))
    offer(people, dispute, when=OPENED + 3 * HOUR)
    return dispute, OPENED + 4 * HOUR


def _return_problem(people: People) -> tuple[Dispute, datetime]:
    dispute = report_return_problem(people, return_in_transit(people))
    return dispute, dispute.escalated_at + HOUR


def _decided_return(people: People) -> tuple[Dispute, datetime]:
    dispute = under_review(people)
    decide(people, dispute, outcome="return_then_refund")
    return dispute, fresh(dispute).deadline_at - DAY


def _with_complaint(people: People) -> tuple[Dispute, datetime]:
    dispute = closed_by_seller(people)
    with at(OPENED + 2 * DAY):
        services.complaint_file(
            dispute=dispute,
            actor=people.buyer,
            kind="refund_not_received",
            description="Nothing on my card yet.",
        )
    return dispute, OPENED + 3 * DAY


def _at_deadline(build: Callable[[People], Dispute], offset) -> Callable[[People], tuple[Dispute, datetime]]:
    def scenario(people: People) -> tuple[Dispute, datetime]:
        dispute = build(people)
        return dispute, fresh(dispute).deadline_at + offset

    return scenario


def _after(build: Callable[[People], Dispute], moment: Callable[[Dispute], datetime]):
    def scenario(people: People) -> tuple[Dispute, datetime]:
        dispute = fresh(build(people))
        return dispute, moment(dispute)

    return scenario


def _open_with(*steps):
    def build(people: People) -> Dispute:
        dispute = open_dispute(people)
        for step in steps:
            step(people, dispute)
        return dispute

    return build


SCENARIOS: dict[str, Callable[[People], tuple[Dispute, datetime]]] = {
    "open": _at_deadline(open_dispute, -SECOND),  # one second before the scheduler may escalate
    "open_pending_offer": _after(_open_with(offer), lambda d: OPENED + 2 * HOUR),
    "open_rejected": _after(_open_with(reject), lambda d: OPENED + 3 * HOUR),
    "open_offer_declined": _after(_open_with(offer, decline), lambda d: OPENED + 4 * HOUR),
    "open_rejected_with_pending_offer": _rejected_then_offered,
    "open_no_amendments_left": _amended_four_times,
    "open_escalation_due": _at_deadline(open_dispute, SECOND),
    "escalated": _after(lambda p: escalate_overdue(p, open_dispute(p)), lambda d: d.escalated_at + HOUR),
    "escalated_after_return_problem": _return_problem,
    "under_review": _after(
        lambda p: take(p, escalate_overdue(p, open_dispute(p))), lambda d: d.assigned_at + HOUR
    ),
    "awaiting_return": _at_deadline(awaiting_return, -SECOND),
    "awaiting_return_after_decision": _decided_return,
    "awaiting_return_ship_by_passed": _at_deadline(awaiting_return, SECOND),
    "return_in_transit": _at_deadline(return_in_transit, -SECOND),
    "return_in_transit_confirm_by_passed": _at_deadline(return_in_transit, SECOND),
    "closed": _after(closed_by_seller, lambda d: d.closed_at + DAY),
    "closed_with_open_complaint": _with_complaint,
}


# --- The service behind each action ------------------------------------------------------


@dataclass(frozen=True)
class Call:
    run: Callable
    sweep: bool = False  # a scheduler service: "not due" is False, not an error (R-JOB-2)


SERVICES: dict[str, Call] = {
    "amend": Call(
        lambda p, d, u: services.dispute_amend(
            dispute=d,
            actor=u,
            reason="damaged",
            resolution="partial_refund",
            requested_amount="40.00",
            description="Amended: it arrived broken",
        )
    ),
    "withdraw": Call(
        lambda p, d, u: services.dispute_withdraw(
            dispute=d, actor=u, confirmed=True, confirmed_despite_solicitation=True
        )
    ),
    "accept_claim": Call(lambda p, d, u: services.dispute_seller_accept(dispute=d, actor=u)),
    "make_offer": Call(
        lambda p, d, u: services.dispute_make_offer(dispute=d, actor=u, kind="partial_refund", amount="25.00")
    ),
    "reject_claim": Call(
        lambda p, d, u: services.dispute_reject_claim(
            dispute=d, actor=u, explanation="Delivered, see the signature."
        )
    ),
    "accept_offer": Call(lambda p, d, u: services.dispute_accept_offer(dispute=d, actor=u)),
    "decline_offer": Call(lambda p, d, u: services.dispute_decline_offer(dispute=d, actor=u)),
    "escalate": Call(lambda p, d, u: services.dispute_escalate(dispute=d, actor=u)),
    "escalate_overdue": Call(
        lambda p, d, u: services.dispute_escalate_overdue(dispute=d, actor=u), sweep=True
    ),
    "take": Call(lambda p, d, u: services.case_take(case=d, actor=u)),
    "release": Call(lambda p, d, u: services.case_release(case=d, actor=u)),
    "reassign": Call(lambda p, d, u: services.case_reassign(case=d, actor=u, arbiter=p.arbiter2)),
    "request_information": Call(
        lambda p, d, u: services.dispute_request_information(
            dispute=d, actor=u, party="seller", question="Proof of delivery, please."
        )
    ),
    "decide": Call(
        lambda p, d, u: services.dispute_decide(
            dispute=d, actor=u, outcome="full_refund", rationale="Never delivered."
        )
    ),
    "ship_return": Call(
        lambda p, d, u: services.return_ship(dispute=d, actor=u, carrier="DHL", tracking_number="JD014600003")
    ),
    "close_return_not_shipped": Call(
        lambda p, d, u: services.return_close_not_shipped(dispute=d, actor=u), sweep=True
    ),
    "confirm_return": Call(
        lambda p, d, u: services.return_acknowledge(dispute=d, actor=u, acknowledgement="received_ok")
    ),
    "report_return_problem": Call(
        lambda p, d, u: services.return_acknowledge(
            dispute=d, actor=u, acknowledgement="damaged", note="Crushed box", files=[png()]
        )
    ),
    "refund_unconfirmed_return": Call(
        lambda p, d, u: services.return_refund_unconfirmed(dispute=d, actor=u), sweep=True
    ),
    "message": Call(lambda p, d, u: services.dispute_post_message(dispute=d, actor=u, body="Any news?")),
    "file_complaint": Call(
        lambda p, d, u: services.complaint_file(
            dispute=d, actor=u, kind="refund_not_received", description="No money yet."
        )
    ),
}


def offered(dispute: Dispute, user) -> frozenset[str]:
    """What the UI offers ``user`` now, plus the scheduler-only transitions their permission allows."""
    shown = set(available_actions(dispute, user).actions)
    assert not shown & set(SCHEDULER_ONLY), "a scheduler-only transition was offered to a person"
    if getattr(user, "is_system", False):
        assert shown == set(), "the scheduler is not offered buttons"
        return frozenset(t for t in TRANSITIONS if has_transition_perm(getattr(dispute, t), user))
    return frozenset(shown | {t for t in SCHEDULER_ONLY if has_transition_perm(getattr(dispute, t), user)})


# --- The tests ----------------------------------------------------------------------------------


def test_the_matrix_covers_every_state_every_transition_and_every_role_R_DSP_10():
    names = {t.name for t in Dispute._meta.get_field("state").get_all_transitions(Dispute)}
    assert names == set(TRANSITIONS)
    assert set(SERVICES) == set(ACTIONS)
    assert set(EXPECTED) == set(SCENARIOS)
    assert all(
        set(cells) == set(ROLES) and set().union(*cells.values()) <= set(ACTIONS)
        for cells in EXPECTED.values()
    )
    assert {scenario_state(name) for name in SCENARIOS} == set(Dispute.State.values)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_role_is_offered_exactly_the_actions_the_spec_allows_R_DSP_10(scenario):
    people = make_people()
    dispute, now = SCENARIOS[scenario](people)

    with at(now):
        dispute = fresh(dispute)
        actual = {role: offered(dispute, user_for(people, role)) for role in ROLES}

    assert dispute.state == scenario_state(scenario)
    wrong = {
        role: {
            "offered but forbidden": sorted(actual[role] - EXPECTED[scenario][role]),
            "allowed but not offered": sorted(EXPECTED[scenario][role] - actual[role]),
        }
        for role in ROLES
        if actual[role] != EXPECTED[scenario][role]
    }
    assert wrong == {}


class _RolledBack(Exception):
    pass


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_service_refuses_exactly_what_is_not_offered_and_changes_nothing_R_DSP_10_R_SEC_4(scenario):
    """Forbidden: DomainError (a scheduler sweep may instead answer "not due", False), nothing
    changed. Allowed: the service does it (inside a savepoint rolled back after each call)."""
    people = make_people()
    dispute, now = SCENARIOS[scenario](people)
    problems = []

    with at(now):
        for role in ROLES:
            user = user_for(people, role)
            for action in ACTIONS:
                call = SERVICES[action]
                before = snapshot(dispute)
                if action in EXPECTED[scenario][role]:
                    try:
                        with transaction.atomic():
                            result = call.run(people, fresh(dispute), user)
                            if result is False or snapshot(dispute) == before:
                                problems.append((role, action, "allowed but did nothing"))
                            raise _RolledBack
                    except _RolledBack:
                        pass
                    except DomainError as exc:
                        problems.append((role, action, f"allowed but refused: {exc.message_text}"))
                    continue
                try:
                    result = call.run(people, fresh(dispute), user)
                except DomainError as exc:
                    if not exc.message_text:
                        problems.append((role, action, "refused without a message"))
                else:
                    if not (call.sweep and result is False):
                        problems.append((role, action, f"forbidden but the service returned {result!r}"))
                if snapshot(dispute) != before:
                    problems.append((role, action, "a refused action changed something"))

    assert problems == []


def scenario_state(scenario: str) -> str:
    for state in sorted(Dispute.State.values, key=len, reverse=True):
        if scenario.startswith(state):
            return state
    raise AssertionError(scenario)
