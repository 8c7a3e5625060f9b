"""The return-deadline sweeps are set-based (R-JOB-2) and close exactly as one dispute at a time
does (R-RET-1, R-RET-2): one rule, written once, for the sweep's batch and for one dispute.

A batch writes one statement per table — the count of queries does not grow with the batch —
and leaves the same ledger rows, refunds, escrow totals, notices, events and audit rows as the
same disputes moved one at a time through the single-dispute services.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_fsm_log.models import StateLog

from arbitration import services
from arbitration.models import Dispute
from marketplace.models import DomainEvent, EscrowHold, LedgerEntry, Notification, Order, Refund
from tests.arbitration.conftest import SECOND, awaiting_return, return_in_transit
from tests.marketplace.factories import at
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
