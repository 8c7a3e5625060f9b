"""Escrow: release after the dispute deadline, freezing for a dispute, settling it, penalties
(R-ESC-4, R-PRT-3, R-REF-1, R-ARB-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.batches import bulk_set, claim, insert_rows
from marketplace.errors import DomainError
from marketplace.events import amount, emit, emit_many, order_payload, penalty_payload, people_refs
from marketplace.fsm import record_transitions
from marketplace.models import (
    EscrowHold,
    LedgerEntry,
    Order,
    Refund,
    User,
)
from marketplace.notifications import notify_batch
from marketplace.selectors import orders_due_for_release
from marketplace.services.base import Amount, _ledger, _lock_escrow, _lock_order, to_money
from marketplace.services.protection import (
    _explain_not_protected,
    _lapse_pending_extensions,
    _lapse_unanswered,
)
from marketplace.services.refunds import RefundOwed, _refunds_create
from marketplace.text import without_bidi_controls

RELEASE_REASON = "Dispute deadline passed without a dispute"


def _release_entry(
    order_id: int,
    seller_id: int,
    *,
    amount: Decimal,
    currency: str,
    actor: User,
    reason: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The ledger entry (its fields) that pays a seller out of escrow: once per order (the
    idempotency key and the ``ledger_one_release_per_order`` constraint), whoever releases it."""
    return {
        "order_id": order_id,
        "kind": LedgerEntry.Kind.RELEASE,
        "source": LedgerEntry.Source.ESCROW,
        "amount": amount,
        "currency": currency,
        "party_id": seller_id,
        "actor_id": actor.pk,
        "reason": reason[:500],
        "idempotency_key": f"order:{order_id}:release",
        "created_at": at or timezone.now(),
    }


def _release(
    settling: list[tuple[Order, EscrowHold, str]], *, actor: User, at: datetime
) -> dict[int, Decimal]:
    """What each escrow still holds goes to its order's seller, with ``reason``: one ledger entry
    per order (``_release_entry``), one insert for the batch; the escrows (locked by the caller)
    count it in memory. The amounts released, by order id."""
    released: dict[int, Decimal] = {}
    for order, escrow, _reason in settling:
        released[order.pk] = escrow.balance
        escrow.released += released[order.pk]
    insert_rows(
        LedgerEntry,
        (
            _release_entry(
                order.pk,
                order.seller_id,
                amount=released[order.pk],
                currency=order.currency,
                actor=actor,
                reason=reason,
                at=at,
            )
            for order, _escrow, reason in settling
            if released[order.pk] > 0
        ),
    )
    return released


def orders_release(*, rows: QuerySet[Order], limit: int, actor: User) -> list[int]:
    """Pay the sellers of orders whose dispute deadline passed with no dispute, confirming receipt
    first where the buyer never did (R-PRT-3, R-ESC-4): the one definition, set-based.

    ``rows`` narrows ``orders_due_for_release`` (the one definition of "due": an unanswered extension
    request is the extension job's to grant first, R-PRT-4). Up to ``limit`` orders are claimed and
    completed with one statement per source state; then, with one statement each, their pending
    extension requests lapse, their escrow is released, the release ledger entries written and the
    transitions audited. An order confirmed automatically keeps its dispute deadline: it already is
    the protection deadline, which has passed (``Order.dispute_deadline_for``). Returns the ids.
    """
    now = timezone.now()
    due = rows & orders_due_for_release(now)
    confirmed_now: list[int] = []
    moved: list[int] = []
    for source in (Order.State.SHIPPED, Order.State.DELIVERED, Order.State.CONFIRMED):
        if len(moved) >= limit:
            break
        changes = {"state": Order.State.COMPLETED, "completed_at": now}
        if source != Order.State.CONFIRMED:
            changes["confirmed_at"] = now
        ids = claim(due.filter(state=source), limit=limit - len(moved), changes=changes)
        if source != Order.State.CONFIRMED:
            record_transitions(
                Order,
                [(pk, source) for pk in ids],
                name="confirm_receipt",
                target=Order.State.CONFIRMED,
                by=actor,
                description="Confirmed automatically: buyer protection ended",
                at=now,
            )
            confirmed_now += ids
        moved += ids
    if not moved:
        return []
    orders = list(Order.objects.filter(pk__in=moved))
    confirmed = set(confirmed_now)
    _lapse_unanswered([order for order in orders if order.pk in confirmed], actor, now)
    # Everything still held goes to the seller: released + balance = held - refunded.
    EscrowHold.objects.filter(order_id__in=moved).update(released=F("held") - F("refunded"), settled_at=now)
    settled = {
        order_id: (released, refunded)
        for order_id, released, refunded in EscrowHold.objects.filter(order_id__in=moved).values_list(
            "order_id", "released", "refunded"
        )
    }
    by_id = {order.pk: order for order in orders}
    insert_rows(
        LedgerEntry,
        (
            _release_entry(
                order_id,
                by_id[order_id].seller_id,
                amount=released,
                currency=by_id[order_id].currency,
                actor=actor,
                reason=RELEASE_REASON,
                at=now,
            )
            for order_id, (released, _refunded) in settled.items()
            if released > 0
        ),
    )
    record_transitions(
        Order,
        [(pk, Order.State.CONFIRMED) for pk in moved],
        name="complete",
        target=Order.State.COMPLETED,
        by=actor,
        description="Escrow released to the seller",
        at=now,
    )
    _announce_released(orders, confirmed, settled)
    return moved


