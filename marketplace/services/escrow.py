"""Escrow: release after the dispute deadline, freezing for a dispute, settling it, penalties
(R-ESC-4, R-PRT-3, R-REF-1, R-ARB-5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.events import amount, emit, order_payload, penalty_payload
from marketplace.models import (
    EscrowHold,
    ExtensionRequest,
    LedgerEntry,
    Order,
    Refund,
    User,
)
from marketplace.services.base import _ledger, _lock_escrow, _lock_order, to_money
from marketplace.services.protection import _explain_not_protected, _lapse_pending_extensions
from marketplace.services.refunds import _refund_create


def _release(order: Order, escrow: EscrowHold, *, amount: Decimal, actor: User, reason: str) -> None:
    if amount <= 0:
        return
    _ledger(
        order,
        kind=LedgerEntry.Kind.RELEASE,
        source=LedgerEntry.Source.ESCROW,
        amount=amount,
        party=order.seller_id,
        actor=actor,
        reason=reason,
        key=f"order:{order.pk}:release",
    )
    escrow.released += amount


def order_release_if_due(*, order: Order, actor: User) -> bool:
    """Past the dispute deadline with no dispute: confirm if needed and pay the seller.

    R-PRT-3 (auto-confirm when protection ends), R-ESC-4 (release only after the dispute
    deadline). An unanswered extension request at the deadline is the extension job's to
    grant first (R-PRT-4), so the order is left alone here until it has.
    """
    with transaction.atomic():
        order = _lock_order(order.pk)
        now = timezone.now()
        if order.state in Order.PROTECTED_STATES and order.protection_deadline <= now:
            pending = order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists()
            if pending and order.auto_extended_at is None:
                return False
            _lapse_pending_extensions(order, actor)
            order.confirmed_at = now
            order.dispute_deadline = order.dispute_deadline_for(confirmed_at=now)
            order.confirm_receipt(by=actor, description="Confirmed automatically: buyer protection ended")
            emit("order.receipt_confirmed", order=order, data=order_payload(order, automatic=True))
        elif not (order.state == Order.State.CONFIRMED and order.dispute_deadline <= now):
            return False
        escrow = _lock_escrow(order.pk)
        _release(
            order,
            escrow,
            amount=escrow.balance,
            actor=actor,
            reason="Dispute deadline passed without a dispute",
        )
        escrow.settled_at = now
        escrow.save(update_fields=["released", "settled_at"])
        order.completed_at = now
        order.complete(by=actor, description="Escrow released to the seller")
        order.save(update_fields=["state", "confirmed_at", "dispute_deadline", "completed_at"])
        emit(
            "order.escrow_released",
            order=order,
            data=order_payload(order, released_amount=amount(escrow.released), refunded_amount=amount(0)),
        )
    return True


def escrow_freeze(*, order: Order, actor: User) -> Order:
    """A dispute is opened: the escrow stays held until the dispute resolves it (R-ESC-4)."""
    with transaction.atomic():
        order = _lock_order(order.pk)
        if not order.dispute_window_open:
            if order.state in Order.DISPUTABLE_STATES:
                raise DomainError(_("The time to open a dispute for this order has ended."))
            raise DomainError(_explain_not_protected(order))
        _lapse_pending_extensions(order, actor)
        order.freeze_for_dispute(by=actor)
        order.save()
        emit("order.escrow_frozen", order=order, data=order_payload(order))
    return order


@dataclass(frozen=True)
class Resolution:
    refund: Refund | None
    released: Decimal


def escrow_resolve(
    *, order: Order, refund_amount, actor: User, reason: str, idempotency_key: str
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
                released = order.ledger_entries.filter(kind=LedgerEntry.Kind.RELEASE).first()
                return Resolution(
                    order.refunds.filter(idempotency_key=idempotency_key).first(),
                    released.amount if released else Decimal("0"),
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


def seller_penalize(*, order: Order, amount, reason: str, actor: User, idempotency_key: str) -> LedgerEntry:
    """A penalty against the seller for this order (R-ARB-5): a ledger entry, once per key."""
    amount = to_money(amount)
    reason = reason.strip()
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
