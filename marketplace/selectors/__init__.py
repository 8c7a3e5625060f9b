"""Read-only queries of the money core: the money trail, the order's history, what is due
(reconciliation: ``marketplace.selectors.reconciliation``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, ForeignKey, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django_fsm_log.models import StateLog

from marketplace.models import (
    EscrowHold,
    ExtensionRequest,
    IdempotencyRecord,
    LedgerEntry,
    Notification,
    Order,
    Refund,
    TrackingEvent,
    User,
)

ZERO = Decimal("0.00")


def party_orders(user: User) -> QuerySet[Order]:
    """The orders a person is the buyer or the seller of: all they may see (R-SEC-1)."""
    return Order.objects.filter(Q(buyer=user) | Q(seller=user))


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    kind: str  # charge, hold, refund, release, penalty
    label: str
    amount: Decimal
    currency: str
    refund: Refund | None = None


@dataclass
class MoneyTrail:
    """Every cent of an order (R-ESC-5), read from the ledger.

    ``paid = refunded + kept by the seller + still in escrow``: refunds paid from the
    seller's balance come out of money already released, so the seller keeps
    ``released - refunded_by_seller``. ``in_escrow`` is read from the escrow row, so
    ``balanced`` is a real cross-check of two records, not a tautology.
    """

    order: Order
    lines: list[TrailLine] = field(default_factory=list)
    paid: Decimal = ZERO
    refunded_from_escrow: Decimal = ZERO
    refunded_by_seller: Decimal = ZERO
    released: Decimal = ZERO
    in_escrow: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def refunded(self) -> Decimal:
        return self.refunded_from_escrow + self.refunded_by_seller

    @property
    def refunds_unpaid(self) -> Decimal:
        """Refunds recorded (money out of escrow or the seller's balance) but not paid to the buyer yet."""
        return sum(
            (
                line.amount
                for line in self.lines
                if line.kind == "refund" and line.refund is not None and line.refund.state != "completed"
            ),
            ZERO,
        )

    @property
    def kept_by_seller(self) -> Decimal:
        return self.released - self.refunded_by_seller

    @property
    def balanced(self) -> bool:
        return self.paid == self.refunded + self.kept_by_seller + self.in_escrow


def order_money_trail(
    order: Order, *, include_penalties: bool = False, escrow: EscrowHold | None = None
) -> MoneyTrail:
    """The order's money, line by line. ``escrow``: the order's hold when the caller read it in this
    request already (the case page joins it to the dispute)."""
    trail = MoneyTrail(order=order)
    trail.lines.append(
        TrailLine(order.paid_at, "charge", f"Paid by {order.payment_method}", order.amount, order.currency)
    )
    for entry in order.ledger_entries.select_related("refund").order_by("created_at", "id"):
        if entry.kind == LedgerEntry.Kind.PENALTY:
            trail.penalties += entry.amount
            if not include_penalties:
                continue
        trail.lines.append(
            TrailLine(entry.created_at, entry.kind, entry.reason, entry.amount, entry.currency, entry.refund)
        )
        if entry.kind == LedgerEntry.Kind.HOLD:
            trail.paid += entry.amount
        elif entry.kind == LedgerEntry.Kind.RELEASE:
            trail.released += entry.amount
        elif entry.kind == LedgerEntry.Kind.REFUND and entry.source == LedgerEntry.Source.ESCROW:
            trail.refunded_from_escrow += entry.amount
        elif entry.kind == LedgerEntry.Kind.REFUND:
            trail.refunded_by_seller += entry.amount
    trail.in_escrow = (escrow or EscrowHold.objects.get(order_id=order.pk)).balance
    return trail


# --- An order's history in one query (issue 15: the case page) -------------------------------


@dataclass(frozen=True)
class OrderHistory:
    """What a case's timeline reads besides the order itself, read together (``order_history``):
    three typed lists of model rows, each whole and in its model's order."""

    transitions: list[StateLog]  # of the objects asked for, oldest first
    tracking: list[TrackingEvent]  # the shipment's carrier events, oldest first
    extension_requests: list[ExtensionRequest]  # the order's, newest first


# The tables of ``order_history``: each row's ``kind``, its model and the union's column for the
# model's fields where the three share one meaning (when, who acted, the state or status); every
# other field is a column of its own name, NULL in the other tables' rows.
_HISTORY_TABLES: dict[str, tuple[type[Model], dict[str, str]]] = {
    "transition": (StateLog, {"timestamp": "at", "by_id": "person_id"}),
    "carrier": (TrackingEvent, {"occurred_at": "at", "recorded_by_id": "person_id", "status": "state"}),
    "extension": (ExtensionRequest, {"created_at": "at", "requested_by_id": "person_id", "status": "state"}),
}
# What the timeline shows of the people who acted (``presentation.person_name``); their other
# fields are left deferred.
_PERSON_FIELDS = ("id", "username", "first_name", "last_name", "is_system")


def _history_columns() -> dict[str, str]:
    """The union's columns after ``kind``, each with the type of the first field read into it (a
    NULL in another table's row is cast to it, so every branch has the same types)."""
    columns: dict[str, str] = {}
    for model, shared in _HISTORY_TABLES.values():
        for model_field in model._meta.concrete_fields:
            columns.setdefault(
                shared.get(model_field.attname, model_field.attname),
                str(model_field.cast_db_type(connection)),
            )
    return columns


def order_history(order: Order, objects: Iterable[Model | None] = ()) -> OrderHistory:
    """The recorded transitions of ``objects``, the carrier events of ``order``'s shipment and
    ``order``'s extension requests, with the people who acted, in ONE query: a UNION ALL of the
    three tables over explicit typed columns (each model's own; ``kind`` names a row's table), each
    row made back into its model's instance. The case page reads its timeline and its tracking
    from it instead of three queries (R-ARB-3's page, issue 15). On a database other than
    PostgreSQL (SQLite, the demo) the three lists are read apart."""
    saved = [obj for obj in objects if obj is not None and obj.pk is not None]
    types = ContentType.objects.get_for_models(*{type(obj) for obj in saved}) if saved else {}
    shipment = getattr(order, "shipment", None)  # none until shipped
    transitions = Q(pk__in=[])
    for obj in saved:
        transitions |= Q(content_type=types[type(obj)], object_id=obj.pk)
    if connection.vendor != "postgresql":
        return OrderHistory(
            transitions=list(
                StateLog.objects.filter(transitions).select_related("by").order_by("timestamp", "id")
            ),
            tracking=list(shipment.events.select_related("recorded_by")) if shipment else [],
            extension_requests=list(order.extension_requests.select_related("requested_by", "answered_by")),
        )
    quote = connection.ops.quote_name
    columns = _history_columns()
    conditions: dict[str, tuple[str, list[Any]]] = {"extension": (f"{quote('order_id')} = %s", [order.pk])}
    if shipment is not None:
        conditions["carrier"] = (f"{quote('shipment_id')} = %s", [shipment.pk])
    if saved:
        conditions["transition"] = (
            " OR ".join(f"({quote('content_type_id')} = %s AND {quote('object_id')} = %s)" for _ in saved),
            [value for obj in saved for value in (types[type(obj)].pk, obj.pk)],
        )
    branches, params = [], []
    for kind, (where, arguments) in conditions.items():
        model, shared = _HISTORY_TABLES[kind]
        own = {shared.get(f.attname, f.attname): quote(str(f.column)) for f in model._meta.concrete_fields}
        selected = ", ".join(
            f"{own.get(name, f'CAST(NULL AS {db_type})')} AS {quote(name)}"
            for name, db_type in columns.items()
        )
        branches.append(
            f"SELECT '{kind}' AS {quote('kind')}, {selected} FROM {quote(model._meta.db_table)} WHERE {where}"
        )
        params += arguments
    people = quote(User._meta.db_table)
    column_of = {f.attname: str(f.column) for f in User._meta.concrete_fields}
    person_columns = [f"{alias}.{quote(column_of[name])}" for alias in ("p", "a") for name in _PERSON_FIELDS]
    sql = (
        f"SELECT h.*, {', '.join(person_columns)} FROM ({' UNION ALL '.join(branches)}) h"
        f" LEFT JOIN {people} p ON p.{quote('id')} = h.{quote('person_id')}"
        f" LEFT JOIN {people} a ON a.{quote('id')} = h.{quote('answered_by_id')}"
        f" ORDER BY h.{quote('kind')}, h.{quote('at')}, h.{quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[str, list[Any]] = {kind: [] for kind in _HISTORY_TABLES}
    names, width = ["kind", *columns], len(_PERSON_FIELDS)
    for row in rows:
        values = dict(zip(names, row[: len(names)], strict=True))
        people_read = {
            "person_id": row[len(names) : len(names) + width],
            "answered_by_id": row[len(names) + width :],
        }
        model, shared = _HISTORY_TABLES[values["kind"]]
        fields = [f.attname for f in model._meta.concrete_fields]
        instance = model.from_db(
            connection.alias, fields, [values[shared.get(name, name)] for name in fields]
        )
        for attname in fields:  # the people who acted, as ``select_related`` leaves them
            person = people_read.get(shared.get(attname, attname))
            if person is not None and person[0] is not None:
                foreign_key = model._meta.get_field(attname)
                assert isinstance(foreign_key, ForeignKey)
                foreign_key.set_cached_value(instance, User.from_db(connection.alias, _PERSON_FIELDS, person))
        found[values["kind"]].append(instance)
    shipment_field = TrackingEvent._meta.get_field("shipment")
    assert isinstance(shipment_field, ForeignKey)
    for event in found["carrier"]:
        shipment_field.set_cached_value(event, shipment)
    return OrderHistory(
        transitions=found["transition"],
        tracking=found["carrier"],
        extension_requests=sorted(found["extension"], key=lambda r: r.created_at, reverse=True),
    )


# --- What the scheduler sweeps (R-JOB-1) ----------------------------------------------------


def _pending_extension() -> Exists:
    return Exists(
        ExtensionRequest.objects.filter(order_id=OuterRef("pk"), status=ExtensionRequest.Status.PENDING)
    )


def orders_due_for_release(now: datetime | None = None) -> QuerySet[Order]:
    """Orders whose dispute deadline passed without a dispute (R-PRT-3, R-ESC-4).

    An unanswered extension request at the deadline is granted first (R-PRT-4), unless the
    order already had its one automatic extension.
    """
    now = now or timezone.now()
    return Order.objects.filter(
        state__in=[*Order.PROTECTED_STATES, Order.State.CONFIRMED], dispute_deadline__lte=now
    ).exclude(_pending_extension() & Q(auto_extended_at__isnull=True))


def orders_due_for_auto_extension(now: datetime | None = None) -> QuerySet[Order]:
    now = now or timezone.now()
    return Order.objects.filter(
        _pending_extension(), state__in=Order.PROTECTED_STATES, protection_deadline__lte=now
    )


def orders_due_for_protection_reminder(now: datetime | None = None, *, days: int) -> QuerySet[Order]:
    now = now or timezone.now()
    return Order.objects.filter(
        state__in=Order.PROTECTED_STATES,
        protection_reminder_sent_at__isnull=True,
        protection_deadline__gt=now,
        protection_deadline__lte=now + timedelta(days=days),
    )


def refunds_overdue(now: datetime | None = None) -> QuerySet[Refund]:
    now = now or timezone.now()
    return Refund.objects.filter(due_at__lte=now, overdue_flagged_at__isnull=True).exclude(
        state=Refund.State.COMPLETED
    )


# --- The backstop sweeps' work left undone (R-REF-3, R-REF-2, R-NTF-1) --------------------------


def refunds_to_dispatch(now: datetime | None = None) -> QuerySet[Refund]:
    """Pending refunds whose on-commit send task should have run by now (it was lost)."""
    return Refund.objects.filter(
        state=Refund.State.PENDING, created_at__lte=(now or timezone.now()) - timedelta(minutes=2)
    )


def payouts_to_sync(now: datetime | None = None) -> QuerySet[Refund]:
    """Payouts sent through the gateway whose outcome is not recorded yet."""
    return Refund.objects.filter(state=Refund.State.SENT, via_gateway=True)


def notifications_unsent(now: datetime | None = None) -> QuerySet[Notification]:
    """Emails committed a while ago and not sent (their task was lost or failed), up to 10 tries."""
    return Notification.objects.filter(
        sent_at__isnull=True, created_at__lte=(now or timezone.now()) - timedelta(minutes=5), attempts__lt=10
    )


def idempotency_keys_expired(now: datetime | None = None) -> QuerySet[IdempotencyRecord]:
    """Idempotency-Key answers older than ``IDEMPOTENCY_KEY_HOURS`` (R-API-3): no retry needs them."""
    kept = timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lte=(now or timezone.now()) - kept)