def _announce_released(
    orders: list[Order], confirmed: set[int], settled: dict[int, tuple[Decimal, Decimal]]
) -> None:
    """The batch's events and notices, in bulk (R-API-5, R-NTF-1): receipt confirmed automatically
    (the buyer is told, and what is still possible), escrow released (the seller is told how much)."""
    people = people_refs(*{pk for order in orders for pk in (order.buyer_id, order.seller_id)})
    # The order passed through "confirmed" on its way to "completed": that event says so.
    as_confirmed = {"state": Order.State.CONFIRMED, "completed_at": None}
    emit_many(
        "order.receipt_confirmed",
        [
            (order, order_payload(order, people=people, automatic=True, **as_confirmed))
            for order in orders
            if order.pk in confirmed
        ],
    )
    emit_many(
        "order.escrow_released",
        [
            (
                order,
                order_payload(
                    order,
                    people=people,
                    released_amount=amount(settled[order.pk][0]),
                    refunded_amount=amount(settled[order.pk][1]),
                ),
            )
            for order in orders
        ],
    )
    notices: list[tuple[str, Order, dict[str, object]]] = []
    for order in orders:
        money = {"released_amount": str(settled[order.pk][0])}
        automatic = order.pk in confirmed
        if automatic:
            # The dispute window (R-PRT-2) ended with protection; the email says so, and what is left.
            ended = order.dispute_deadline.isoformat() if order.dispute_deadline else None
            notices.append(("order_auto_confirmed", order, {**money, "dispute_deadline": ended}))
        if settled[order.pk][0] > 0:
            notices.append(("escrow_released", order, {**money, "automatic": automatic}))
    notify_batch(notices)


def order_release_if_due(*, order: Order, actor: User) -> bool:
    """One order through the release (a batch of one); whether it moved (R-PRT-3, R-ESC-4)."""
    with transaction.atomic():
        return bool(orders_release(rows=Order.objects.filter(pk=order.pk), limit=1, actor=actor))


def escrow_freeze(*, order: Order, actor: User) -> Order:
    """A dispute is opened: the escrow stays held until the dispute resolves it (R-ESC-4)."""
    with transaction.atomic():
        order = _lock_order(order.pk)
        if not order.dispute_window_open:
            if order.state in Order.DISPUTABLE_STATES:
                raise DomainError(_("The time to open a dispute for this order has ended."))
            raise DomainError(_explain_not_protected(order))
        _lapse_pending_extensions([order.pk], actor)
        order.freeze_for_dispute(by=actor)
        order.save()
        emit("order.escrow_frozen", order=order, data=order_payload(order))
    return order


@dataclass(frozen=True)
class Resolution:
    refund: Refund | None
    released: Decimal


@dataclass(frozen=True)
class Settlement:
    """How a disputed order is to be settled: ``refund_amount`` to the buyer, the rest released."""

    order_id: int
    refund_amount: Decimal
    reason: str
    idempotency_key: str


def escrow_resolve(
    *, order: Order, refund_amount: Amount, actor: User, reason: str, idempotency_key: str
) -> Resolution:
    """Settle a disputed order: refund ``refund_amount`` to the buyer, release the rest (R-REF-1).

    Atomic: the refund, its ledger entry, the release and the order's completion commit
    together or not at all. Replaying the same ``idempotency_key`` returns the first result.
    """
    refund_amount = to_money(refund_amount)
    with transaction.atomic():
        order = _lock_order(order.pk)
        if order.state != Order.State.DISPUTED:
            escrow = EscrowHold.objects.get(order_id=order.pk)
            if order.state == Order.State.COMPLETED and escrow.resolution_key == idempotency_key:
                # A replay of the resolution that settled it (a retried request or task).
                release = order.ledger_entries.filter(kind=LedgerEntry.Kind.RELEASE).first()
                return Resolution(
                    order.refunds.filter(idempotency_key=idempotency_key).first(),
                    release.amount if release else Decimal("0"),
                )
            raise DomainError(_("This order's payment has already been settled."))
        escrow = _lock_escrow(order.pk)
        settlement = Settlement(order.pk, refund_amount, reason, idempotency_key)
        return _settle([order], {order.pk: escrow}, [settlement], actor=actor)[order.pk]


