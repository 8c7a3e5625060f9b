"""The return-deadline and overdue-refund sweeps are set-based (R-JOB-2) and move exactly as one
item at a time does (R-RET-1, R-RET-2, R-REF-4): one rule, written once, for the sweep's batch
and for one item.

A batch writes one statement per table — the count of queries does not grow with the batch —
and leaves the same ledger rows, refunds, escrow totals, complaints, notices, events and audit
rows as the same items moved one at a time through the single-item services.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_fsm_log.models import StateLog

from arbitration import services
from arbitration.models import Complaint, Dispute
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.models import DomainEvent, EscrowHold, LedgerEntry, Notification, Order, Refund
from marketplace.scheduling import run_job
from tests.arbitration.conftest import DAY, SECOND, awaiting_return, closed_by_seller, return_in_transit
from tests.marketplace.factories import at
from tests.scheduler.test_jobs import tasks_lost_on_commit
from tests.support import fresh


@dataclass(frozen=True)
class Sweep:
    rule: str
    make: Callable[[Any], Dispute]
    batch: Callable[..., list[int]]  # (rows, limit, actor) -> ids: the sweep's batch
    one: Callable[..., bool]  # (dispute, actor) -> moved: one dispute
    transition: str
    source: str


SWEEPS = [
    pytest.param(
        Sweep(
            "R-RET-1",
            lambda people: fresh(awaiting_return(people)),
            services.disputes_close_unshipped_returns,
            services.return_close_not_shipped,
            "close_return_not_shipped",
            "awaiting_return",
        ),
        id="close_unshipped_returns-R-RET-1",
    ),
    pytest.param(
        Sweep(
            "R-RET-2",
            return_in_transit,
            services.disputes_refund_unconfirmed_returns,
            services.return_refund_unconfirmed,
            "refund_unconfirmed_return",
            "return_in_transit",
        ),
        id="refund_unconfirmed_returns-R-RET-2",
    ),
]


def _batch(people, sweep: Sweep, disputes: list[Dispute]) -> tuple[list[int], list[dict]]:
    """Move ``disputes`` as one batch of the sweep; the ids moved and the queries it made."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        ids = sweep.batch(
            rows=Dispute.objects.filter(pk__in=[d.pk for d in disputes]),
            limit=len(disputes),
            actor=people.scheduler,
        )
    return ids, list(queries)


def _statements(queries: list[dict]) -> Counter[str]:
    """How many statements wrote each table (INSERT / UPDATE)."""
    written: Counter[str] = Counter()
    for query in queries:
        match = re.match(r'(INSERT INTO|UPDATE) "(\w+)"', query["sql"])
        if match:
            written[f"{match[1]} {match[2]}"] += 1
    return written


@pytest.mark.parametrize("sweep", SWEEPS)
def test_R_JOB_2_a_return_deadline_batch_writes_one_statement_per_table_whatever_its_size(people, sweep):
    """R-JOB-2 with R-RET-1 / R-RET-2: 2 disputes and 6 disputes cost the same number of queries,
    each table written by one statement (the events: one per event type)."""
    small = [sweep.make(people) for _ in range(2)]
    large = [sweep.make(people) for _ in range(6)]

    with at(large[-1].deadline_at + SECOND):
        moved_small, queries_small = _batch(people, sweep, small)
        moved_large, queries_large = _batch(people, sweep, large)

    assert (len(moved_small), len(moved_large)) == (2, 6)
    assert len(queries_large) == len(queries_small), [q["sql"][:80] for q in queries_large]
    written = _statements(queries_large)
    assert written == _statements(queries_small)
    refunded = sweep.rule == "R-RET-2"
    assert written["INSERT INTO marketplace_notification"] == 1
    assert written["INSERT INTO marketplace_domainevent"] == (3 if refunded else 2)  # per event type
    assert written["INSERT INTO django_fsm_log_statelog"] == 2  # the disputes', the orders'
    # The refunds' entries (R-RET-2: the whole amount back, nothing left to release), or the releases.
    assert written["INSERT INTO marketplace_ledgerentry"] == 1
    assert written["INSERT INTO marketplace_refund"] == (1 if refunded else 0)
    assert written["UPDATE arbitration_dispute"] == (2 if refunded else 1)  # closed; refunds linked
    assert written["UPDATE marketplace_order"] == 1
    assert written["UPDATE marketplace_escrowhold"] == 1
    assert all(count <= 3 for count in written.values()), written


