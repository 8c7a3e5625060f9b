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

from marketplace.batches import claim, insert_rows
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
from marketplace.services.refunds import _refund_create
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


def _release(order: Order, escrow: EscrowHold, *, amount: Decimal, actor: User, reason: str) -> None:
    if amount <= 0:
        return
    LedgerEntry(
        **_release_entry(
            order.pk, order.seller_id, amount=amount, currency=order.currency, actor=actor, reason=reason
        )
    ).save()
    escrow.released += amount


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
        if not Decimal("0") <= refund_amount <= escrow.balance:
            raise DomainError(
                _("The refund must be between 0 and %(balance)s %(currency)s, the amount held.")
                % {"balance": escrow.balance, "currency": order.currency}
            )
        refund = None
        if refund_amount > 0:
            refund = _refund_create(
                order,
                escrow,
                amount=refund_amount,
                source=LedgerEntry.Source.ESCROW,
                actor=actor,
                reason=reason,
                idempotency_key=idempotency_key,
            )
        released = escrow.balance
        _release(order, escrow, amount=released, actor=actor, reason=reason)
        escrow.settled_at = timezone.now()
        escrow.resolution_key = idempotency_key
        escrow.save(update_fields=["released", "refunded", "settled_at", "resolution_key"])
        order.completed_at = escrow.settled_at
        order.complete(by=actor, description=reason[:200])
        order.save()
        emit(
            "order.escrow_released",
            order=order,
            data=order_payload(
                order, released_amount=amount(released), refunded_amount=amount(refund_amount)
            ),
        )
    return Resolution(refund, released)


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