def escrows_resolve(settlements: list[Settlement], *, actor: User) -> dict[int, Resolution]:
    """``escrow_resolve`` for a sweep's batch of disputed orders, by order id (R-REF-1, R-ESC-4).

    The orders, then their escrows, are locked in id order (the caller locked their disputes
    first: Dispute → Order → EscrowHold → Refund). An order no longer in dispute or a refund
    beyond what is held refuses the whole batch (the sweep then moves its rows one at a time).
    Runs in the caller's transaction.
    """
    if not settlements:
        return {}
    ids = [item.order_id for item in settlements]
    orders = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    escrows = {
        escrow.order_id: escrow
        for escrow in EscrowHold.objects.select_for_update().filter(order_id__in=ids).order_by("order_id")
    }
    for order in orders:
        if order.state != Order.State.DISPUTED:
            raise DomainError(_("This order's payment has already been settled."))
    return _settle(orders, escrows, settlements, actor=actor)


def _settle(
    orders: list[Order], escrows: dict[int, EscrowHold], settlements: list[Settlement], *, actor: User
) -> dict[int, Resolution]:
    """What settling disputed orders does, the one definition for one order and for a batch
    (R-REF-1, R-ESC-4): each refund with its ledger entry, the rest of the escrow released to the
    seller (once per order), the escrows settled, the orders completed and audited, the events;
    one statement per table. ``orders`` and ``escrows`` are locked by the caller."""
    by_order = {order.pk: order for order in orders}
    for item in settlements:
        escrow = escrows[item.order_id]
        if not Decimal("0") <= item.refund_amount <= escrow.balance:
            raise DomainError(
                _("The refund must be between 0 and %(balance)s %(currency)s, the amount held.")
                % {"balance": escrow.balance, "currency": by_order[item.order_id].currency}
            )
    refunds = {
        refund.order_id: refund
        for refund in _refunds_create(
            [
                RefundOwed(
                    by_order[item.order_id],
                    escrows[item.order_id],
                    item.refund_amount,
                    item.reason,
                    item.idempotency_key,
                )
                for item in settlements
                if item.refund_amount > 0
            ],
            source=LedgerEntry.Source.ESCROW,
            actor=actor,
        )
    }
    now = timezone.now()
    released = _release(
        [(by_order[item.order_id], escrows[item.order_id], item.reason) for item in settlements],
        actor=actor,
        at=now,
    )
    for item in settlements:
        escrows[item.order_id].settled_at = now
        escrows[item.order_id].resolution_key = item.idempotency_key
    bulk_set(
        [escrows[item.order_id] for item in settlements],
        ["released", "refunded", "settled_at", "resolution_key"],
    )
    ids = [item.order_id for item in settlements]
    Order.objects.filter(pk__in=ids).update(state=Order.State.COMPLETED, completed_at=now)
    for reason in dict.fromkeys(item.reason for item in settlements):  # a sweep's batch shares one
        record_transitions(
            Order,
            [(item.order_id, Order.State.DISPUTED) for item in settlements if item.reason == reason],
            name="complete",
            target=Order.State.COMPLETED,
            by=actor,
            description=reason[:200],
            at=now,
        )
    completed = Order.objects.in_bulk(ids)
    people = people_refs(*{pk for order in orders for pk in (order.buyer_id, order.seller_id)})
    emit_many(
        "order.escrow_released",
        [
            (
                completed[item.order_id],
                order_payload(
                    completed[item.order_id],
                    people=people,
                    released_amount=amount(released[item.order_id]),
                    refunded_amount=amount(item.refund_amount),
                ),
            )
            for item in settlements
        ],
    )
    return {
        item.order_id: Resolution(refunds.get(item.order_id), released[item.order_id]) for item in settlements
    }


def seller_penalize(
    *, order: Order, amount: Amount, reason: str, actor: User, idempotency_key: str
) -> LedgerEntry:
    """A penalty against the seller for this order (R-ARB-5): a ledger entry, once per key."""
    amount = to_money(amount)
    reason = without_bidi_controls(reason).strip()
    if amount <= 0:
        raise DomainError(_("A penalty must be more than zero."))
    if not reason:
        raise DomainError(_("Give the reason for the penalty; the seller will see it."))
    key = f"penalty:{idempotency_key}"
    with transaction.atomic():
        order = _lock_order(order.pk)
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        entry = _ledger(
            order,
            kind=LedgerEntry.Kind.PENALTY,
            source=LedgerEntry.Source.SELLER_BALANCE,
            amount=amount,
            party=order.seller_id,
            actor=actor,
            reason=reason,
            key=key,
        )
        emit("penalty.applied", order=order, data=penalty_payload(entry, order))
        return entry