# --- The same effects as one at a time --------------------------------------------------------

IDS = {"id", "url", "number", "order_number", "external_id", "dispute_id", "order_id"}
CLOSING_EVENTS = ("dispute.closed", "order.escrow_released", "refund.created")
CLOSING_NOTICES = ("dispute_closed", "return_overdue")


def _without_ids(value: Any) -> Any:
    """``value`` with the ids and links that differ from one dispute to the next left out."""
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in sorted(value.items()) if key not in IDS}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _audit(model: type, pk: int) -> list[tuple]:
    return sorted(
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=pk
        ).values_list("timestamp", "transition", "source_state", "state", "by_id", "description")
    )


def _effects(dispute: Dispute) -> dict[str, Any]:
    """Everything closing ``dispute`` left behind, ids left out where they differ by dispute."""
    dispute = fresh(dispute)
    order_id = dispute.order_id
    escrow = EscrowHold.objects.get(order_id=order_id)
    refund = Refund.objects.filter(order_id=order_id).first()
    return {
        "dispute": (dispute.state, dispute.outcome, dispute.closed_at, dispute.deadline_at),
        "refund linked": dispute.refund_id == (refund.pk if refund else None),
        "order": Order.objects.filter(pk=order_id).values_list("state", "completed_at").get(),
        "escrow": (escrow.held, escrow.released, escrow.refunded, escrow.settled_at),
        "resolution key": escrow.resolution_key == f"dispute:{dispute.pk}:return",
        "ledger": sorted(
            LedgerEntry.objects.filter(order_id=order_id).values_list(
                "kind", "source", "amount", "currency", "party_id", "actor_id", "reason", "created_at"
            )
        ),
        "refunds": sorted(
            Refund.objects.filter(order_id=order_id).values_list(
                "amount", "source", "state", "destination", "reason", "created_by", "due_at"
            )
        ),
        "notices": sorted(
            (event, recipient, repr(_without_ids(context)))
            for event, recipient, context in Notification.objects.filter(
                context__dispute_id=dispute.pk, event__in=CLOSING_NOTICES
            ).values_list("event", "recipient_id", "context")
        ),
        "events": sorted(
            (kind, repr(_without_ids(data)))
            for kind, data in DomainEvent.objects.filter(
                order_id=order_id, type__in=CLOSING_EVENTS
            ).values_list("type", "data")
        ),
        "audit": (_audit(Dispute, dispute.pk), _audit(Order, order_id)),
    }


@pytest.mark.parametrize("sweep", SWEEPS)
def test_R_JOB_2_a_batch_closes_each_dispute_exactly_as_one_at_a_time_does(people, sweep):
    """R-RET-1 / R-RET-2, R-JOB-2: the same ledger rows (money exact, each refund and release
    once), refunds, escrow, notices, events and audit rows, by the batch and by the service a
    person's (or the fall-back's) single dispute goes through."""
    batched = [sweep.make(people) for _ in range(3)]
    single = [sweep.make(people) for _ in range(3)]

    with at(single[-1].deadline_at + SECOND):
        ids, _queries = _batch(people, sweep, batched)
        moved = [sweep.one(dispute=dispute, actor=people.scheduler) for dispute in single]

    assert sorted(ids) == sorted(d.pk for d in batched) and moved == [True] * 3
    for by_batch, one_at_a_time in zip(batched, single, strict=True):
        assert _effects(by_batch) == _effects(one_at_a_time)
    effects = _effects(batched[0])
    assert effects["audit"][0][-1][1:5] == (sweep.transition, sweep.source, "closed", people.scheduler.pk)
    assert effects["audit"][1][-1][1:5] == ("complete", "disputed", "completed", people.scheduler.pk)
    kinds = Counter(row[0] for row in effects["ledger"])
    assert kinds == ({"hold": 1, "refund": 1} if sweep.rule == "R-RET-2" else {"hold": 1, "release": 1})
    assert {kind for kind, _data in effects["events"]} == (
        set(CLOSING_EVENTS) if sweep.rule == "R-RET-2" else set(CLOSING_EVENTS) - {"refund.created"}
    )
    # R-RET-1's parties read "return overdue, closed" (no second "dispute closed" notice).
    assert {event for event, *_ in effects["notices"]} == (
        {"dispute_closed"} if sweep.rule == "R-RET-2" else {"return_overdue"}
    )


