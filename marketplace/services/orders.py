"""Paying, shipping and tracking an order (R-ESC-1, R-PRT-1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.events import emit, order_payload
from marketplace.models import (
    Currency,
    EscrowHold,
    LedgerEntry,
    Order,
    Shipment,
    TrackingEvent,
    User,
)
from marketplace.services.base import Amount, _lock_order, _require_party, to_money


def order_pay(
    *,
    buyer: User,
    seller: User,
    item_title: str,
    amount: Amount,
    currency: str,
    payment_method: str,
    paid_at: datetime | None = None,
    account: str = "",
    external_id: str = "",
) -> Order:
    """The buyer pays: the whole amount goes into escrow (R-ESC-1).

    ``account`` and ``external_id``: the marketplace's own id for the order (R-API-2), unique in
    its account; a second order with the same id is refused by the database.
    """
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
            account=account,
            external_id=external_id,
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
        emit("order.escrow_held", order=order, data=order_payload(order))
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
        order.dispute_deadline = order.dispute_deadline_for(confirmed_at=None)
        order.ship(by=actor)
        order.save()
        emit(
            "order.shipped",
            order=order,
            data=order_payload(order, carrier=carrier, tracking_number=tracking_number),
        )
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
    deadline passes (R-PRT-1). The same event again (same status at the same moment) returns the
    one recorded first.
    """
    if status not in TrackingEvent.Status.values:
        raise DomainError(_("Unknown tracking status."))
    with transaction.atomic():
        order = _lock_order(order.pk)
        shipment = Shipment.objects.filter(order=order).first()
        if shipment is None:
            raise DomainError(_("The order has not been shipped yet."))
        if occurred_at is not None:
            # A carrier feed sends an event again when unsure it arrived: recorded once (R-API-3).
            repeated = TrackingEvent.objects.filter(shipment=shipment, status=status, occurred_at=occurred_at)
            if (existing := repeated.first()) is not None:
                return existing
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
            emit("order.delivered", order=order, data=order_payload(order))
    return event
