"""State changes of the money core. The only place an order, escrow or refund changes.

Every function: ``transaction.atomic()``, lock the order row (then its escrow), re-check the
state under the lock (someone may have got there first), change, write the ledger, audit the
transition (django-fsm-log, ``by=actor``), and queue side effects for after the commit.
Lock order is always Order → EscrowHold → Refund, so two services never deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.gateways import GatewayUnavailable, get_gateway
from marketplace.models import (
    CENT,
    MONEY,
    Currency,
    EscrowHold,
    ExtensionRequest,
    LedgerEntry,
    Order,
    Refund,
    Shipment,
    TrackingEvent,
    User,
)
from marketplace.notifications import notify

MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])


def to_money(value, *, field: str = "amount") -> Decimal:
    """Parse an amount exactly: a Decimal with at most two places, never a float."""
    if isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal or a string, never a float")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter an amount such as 12.50.")) from None
    if not amount.is_finite():
        raise DomainError(_("Amounts have at most two decimal places."))
    if abs(amount) >= MONEY_LIMIT:  # what the money columns hold (12 digits, 2 after the point)
        raise DomainError(_("That amount is too large: at most 9,999,999,999.99."))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError(_("Amounts have at most two decimal places."))
    return amount.quantize(CENT)


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _lock_escrow(order_id: int) -> EscrowHold:
    return EscrowHold.objects.select_for_update().get(order_id=order_id)


def _require_party(order: Order, actor: User, role: str) -> None:
    owner_id = order.buyer_id if role == "buyer" else order.seller_id
    if actor.pk != owner_id:
        raise DomainError(
            _("Only the order's buyer can do this.")
            if role == "buyer"
            else _("Only the order's seller can do this.")
        )


# --- Paying, shipping, tracking -------------------------------------------------------------


def order_pay(
    *,
    buyer: User,
    seller: User,
    item_title: str,
    amount,
    currency: str,
    payment_method: str,
    paid_at: datetime | None = None,
) -> Order:
    """The buyer pays: the whole amount goes into escrow (R-ESC-1)."""
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError(_("An order must cost more than zero."))
    if currency not in Currency.values:
        raise DomainError(_("Unsupported currency %(currency)s.") % {"currency": currency})
    if buyer.pk == seller.pk:
        raise DomainError(_("A seller can't buy from themselves."))
    with transaction.atomic():
        order = Order(
            buyer=buyer,
            seller=seller,
            item_title=item_title,
            amount=amount,
            currency=currency,
            payment_method=payment_method,
            paid_at=paid_at or timezone.now(),
        )
        order.full_clean(exclude=["state"])  # the FSM field is protected; transitions set it
        order.save()
        EscrowHold.objects.create(order=order, currency=currency, held=amount, created_at=order.paid_at)
        LedgerEntry.objects.create(
            order=order,
            kind=LedgerEntry.Kind.HOLD,
            source=LedgerEntry.Source.BUYER_PAYMENT,
            amount=amount,
            currency=currency,
            party=buyer,
            actor=buyer,
            reason=f"Payment by {payment_method} held in escrow",
            idempotency_key=f"order:{order.pk}:hold",
            created_at=order.paid_at,
        )
    return order


def order_ship(*, order: Order, actor: User, carrier: str, tracking_number: str) -> Order:
    """The seller ships; buyer protection starts (R-PRT-1)."""
    _require_party(order, actor, "seller")
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise DomainError(_("Enter the carrier and the tracking number."))
    with transaction.atomic():
        order = _lock_order(order.pk)
        if order.state != Order.State.PAID:
            raise DomainError(_("This order has already been shipped."))
        now = timezone.now()
        Shipment.objects.create(order=order, carrier=carrier, tracking_number=tracking_number, shipped_at=now)
        order.shipped_at = now
        order.protection_deadline = now + timedelta(days=settings.BUYER_PROTECTION_DAYS)
        order.dispute_deadline = order.protection_deadline
        order.ship(by=actor)
        order.save()
    return order


def tracking_event_record(
    *,
    order: Order,
    actor: User,
    status: str,
    occurred_at: datetime | None = None,
    location: str = "",
    description: str = "",
) -> TrackingEvent:
    """A carrier event, from the admin or a carrier feed. "Delivered" marks the order delivered.

    Delivery does not confirm receipt: protection runs on until the buyer confirms or the
    deadline passes (R-PRT-1).
    """
    if status not in TrackingEvent.Status.values:
        raise DomainError(_("Unknown tracking status."))
    with transaction.atomic():
        order = _lock_order(order.pk)
        shipment = Shipment.objects.filter(order=order).first()
        if shipment is None:
            raise DomainError(_("The order has not been shipped yet."))
        occurred_at = occurred_at or timezone.now()
        event = TrackingEvent.objects.create(
            shipment=shipment,
            status=status,
            occurred_at=occurred_at,
            location=location,
            description=description,
            recorded_by=actor,
        )
        if status == TrackingEvent.Status.DELIVERED and order.state == Order.State.SHIPPED:
            order.delivered_at = occurred_at
            order.mark_delivered(by=actor, description=f"Carrier event: delivered {location}".strip())
            order.save()
    return event


# --- Buyer protection -------------------------------------------------------------------------


def _explain_not_protected(order: Order) -> str:
    if order.state == Order.State.PAID:
        return _("The order has not been shipped yet.")
    if order.state == Order.State.CONFIRMED:
        return _("You have already confirmed receipt of this order.")
    if order.state == Order.State.DISPUTED:
        return _("This order is in dispute; the dispute decides what happens to the payment.")
    if order.state == Order.State.COMPLETED:
        return _(
            "This order is completed and the payment has been settled. If the product is dangerous, you can "
            "still report it from the order page."
        )
    return _("Buyer protection for this order has ended.")


def _lapse_pending_extensions(order: Order, actor: User) -> None:
    order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.LAPSED, answered_at=timezone.now(), answered_by=actor
    )


def order_confirm_receipt(*, order: Order, actor: User) -> Order:
    """The buyer confirms receipt; the dispute window shortens to 15 days (R-PRT-2)."""
    _require_party(order, actor, "buyer")
    with transaction.atomic():
        order = _lock_order(order.pk)
        if not order.is_protected:
            raise DomainError(_explain_not_protected(order))
        now = timezone.now()
        order.confirmed_at = now
        order.dispute_deadline = min(
            order.protection_deadline, now + timedelta(days=settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS)
        )
        _lapse_pending_extensions(order, actor)
        order.confirm_receipt(by=actor)
        order.save()
    return order


def extension_request_create(*, order: Order, actor: User, days: int, reason: str) -> ExtensionRequest:
    """The buyer asks the seller for more protection days (R-PRT-4)."""
    _require_party(order, actor, "buyer")
    reason = reason.strip()
    if not isinstance(days, int) or not 1 <= days <= settings.EXTENSION_MAX_DAYS:
        raise DomainError(_("Ask for between 1 and %(max)s days.") % {"max": settings.EXTENSION_MAX_DAYS})
    if not reason:
        raise DomainError(
            _("Tell the seller why you need more time (for example: the parcel is still in transit).")
        )
    with transaction.atomic():
        order = _lock_order(order.pk)
        if not order.is_protected:
            raise DomainError(_explain_not_protected(order))
        if order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise DomainError(_("You already have a request waiting for the seller's answer."))
        request = ExtensionRequest.objects.create(order=order, requested_by=actor, days=days, reason=reason)
        notify("extension_requested", order=order, context={"days": days, "reason": reason})
    return request


def _extend(order: Order, days: int, *, at_least_from: datetime | None = None) -> None:
    base = max(order.protection_deadline, at_least_from) if at_least_from else order.protection_deadline
    order.protection_deadline = base + timedelta(days=days)
    order.dispute_deadline = order.protection_deadline
    order.protection_reminder_sent_at = None  # remind again before the new deadline (R-PRT-5)


def _lock_pending_request(order: Order, request_id: int) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().get(pk=request_id, order=order)
    if request.status != ExtensionRequest.Status.PENDING:
        raise DomainError(_("This request has already been answered."))
    return request


def extension_grant(*, request: ExtensionRequest, actor: User) -> ExtensionRequest:
    """The seller grants more days: the protection deadline moves (R-PRT-4)."""
    _require_party(request.order, actor, "seller")
    with transaction.atomic():
        order = _lock_order(request.order_id)
        request = _lock_pending_request(order, request.pk)
        if order.state not in Order.PROTECTED_STATES:
            raise DomainError(_explain_not_protected(order))
        # Granted after the deadline (before the automatic grant ran): the days count from now,
        # as the automatic grant's would, so answering late never gives the buyer less.
        _extend(order, request.days, at_least_from=timezone.now())
        order.save(update_fields=["protection_deadline", "dispute_deadline", "protection_reminder_sent_at"])
        request.status = ExtensionRequest.Status.GRANTED
        request.answered_at, request.answered_by = timezone.now(), actor
        request.save(update_fields=["status", "answered_at", "answered_by"])
        notify(
            "extension_answered",
            order=order,
            context={
                "granted": True,
                "days": request.days,
                "deadline": order.protection_deadline.isoformat(),
            },
        )
    return request


def extension_decline(*, request: ExtensionRequest, actor: User, reason: str = "") -> ExtensionRequest:
    _require_party(request.order, actor, "seller")
    with transaction.atomic():
        order = _lock_order(request.order_id)
        request = _lock_pending_request(order, request.pk)
        if _owed_automatic_extension(order):
            raise DomainError(
                _(
                    "The protection deadline passed while this request was unanswered, so the buyer "
                    "gets the extension automatically; it can no longer be declined."
                )
            )
        request.status = ExtensionRequest.Status.DECLINED
        request.answered_at, request.answered_by = timezone.now(), actor
        request.decline_reason = reason.strip()
        request.save(update_fields=["status", "answered_at", "answered_by", "decline_reason"])
        notify(
            "extension_answered",
            order=order,
            context={"granted": False, "days": request.days, "reason": request.decline_reason},
        )
    return request


def _owed_automatic_extension(order: Order) -> bool:
    """The deadline came with a request pending and no automatic extension yet (R-PRT-4)."""
    return (
        order.state in Order.PROTECTED_STATES
        and order.protection_deadline <= timezone.now()
        and order.auto_extended_at is None
    )


def extension_auto_grant(*, order: Order, actor: User) -> bool:
    """The deadline arrived with a request unanswered: extend automatically, once (R-PRT-4).

    Returns whether the order moved. A second unanswered request after the one automatic
    extension lapses, and the release job then settles the order.
    """
    with transaction.atomic():
        order = _lock_order(order.pk)
        now = timezone.now()
        if order.state not in Order.PROTECTED_STATES or order.protection_deadline > now:
            return False
        request = (
            order.extension_requests.select_for_update()
            .filter(status=ExtensionRequest.Status.PENDING)
            .first()
        )
        if request is None:
            return False
        request.answered_at, request.answered_by = now, actor
        if order.auto_extended_at is not None:
            request.status = ExtensionRequest.Status.LAPSED
            request.save(update_fields=["status", "answered_at", "answered_by"])
            return False
        # From the later of the deadline and now: a scheduler that ran late (an outage) must not
        # eat into the days the buyer asked for.
        _extend(order, request.days, at_least_from=now)
        order.auto_extended_at = now
        order.save(
            update_fields=[
                "protection_deadline",
                "dispute_deadline",
                "protection_reminder_sent_at",
                "auto_extended_at",
            ]
        )
        request.status = ExtensionRequest.Status.AUTO_GRANTED
        request.save(update_fields=["status", "answered_at", "answered_by"])
        notify(
            "extension_answered",
            order=order,
            context={
                "granted": True,
                "automatic": True,
                "days": request.days,
                "deadline": order.protection_deadline.isoformat(),
            },
        )
    return True


def protection_remind(*, order: Order) -> bool:
    """Remind the buyer once, PROTECTION_REMINDER_DAYS before protection ends (R-PRT-5)."""
    with transaction.atomic():
        order = _lock_order(order.pk)
        now = timezone.now()
        if (
            order.state not in Order.PROTECTED_STATES
            or order.protection_reminder_sent_at is not None
            or not (
                order.protection_deadline - timedelta(days=settings.PROTECTION_REMINDER_DAYS)
                <= now
                < order.protection_deadline
            )
        ):
            return False
        order.protection_reminder_sent_at = now
        order.save(update_fields=["protection_reminder_sent_at"])
        notify(
            "protection_ending",
            order=order,
            context={"deadline": order.protection_deadline.isoformat()},
            dedupe_key=f"order:{order.pk}:protection-ending:{order.protection_deadline.isoformat()}",
        )
    return True


# --- Escrow ---------------------------------------------------------------------------------


def _ledger(
    order: Order,
    *,
    kind: str,
    source: str,
    amount: Decimal,
    party: User | int,
    actor: User,
    reason: str,
    key: str,
    refund: Refund | None = None,
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        order=order,
        kind=kind,
        source=source,
        amount=amount,
        currency=order.currency,
        party_id=party if isinstance(party, int) else party.pk,
        actor=actor,
        reason=reason[:500],
        idempotency_key=key,
        refund=refund,
    )


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
            order.dispute_deadline = order.protection_deadline
            order.confirm_receipt(by=actor, description="Confirmed automatically: buyer protection ended")
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
    return Resolution(refund, released)


# --- Refunds --------------------------------------------------------------------------------


def _refund_create(
    order: Order,
    escrow: EscrowHold,
    *,
    amount: Decimal,
    source: str,
    actor: User,
    reason: str,
    idempotency_key: str,
) -> Refund:
    now = timezone.now()
    refund = Refund.objects.create(
        order=order,
        amount=amount,
        currency=order.currency,
        source=source,
        destination=order.payment_method,
        idempotency_key=idempotency_key,
        reason=reason[:500],
        created_by=actor,
        created_at=now,
        due_at=now + timedelta(days=settings.REFUND_DEADLINE_DAYS),
    )
    _ledger(
        order,
        kind=LedgerEntry.Kind.REFUND,
        source=source,
        amount=amount,
        party=order.buyer_id,
        actor=actor,
        reason=reason,
        key=f"refund:{idempotency_key}",
        refund=refund,
    )
    if source == LedgerEntry.Source.ESCROW:
        escrow.refunded += amount
    else:
        escrow.refunded_by_seller += amount
    transaction.on_commit(lambda: _dispatch(refund.pk))
    return refund


def _dispatch(refund_id: int) -> None:
    from marketplace.tasks import refund_send_task

    refund_send_task.delay(refund_id)


def refund_create_from_seller(
    *, order: Order, amount, actor: User, reason: str, idempotency_key: str
) -> Refund:
    """A refund paid from the seller's balance after escrow was settled (R-CMP-1).

    Total refunds of an order never exceed what the buyer paid (R-ESC-3): checked here under
    the escrow lock and by the ``escrow_refunds_within_paid`` constraint.
    """
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError(_("A refund must be more than zero."))
    with transaction.atomic():
        order = _lock_order(order.pk)
        existing = Refund.objects.filter(idempotency_key=idempotency_key, order=order).first()
        if existing is not None:
            return existing  # a replay of the same request
        if order.state != Order.State.COMPLETED:
            raise DomainError(_("The payment is still in escrow; decide the dispute to refund from it."))
        escrow = _lock_escrow(order.pk)
        refundable = escrow.held - escrow.refunded - escrow.refunded_by_seller
        if amount > refundable:
            raise DomainError(
                _("At most %(amount)s %(currency)s can still be refunded for this order.")
                % {"amount": refundable, "currency": order.currency}
            )
        refund = _refund_create(
            order,
            escrow,
            amount=amount,
            source=LedgerEntry.Source.SELLER_BALANCE,
            actor=actor,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        escrow.save(update_fields=["refunded_by_seller"])
    return refund


def _lock_refund(refund_id: int) -> Refund:
    return Refund.objects.select_for_update().get(pk=refund_id)


def refund_send(*, refund: Refund, actor: User) -> Refund:
    """Send a pending refund through the payment gateway (R-REF-3).

    The gateway call carries the refund's idempotency key (with the attempt number), so a
    crash after the call and before the commit, or a retried task, can't pay twice: the
    next call with the same key returns the same payout.
    """
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.PENDING:
            raise DomainError(_("This refund has already been sent."))
        try:
            result = get_gateway().send_payout(
                idempotency_key=refund.gateway_key,
                amount=refund.amount,
                currency=refund.currency,
                destination=refund.destination,
            )
        except GatewayUnavailable:
            raise  # nothing changed; the task retries with backoff
        refund.payout_reference = result.reference
        refund.via_gateway = True
        refund.sent_at = timezone.now()
        refund.mark_sent(by=actor, description=f"Payout {result.reference} via gateway")
        refund.save()
        notify(
            "refund_sent",
            order=refund.order,
            context={
                "refund_amount": str(refund.amount),
                "reference": refund.payout_reference,
                "destination": refund.destination,
            },
        )
    return refund


def refund_mark_sent(*, refund: Refund, actor: User, reference: str) -> Refund:
    """Finance paid the refund outside the gateway (e.g. a bank transfer) and records it."""
    _require_finance(actor)
    reference = reference.strip()
    if not reference:
        raise DomainError(_("Enter the payout reference the bank or provider gave."))
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.PENDING:
            raise DomainError(_("Only a pending refund can be marked sent."))
        refund.payout_reference = reference
        refund.via_gateway = False
        refund.sent_at = timezone.now()
        refund.mark_sent(by=actor, description=f"Marked sent by finance with reference {reference}")
        refund.save()
        notify(
            "refund_sent",
            order=refund.order,
            context={
                "refund_amount": str(refund.amount),
                "reference": reference,
                "destination": refund.destination,
            },
        )
    return refund


def refund_mark_completed(*, refund: Refund, actor: User, reference: str = "") -> Refund:
    """The payout reached the buyer (R-REF-2)."""
    if not actor.is_system:
        _require_finance(actor)
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.SENT:
            raise DomainError(_("Only a sent refund can be marked paid."))
        _require_gateway_agrees(refund, "paid")
        if reference.strip():
            refund.payout_reference = reference.strip()
        refund.completed_at = timezone.now()
        refund.mark_completed(by=actor, description=f"Paid, reference {refund.payout_reference}")
        refund.save()
        notify(
            "refund_completed",
            order=refund.order,
            context={
                "refund_amount": str(refund.amount),
                "reference": refund.payout_reference,
                "destination": refund.destination,
            },
        )
    return refund


def refund_mark_failed(*, refund: Refund, actor: User, reason: str) -> Refund:
    if not actor.is_system:
        _require_finance(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the payout failed, so the next attempt can avoid it."))
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.SENT:
            raise DomainError(_("Only a sent refund can be marked failed."))
        _require_gateway_agrees(refund, "failed")
        refund.failed_at = timezone.now()
        refund.failure_reason = reason[:500]
        refund.mark_failed(by=actor, description=reason[:200])
        refund.save()
        notify(
            "refund_failed",
            order=refund.order,
            context={"refund_amount": str(refund.amount), "reason": refund.failure_reason},
        )
    return refund


def _require_gateway_agrees(refund: Refund, outcome: str) -> None:
    """A payout sent through the gateway ends the way the provider says, not as someone guesses.

    Marking a still-processing (or paid) gateway payout failed lets it be retried under a new
    key while the first payout still pays: the buyer would be paid twice. Marking it paid
    while the provider is still paying, or has declined it, tells the buyer money arrived that
    did not. Payouts made outside the gateway, or that the provider has no record of, are left
    to finance.
    """
    if not refund.via_gateway:
        return
    payout = get_gateway().get_payout(idempotency_key=refund.gateway_key)
    if payout is not None and payout.status != outcome:
        raise DomainError(
            _(
                "The payment provider reports this payout as %(status)s, not %(outcome)s; payouts sent "
                "through the provider are recorded as it reports them."
            )
            % {"status": payout.status, "outcome": outcome}
        )


def refund_retry(*, refund: Refund, actor: User, authorized_by: str = "", destination: str = "") -> Refund:
    """A failed payout goes back to pending as a new attempt (a new gateway key).

    A card that declined once may decline again (closed, expired), so the retry may go to a
    new ``destination`` the buyer gave (another card, a bank account). Finance retries
    payouts; an arbitration decision may order a retry too, and then ``authorized_by`` names
    that decision (it goes into the audit log) instead of the finance permission.
    """
    if not (actor.is_system or authorized_by):
        _require_finance(actor)
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.FAILED:
            raise DomainError(_("Only a failed refund can be retried."))
        refund.attempts += 1
        destination = destination.strip()[:100]
        if destination and destination != refund.destination:
            authorized_by = " ".join(
                filter(None, [f"to {destination} instead of {refund.destination}", authorized_by])
            )
            refund.destination = destination
        refund.retry(
            by=actor,
            description=" ".join(filter(None, [f"Retry, attempt {refund.attempts + 1}", authorized_by])),
        )
        refund.save()
        transaction.on_commit(lambda: _dispatch(refund.pk))
    return refund


def refund_sync_with_gateway(*, refund: Refund, actor: User) -> Refund:
    """Ask the gateway how a sent payout ended and record it."""
    refund = Refund.objects.get(pk=refund.pk)  # the caller's copy may be stale
    if refund.state != Refund.State.SENT or not refund.payout_reference:
        return refund
    result = get_gateway().get_payout(idempotency_key=refund.gateway_key)
    if result is None or result.status == "processing":
        return refund
    try:
        if result.status == "paid":
            return refund_mark_completed(refund=refund, actor=actor, reference=result.reference)
        return refund_mark_failed(refund=refund, actor=actor, reason=result.failure_reason or "Payout failed")
    except DomainError:
        return Refund.objects.get(pk=refund.pk)  # someone recorded the outcome first


def refund_flag_overdue(*, refund: Refund, actor: User) -> bool:
    """Flag a refund not paid by its due date (R-REF-4). Returns whether it was flagged now."""
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.overdue_flagged_at is not None or refund.state == Refund.State.COMPLETED:
            return False
        if timezone.now() < refund.due_at:
            return False
        refund.overdue_flagged_at = timezone.now()
        refund.save(update_fields=["overdue_flagged_at"])
        notify(
            "refund_overdue",
            order=refund.order,
            context={"refund_amount": str(refund.amount), "due_at": refund.due_at.isoformat()},
        )
    return True


def _require_finance(actor: User) -> None:
    if not actor.has_perm("marketplace.manage_payouts"):
        raise DomainError(_("Marking payouts needs the finance permission."))


# --- Penalties ------------------------------------------------------------------------------


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
        return _ledger(
            order,
            kind=LedgerEntry.Kind.PENALTY,
            source=LedgerEntry.Source.SELLER_BALANCE,
            amount=amount,
            party=order.seller_id,
            actor=actor,
            reason=reason,
            key=key,
        )