# --- R-REF-4: overdue refunds ------------------------------------------------------------------

REFUND_NOTICES = ("refund_overdue",)
REFUND_EVENTS = ("refund.overdue", "complaint.opened")


def _overdue_refund(people, *, buyer_complained: bool = False) -> Refund:
    """A refund agreed by the seller and never paid (its send task lost); the buyer may have
    complained about it already."""
    dispute = fresh(closed_by_seller(people))
    if buyer_complained:
        with at(dispute.closed_at + DAY):
            services.complaint_file(
                dispute=dispute, actor=people.buyer, kind="refund_not_received", description="Not on my card."
            )
    return dispute.refund


def _refund_effects(refund: Refund) -> dict[str, Any]:
    refund = fresh(refund)
    complaints = Complaint.objects.filter(dispute__order_id=refund.order_id)
    return {
        "refund": (refund.state, refund.overdue_flagged_at),
        "notices": sorted(
            (event, recipient, repr(_without_ids(context)))
            for event, recipient, context in Notification.objects.filter(
                context__order_id=refund.order_id, event__in=REFUND_NOTICES
            ).values_list("event", "recipient_id", "context")
        ),
        "events": sorted(
            (kind, repr(_without_ids(data)))
            for kind, data in DomainEvent.objects.filter(
                order_id=refund.order_id, type__in=REFUND_EVENTS
            ).values_list("type", "data")
        ),
        "complaints": sorted(
            complaints.values_list("kind", "state", "description", "filed_by", "opened_at", "deadline_at")
        ),
        "about this refund": [c.refund_id == refund.pk for c in complaints],
        "audit": [_audit(Complaint, complaint.pk) for complaint in complaints.order_by("pk")],
    }


def _refund_batch(people, refunds: list[Refund]) -> tuple[list[int], list[dict]]:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        ids = services.refunds_overdue_open_complaints(
            rows=Refund.objects.filter(pk__in=[r.pk for r in refunds]),
            limit=len(refunds),
            actor=people.scheduler,
        )
    return ids, list(queries)


def test_R_REF_4_R_JOB_2_an_overdue_refund_batch_writes_one_statement_per_table_whatever_its_size(people):
    """R-REF-4, R-JOB-2: 2 refunds and 6 cost the same queries; flags, complaints, notices, audit
    rows and each event type written by one statement each."""
    small = [_overdue_refund(people) for _ in range(2)]
    large = [_overdue_refund(people) for _ in range(6)]
    ContentType.objects.get_for_model(Complaint)  # cached for the process, as in a worker

    with at(large[-1].due_at + SECOND):
        moved_small, queries_small = _refund_batch(people, small)
        moved_large, queries_large = _refund_batch(people, large)

    assert (len(moved_small), len(moved_large)) == (2, 6)
    assert len(queries_large) == len(queries_small), [q["sql"][:80] for q in queries_large]
    written = _statements(queries_large)
    assert written == _statements(queries_small)
    assert written == {
        "UPDATE marketplace_refund": 1,
        "INSERT INTO marketplace_notification": 1,
        "INSERT INTO marketplace_domainevent": 2,  # refund.overdue, complaint.opened
        "INSERT INTO arbitration_complaint": 1,
        "INSERT INTO django_fsm_log_statelog": 1,
    }
    assert Complaint.objects.filter(kind=Complaint.Kind.REFUND_OVERDUE).count() == 8


