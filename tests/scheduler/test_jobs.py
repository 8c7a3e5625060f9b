"""Every scheduled sweep, on time and once (R-JOB-1, R-JOB-2), with the deadline rule it enforces.

For each job: one second before the deadline nothing moves; one second after it the item
moves; a second run moves nothing; and on PostgreSQL two runs at once, without the job
guard, move every item exactly once (counted in the audit log, the ledger, the complaints
or the notifications — whatever the move leaves behind).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django_fsm_log.models import StateLog

from arbitration import services as arbitration
from arbitration.models import Complaint, Dispute, Evidence
from marketplace import services as money
from marketplace.models import (
    ApiClient,
    ExtensionRequest,
    IdempotencyRecord,
    LedgerEntry,
    Notification,
    Refund,
)
from marketplace.notifications import notify
from marketplace.scheduling import all_jobs, run_job
from tests.arbitration.conftest import (
    DAY,
    SECOND,
    awaiting_return,
    closed_by_seller,
    escalate_overdue,
    open_dispute,
    return_in_transit,
    shipped,
)
from tests.evidence import files
from tests.marketplace.factories import at, run_concurrently
from tests.support import fresh
from tests.webhooks.due import failed_once, times_received


def transitions(obj, name: str) -> int:
    """How many times ``obj`` went through the transition ``name`` (the audit log, R-SEC-2)."""
    return StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, transition=name
    ).count()


@dataclass(frozen=True)
class Case:
    job: str
    rule: str
    make: Callable[[Any], tuple[Any, datetime]]  # people -> (item, the moment it becomes due)
    moved: Callable[[Any], int]  # item -> how many times it moved


# --- How to make an item due for each job ---------------------------------------------------


def _open(people):
    dispute = open_dispute(people)
    return dispute, dispute.deadline_at


def _awaiting_return(people):
    dispute = fresh(awaiting_return(people))
    return dispute, dispute.deadline_at


def _return_in_transit(people):
    dispute = return_in_transit(people)
    return dispute, dispute.deadline_at


def _return_reminder(people):
    dispute = fresh(awaiting_return(people))
    return dispute, dispute.deadline_at - timedelta(days=settings.RETURN_REMINDER_DAYS)


def _escalated(people):
    dispute = escalate_overdue(people, open_dispute(people))
    return dispute, dispute.deadline_at


def _refund_owed(people):
    # Committed work's on-commit tasks don't run in these tests: the refund stays pending, as
    # if its send task had been lost.
    refund = fresh(closed_by_seller(people)).refund
    return refund, refund.due_at


def _refund_pending(people):
    refund, _ = _refund_owed(people)
    return refund, refund.created_at + timedelta(minutes=2)


def _refund_sent(people):
    refund, _ = _refund_owed(people)
    with at(refund.created_at + SECOND):
        money.refund_send(refund=refund, actor=people.scheduler)
    return refund, refund.created_at + SECOND + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS)


def _shipped(people):
    order = shipped(people)
    return order, order.protection_deadline


def _extension_asked(people):
    order = shipped(people)
    with at(order.protection_deadline - 5 * DAY):
        money.extension_request_create(order=order, actor=people.buyer, days=7, reason="Stuck in customs")
    return order, order.protection_deadline


def _protection_reminder(people):
    order = shipped(people)
    return order, order.protection_deadline - timedelta(days=settings.PROTECTION_REMINDER_DAYS)


def _notification_unsent(people):
    order = shipped(people)
    moment = order.shipped_at + DAY
    with at(moment):
        [notification] = notify("dispute_answered", order=order, context={"dispute_id": 1})
    return notification, moment + timedelta(minutes=5)


def _evidence_unprocessed(people):
    # Uploaded with its rendition task lost (on-commit work does not run here): the backstop's item.
    dispute = open_dispute(people)
    moment = dispute.opened_at + DAY
    with at(moment):
        message = arbitration.dispute_post_message(
            dispute=dispute, actor=people.buyer, body="Photo", files=[files.upload("photo.jpg", files.jpeg())]
        )
    evidence = Evidence.objects.get(message=message)
    return evidence, evidence.created_at + timedelta(minutes=2)


def _idempotency_key_used(people):
    client = ApiClient.objects.create(name="Marketplace back end", account="shop")
    record = IdempotencyRecord.objects.create(
        client=client,
        key="order-A-1001",
        fingerprint="0" * 64,
        method="POST",
        path="/api/v1/orders",
        status_code=201,
        response_body={"id": 1},
    )
    return record, record.created_at + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


CASES = [
    Case("escalate_disputes", "R-DSP-6", _open, lambda d: transitions(d, "escalate_overdue")),
    Case(
        "close_unshipped_returns",
        "R-RET-1",
        _awaiting_return,
        lambda d: transitions(d, "close_return_not_shipped"),
    ),
    Case(
        "refund_unconfirmed_returns",
        "R-RET-2",
        _return_in_transit,
        lambda d: transitions(d, "refund_unconfirmed_return"),
    ),
    Case(
        "remind_returns_due",
        "R-RET-1",
        _return_reminder,
        lambda d: Notification.objects.filter(event="return_due_soon", context__dispute_id=d.pk).count(),
    ),
    Case(
        "flag_overdue_cases",
        "R-ARB-4",
        _escalated,
        lambda d: Dispute.objects.filter(pk=d.pk, overdue_flagged_at__isnull=False).count(),
    ),
    Case(
        "flag_overdue_refunds",
        "R-REF-4",
        _refund_owed,
        lambda r: Complaint.objects.filter(refund=r, kind=Complaint.Kind.REFUND_OVERDUE).count(),
    ),
    Case(
        "release_escrow",
        "R-PRT-3",
        _shipped,
        lambda o: LedgerEntry.objects.filter(order=o, kind=LedgerEntry.Kind.RELEASE).count(),
    ),
    Case(
        "auto_extend_protection",
        "R-PRT-4",
        _extension_asked,
        lambda o: o.extension_requests.filter(status=ExtensionRequest.Status.AUTO_GRANTED).count(),
    ),
    Case(
        "remind_protection_ending",
        "R-PRT-5",
        _protection_reminder,
        lambda o: Notification.objects.filter(event="protection_ending", context__order_id=o.pk).count(),
    ),
    Case("dispatch_refunds", "R-REF-3", _refund_pending, lambda r: transitions(r, "mark_sent")),
    Case("sync_payouts", "R-REF-2", _refund_sent, lambda r: transitions(r, "mark_completed")),
    Case(
        "send_notifications",
        "R-NTF-1",
        _notification_unsent,
        lambda n: Notification.objects.filter(pk=n.pk, sent_at__isnull=False).count(),
    ),
    Case("send_webhooks", "R-API-5", failed_once, times_received),
    Case(
        "purge_idempotency_keys",
        "R-API-3",
        _idempotency_key_used,
        lambda r: 0 if IdempotencyRecord.objects.filter(pk=r.pk).exists() else 1,
    ),
    Case(
        "process_evidence",
        "R-EVD-4",
        _evidence_unprocessed,
        lambda e: Evidence.objects.filter(pk=e.pk, processed_at__isnull=False).count(),
    ),
]
BY_JOB = {case.job: case for case in CASES}
PARAMS = [pytest.param(case, id=f"{case.job}-{case.rule}") for case in CASES]


@pytest.fixture(autouse=True)
def _local_webhook_receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the send_webhooks case's receiver is on 127.0.0.1


def test_every_scheduled_sweep_has_its_deadline_tests():
    """R-JOB-1: a new job without a case here fails this test (reconciliation has its own module)."""
    # verify_audit sweeps no deadline: its proofs are in tests/ops/test_history.py (R-OPS-2).
    assert set(BY_JOB) == set(all_jobs()) - {"reconcile_ledger", "verify_audit"}


@pytest.mark.parametrize("case", PARAMS)
def test_nothing_moves_one_second_before_the_deadline(people, case):
    item, due_at = case.make(people)

    with at(due_at - SECOND):
        result = run_job(case.job)

    assert (result.moved, result.failed) == (0, 0), result.summary()
    assert case.moved(item) == 0


@pytest.mark.parametrize("case", PARAMS)
def test_the_item_moves_one_second_after_the_deadline_and_a_second_run_moves_nothing(people, case):
    item, due_at = case.make(people)

    with at(due_at + SECOND):
        first = run_job(case.job)
        second = run_job(case.job)

    assert (first.moved, first.failed) == (1, 0), first.summary()
    assert first.moved_ids == [item.pk]
    assert (second.moved, second.failed) == (0, 0), second.summary()
    assert case.moved(item) == 1


def test_the_escalation_job_moves_a_dispute_through_the_same_service_a_person_uses(people):
    """R-DSP-6, R-SEC-2: the scheduler is the recorded actor, the decision is due 5 days later,
    both parties are told."""
    dispute, due_at = _open(people)

    with at(due_at + SECOND):
        run_job("escalate_disputes")

    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.ESCALATED
    assert dispute.deadline_at == due_at + SECOND + timedelta(days=settings.ARBITER_DECISION_DAYS)
    log = StateLog.objects.get(transition="escalate_overdue", object_id=dispute.pk)
    assert log.by == people.scheduler
    told = Notification.objects.filter(event="dispute_escalated", context__dispute_id=dispute.pk)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["boris", "sam"]


def test_a_batch_smaller_than_the_due_items_still_reaches_every_one_of_them(people, settings):
    """R-JOB-2: bounded batches (keyset pages) cover every due dispute, and only due ones."""
    settings.JOB_BATCH_SIZE = 2
    due = [_open(people)[0] for _ in range(5)]
    later = open_dispute(people, when=due[0].opened_at + DAY)

    with at(due[0].deadline_at + SECOND):
        result = run_job("escalate_disputes")

    assert result.moved == 5
    assert [transitions(d, "escalate_overdue") for d in due] == [1] * 5
    assert fresh(later).state == Dispute.State.OPEN


def test_a_dispute_a_person_moved_meanwhile_is_skipped_not_moved_again(people):
    """R-JOB-2, R-SEC-4: the service re-checks under the lock; the seller's answer wins."""
    dispute, due_at = _open(people)
    with at(due_at + SECOND):
        from arbitration import services

        services.dispute_seller_accept(dispute=dispute, actor=people.seller)
        result = run_job("escalate_disputes")

    assert (result.moved, result.failed) == (0, 0)
    assert fresh(dispute).state == Dispute.State.CLOSED
    assert transitions(dispute, "escalate_overdue") == 0


