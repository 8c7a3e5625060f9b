"""``marketplace.batches.bulk_insert``, ``insert_rows`` and ``bulk_set``: the sweeps' bulk writes of
audit, outbox and notification rows store exactly what ``bulk_create`` stores, and their per-row
updates what ``bulk_update`` writes (R-JOB-2)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_fsm_log.models import StateLog

from marketplace.batches import bulk_insert, bulk_set, insert_rows
from marketplace.models import DomainEvent, EscrowHold, LedgerEntry, Notification, Order
from tests.marketplace import factories

pytestmark = pytest.mark.django_db


def _stored(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def _without_pk(row: dict) -> dict:
    return {key: value for key, value in row.items() if key != "id"}


def test_R_JOB_2_bulk_insert_stores_what_bulk_create_stores(buyer, seller):
    """R-JOB-2: JSON with quotes, backslashes and non-ASCII text, Decimal money, datetimes to the
    microsecond, nulls and foreign keys come back from the database equal, in the objects' order,
    with their primary keys set."""
    order = factories.paid_order(buyer=buyer, seller=seller)
    context = {
        "item_title": 'Чайник "Вега" \\ 1,5 л',
        "amount": "1490.50",
        "nested": {"list": [1, None, True], "emoji": "🙂"},
    }

    def notices():
        return [
            Notification(recipient_id=buyer.pk, event="dispute_escalated", context={**context, "n": n})
            for n in range(3)
        ]

    created = bulk_insert(notices())
    expected = Notification.objects.bulk_create(notices())
    assert [n.pk for n in created] == sorted(n.pk for n in created)
    for ours, theirs in zip(created, expected, strict=True):
        assert ours.pk is not None and not ours._state.adding
        assert _without_pk(_stored(Notification, ours.pk)) | {"created_at": None} == _without_pk(
            _stored(Notification, theirs.pk)
        ) | {"created_at": None}
        assert _stored(Notification, ours.pk)["context"] == {**context, "n": created.index(ours)}

    moment = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    entry = bulk_insert(
        [
            LedgerEntry(
                order_id=order.pk,
                kind=LedgerEntry.Kind.RELEASE,
                source=LedgerEntry.Source.ESCROW,
                amount=Decimal("1490.55"),
                currency=order.currency,
                party_id=seller.pk,
                actor=seller,
                reason="Ровно 1 490,55",
                idempotency_key=f"order:{order.pk}:release",
                created_at=moment,
            )
        ]
    )[0]
    stored = _stored(LedgerEntry, entry.pk)
    assert stored["amount"] == Decimal("1490.55")
    assert stored["created_at"] == moment
    assert stored["refund_id"] is None
    assert stored["reason"] == "Ровно 1 490,55"


def test_R_JOB_2_bulk_insert_keeps_model_defaults_and_returns_ids_for_the_next_insert(buyer, seller):
    """R-JOB-2: the model's defaults (an event's id and creation time) are stored, and the ids come
    back for the rows that refer to them (an event's webhook deliveries)."""
    order = factories.paid_order(buyer=buyer, seller=seller)
    events = bulk_insert(
        [
            DomainEvent(type="order.paid", account=order.account, order_id=order.pk, data={"n": n})
            for n in range(2)
        ]
    )
    rows = list(
        DomainEvent.objects.filter(pk__in=[e.pk for e in events])
        .order_by("pk")
        .values("data", "uid", "created_at")
    )
    assert [row["data"] for row in rows] == [{"n": 0}, {"n": 1}]
    assert [row["uid"] for row in rows] == [e.uid for e in events]
    assert [row["created_at"] for row in rows] == [e.created_at for e in events]


def test_R_JOB_2_bulk_insert_of_nothing_writes_nothing():
    """R-JOB-2: an empty batch is no statement at all."""
    assert bulk_insert([]) == []
    assert bulk_insert(iter(())) == []


def test_R_SEC_2_bulk_insert_audit_rows_are_chained_like_any_other(buyer, seller):
    """R-SEC-2: state-log rows written in bulk go through the database's history triggers."""
    order = factories.paid_order(buyer=buyer, seller=seller)
    content_type = ContentType.objects.get_for_model(Order)
    logs = bulk_insert(
        [
            StateLog(
                timestamp=datetime(2026, 3, 1, tzinfo=UTC),
                source_state="paid",
                state="shipped",
                transition="ship",
                content_type=content_type,
                object_id=order.pk,
            )
        ]
    )
    assert StateLog.objects.filter(pk=logs[0].pk, object_id=order.pk, transition="ship").exists()


def test_R_JOB_2_insert_rows_stores_what_model_instances_store(buyer, seller):
    """R-JOB-2: rows given as dicts (no model instance built) are stored as ``bulk_create`` stores
    the same fields as instances: defaults filled in (a callable one called for each row, so each
    event has its own id), the given values kept, the ids returned in the rows' order."""
    order = factories.paid_order(buyer=buyer, seller=seller)
    data = [{"title": 'Чайник "Вега" \\ 1,5 л', "n": n, "amount": "1490.50"} for n in range(3)]
    ids = insert_rows(
        DomainEvent,
        ({"type": "order.paid", "account": order.account, "order_id": order.pk, "data": d} for d in data),
    )
    assert ids == sorted(ids) and len(ids) == 3
    theirs = DomainEvent.objects.bulk_create(
        [DomainEvent(type="order.paid", account=order.account, order_id=order.pk, data=d) for d in data]
    )
    stored = [_stored(DomainEvent, pk) for pk in ids]
    assert [row["data"] for row in stored] == data
    assert len({row["uid"] for row in stored}) == 3  # the callable default, once per row
    for ours, their in zip(stored, theirs, strict=True):
        expected = _without_pk(_stored(DomainEvent, their.pk))
        assert _without_pk(ours) | {"uid": None, "created_at": None} == expected | {
            "uid": None,
            "created_at": None,
        }

    [notice] = insert_rows(Notification, [{"recipient_id": buyer.pk, "event": "dispute_escalated"}])
    stored_notice = _stored(Notification, notice)
    assert stored_notice["context"] == {} and stored_notice["attempts"] == 0
    assert stored_notice["last_error"] == "" and stored_notice["sent_at"] is None
    assert stored_notice["dedupe_key"] is None and stored_notice["created_at"] is not None


def test_R_JOB_2_insert_rows_refuses_a_field_the_model_does_not_have(buyer):
    """R-JOB-2: a misspelt field is an error, not a silently dropped value."""
    with pytest.raises(TypeError, match="recipient"):
        insert_rows(Notification, [{"recipient": buyer.pk, "event": "dispute_escalated"}])
    assert insert_rows(Notification, []) == []


def test_R_JOB_2_bulk_set_writes_what_bulk_update_writes_in_one_statement(buyer, seller):
    """R-JOB-2: Decimal money to the cent, datetimes to the microsecond, nulls and text set per row
    by one UPDATE, each row its own values, the other columns and rows untouched."""
    orders = [factories.paid_order(buyer=buyer, seller=seller) for _ in range(4)]
    escrows = list(EscrowHold.objects.filter(order__in=orders).order_by("pk"))
    untouched = escrows.pop()
    before = _stored(EscrowHold, untouched.pk)
    moment = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    for n, escrow in enumerate(escrows):
        escrow.released = Decimal("33.33") + n
        escrow.refunded = escrow.held - escrow.released
        escrow.settled_at = moment if n else None
        escrow.resolution_key = f'dispute:{n}:"resolution" Ж'

    with CaptureQueriesContext(connection) as queries:
        bulk_set(escrows, ["released", "refunded", "settled_at", "resolution_key"])

    assert len(queries) == 1
    for n, escrow in enumerate(escrows):
        stored = _stored(EscrowHold, escrow.pk)
        assert (stored["released"], stored["refunded"]) == (
            Decimal("33.33") + n,
            escrow.held - escrow.released,
        )
        assert stored["settled_at"] == (moment if n else None)
        assert stored["resolution_key"] == f'dispute:{n}:"resolution" Ж'
        assert stored["held"] == escrow.held and stored["order_id"] == escrow.order_id
    assert _stored(EscrowHold, untouched.pk) == before