def test_R_REF_4_R_JOB_2_a_batch_flags_refunds_and_opens_complaints_exactly_as_one_at_a_time_does(people):
    """R-REF-4, R-JOB-2: the same flag, notices, complaints (none where the buyer's own is open),
    events and audit rows by the sweep's batch and by the single-refund service."""
    batched = [_overdue_refund(people) for _ in range(2)] + [_overdue_refund(people, buyer_complained=True)]
    single = [_overdue_refund(people) for _ in range(2)] + [_overdue_refund(people, buyer_complained=True)]

    with at(single[-1].due_at + SECOND):
        ids, _queries = _refund_batch(people, batched)
        moved = [services.refund_overdue_open_complaint(refund=r, actor=people.scheduler) for r in single]

    assert sorted(ids) == sorted(r.pk for r in batched) and moved == [True] * 3
    for by_batch, one_at_a_time in zip(batched, single, strict=True):
        assert _refund_effects(by_batch) == _refund_effects(one_at_a_time)
    opened = _refund_effects(batched[0])
    assert [kind for kind, *_ in opened["complaints"]] == ["refund_overdue"]
    assert opened["about this refund"] == [True]
    assert [row[1:5] for row in opened["audit"][0]] == [("file", None, "open", people.scheduler.pk)]
    assert {kind for kind, _ in opened["events"]} == set(REFUND_EVENTS)
    already = _refund_effects(batched[2])
    assert [kind for kind, *_ in already["complaints"]] == ["refund_not_received"]  # the buyer's own
    assert {kind for kind, _ in already["events"]} == {"refund.overdue", "complaint.opened"}
    assert fresh(batched[2]).overdue_flagged_at is not None


# --- R-REF-4: a buyer complaining while the sweep runs (PostgreSQL, real threads) ---------------