# --- Two workers at once (PostgreSQL, real threads) -----------------------------------------

ITEMS_PER_RACE = 8


@contextmanager
def tasks_lost_on_commit():
    """While the items are made, the refund, email and rendition tasks queued on commit go nowhere.

    In a transactional test on-commit work runs (eagerly); the backstop jobs
    (dispatch_refunds, sync_payouts, send_notifications) exist for tasks that were lost.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("marketplace.services.refunds._dispatch", lambda refund: None)
        patch.setattr("marketplace.notifications._send", lambda ids: None)
        patch.setattr("arbitration.evidence.services.enqueue_on_commit", lambda *args: None)
        yield


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("case", PARAMS)
def test_two_or_three_runs_at_once_move_each_item_exactly_once(people, case, workers):
    """R-JOB-2: no job lock; only the row locks (SKIP LOCKED) keep the items from moving twice,
    with two workers and with three."""
    with tasks_lost_on_commit():
        made = [case.make(people) for _ in range(ITEMS_PER_RACE)]
    items, moment = [item for item, _ in made], max(due for _, due in made) + SECOND

    with at(moment):
        outcomes = run_concurrently([lambda: run_job(case.job)] * workers)

    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    results = [o.value for o in outcomes]
    assert sum(r.failed for r in results) == 0, [r.summary() for r in results]
    assert sum(r.moved for r in results) == ITEMS_PER_RACE
    assert [case.moved(item) for item in items] == [1] * ITEMS_PER_RACE
    assert sorted(pk for r in results for pk in r.moved_ids) == sorted(item.pk for item in items)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_escalation_runs_tell_each_party_once_per_dispute(people):
    """R-JOB-2, R-NTF-1: one escalation per dispute means one email per party, not two."""
    disputes = [_open(people)[0] for _ in range(ITEMS_PER_RACE)]

    with at(disputes[-1].deadline_at + SECOND):
        outcomes = run_concurrently([lambda: run_job("escalate_disputes")] * 2)

    assert all(o.ok for o in outcomes)
    for dispute in disputes:
        told = Notification.objects.filter(event="dispute_escalated", context__dispute_id=dispute.pk)
        assert sorted(told.values_list("recipient__username", flat=True)) == ["boris", "sam"]
    assert Refund.objects.count() == 0  # escalation moves no money