def _complain(people, dispute: Dispute) -> Complaint:
    return services.complaint_file(
        dispute=dispute, actor=people.buyer, kind="refund_not_received", description="Not on my card."
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R_REF_4_R_JOB_2_a_buyer_complaining_first_makes_the_sweep_wait_and_flag_in_the_same_run(people):
    """The buyer holds the dispute (filing a complaint): the batch skips it (SKIP LOCKED), then the
    run's single-refund pass waits for the buyer and flags the refund: flagged once, one complaint,
    the buyer's, and no second one opened by the scheduler."""
    with tasks_lost_on_commit():
        dispute = fresh(closed_by_seller(people))
    refund = dispute.refund
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def buyer():
        try:
            with transaction.atomic():
                _complain(people, dispute)
                holding.set()
                release.wait(30)  # the complaint made, the dispute's lock held, not yet committed
        finally:
            connection.close()

    def sweep():
        try:
            outcome["run"] = run_job("flag_overdue_refunds")
        finally:
            connection.close()

    with at(refund.due_at + SECOND):
        person = threading.Thread(target=buyer)
        person.start()
        assert holding.wait(30)
        worker = threading.Thread(target=sweep)
        worker.start()
        worker.join(2)
        assert worker.is_alive()  # waiting for the buyer's dispute, not gone without flagging it
        release.set()
        person.join(60)
        worker.join(60)

    assert (outcome["run"].moved, outcome["run"].failed) == (1, 0)
    assert fresh(refund).overdue_flagged_at == refund.due_at + SECOND
    assert list(Complaint.objects.filter(dispute=dispute).values_list("kind", flat=True)) == [
        "refund_not_received"
    ]
    assert Notification.objects.filter(event="refund_overdue", context__order_id=refund.order_id).count() >= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R_REF_4_R_JOB_2_a_buyer_complaining_while_the_batch_holds_the_dispute_finds_its_complaint(
    people, monkeypatch
):
    """The batch locks the dispute first: the buyer's complaint waits for it, then is refused
    plainly — one complaint, the scheduler's, about the overdue refund; the refund flagged once."""
    with tasks_lost_on_commit():
        dispute = fresh(closed_by_seller(people))
    refund = dispute.refund
    holding, release = threading.Event(), threading.Event()
    real = services.refunds_overdue_open_complaints
    outcome: dict[str, Any] = {}

    def holding_batch(*, rows, limit, actor):
        moved = real(rows=rows, limit=limit, actor=actor)
        if moved:
            holding.set()
            release.wait(30)
        return moved

    def buyer():
        try:
            outcome["complaint"] = _complain(people, dispute)
        except DomainError as error:
            outcome["refusal"] = error.message_text
        finally:
            connection.close()

    with at(refund.due_at + SECOND):
        monkeypatch.setattr(services, "refunds_overdue_open_complaints", holding_batch)
        worker = threading.Thread(
            target=lambda: (outcome.update(run=run_job("flag_overdue_refunds")), connection.close())
        )
        worker.start()
        assert holding.wait(30)
        person = threading.Thread(target=buyer)
        person.start()
        person.join(1)
        assert person.is_alive()  # waiting for the batch's lock
        release.set()
        worker.join(60)
        person.join(60)

    assert outcome["refusal"] == "A complaint about this dispute is already with arbitration."
    assert (outcome["run"].moved, outcome["run"].failed) == (1, 0)
    assert list(Complaint.objects.filter(dispute=dispute).values_list("kind", flat=True)) == [
        "refund_overdue"
    ]
    assert fresh(refund).overdue_flagged_at == refund.due_at + SECOND


# --- R-JOB-2: a poisoned row in a return batch ------------------------------------------------


@pytest.mark.parametrize("sweep", SWEEPS)
def test_R_JOB_2_a_return_batch_with_a_poisoned_escrow_moves_the_others_and_retries_it_next_run(
    people, monkeypatch, sweep
):
    """R-RET-1 / R-RET-2, R-JOB-2: settling one order fails (its escrow refuses), so the batch
    rolls back whole and its disputes move one at a time: the others close, each settled once,
    the bad one is counted as failed and closes on the next run."""
    disputes = [sweep.make(people) for _ in range(3)]
    poisoned = disputes[1].order_id
    real = money.escrows_resolve

    def refusing_the_poisoned(settlements, *, actor):
        if any(item.order_id == poisoned for item in settlements):
            raise DomainError("the escrow refuses")
        return real(settlements, actor=actor)

    job = {"R-RET-1": "close_unshipped_returns", "R-RET-2": "refund_unconfirmed_returns"}[sweep.rule]
    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(money, "escrows_resolve", refusing_the_poisoned)
        failed = run_job(job)
        monkeypatch.undo()
        retried = run_job(job)

    assert (failed.moved, failed.failed) == (2, 1)
    assert (retried.moved, retried.failed) == (1, 0)
    assert [fresh(d).state for d in disputes] == [Dispute.State.CLOSED] * 3
    assert [_audit(Dispute, d.pk)[-1][1] for d in disputes] == [sweep.transition] * 3
    kind = LedgerEntry.Kind.REFUND if sweep.rule == "R-RET-2" else LedgerEntry.Kind.RELEASE
    assert [LedgerEntry.objects.filter(order_id=d.order_id, kind=kind).count() for d in disputes] == [1, 1, 1]


@pytest.mark.parametrize("sweep", SWEEPS)
def test_R_RET_1_R_RET_2_only_the_scheduler_closes_a_dispute_at_its_return_deadline(people, sweep):
    """The set-based close refuses any other actor, in both languages, and moves nothing."""
    dispute = sweep.make(people)

    with at(dispute.deadline_at + SECOND):
        with pytest.raises(DomainError) as refused:
            sweep.one(dispute=dispute, actor=people.seller)
        with translation.override("ru"), pytest.raises(DomainError) as refused_ru:
            sweep.one(dispute=dispute, actor=people.buyer)

    assert refused.value.message_text == "Only the scheduler closes a dispute when a return's time runs out."
    assert refused_ru.value.message_text == "Только планировщик закрывает спор, когда истекает срок возврата."
    assert fresh(dispute).state == sweep.source
    assert _audit(Dispute, dispute.pk)[-1][1] != sweep.transition
