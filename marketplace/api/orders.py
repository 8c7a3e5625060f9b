"""Orders: create a paid order, ship it, feed carrier tracking, read it (R-API-2, R-API-3, R-ESC-5).

An order enters the back office when the buyer has paid (R-ESC-1: the whole amount is held in
escrow from that moment; there is no unpaid order here), so ``POST /orders`` records the order and
its payment at once, through ``order_pay`` as the demo data does.

An order is addressed by our id (``/orders/42``) or by the marketplace's own id with the ``ext:``
prefix (``/orders/ext:A-1001``). Writes are idempotent by the marketplace's ids: the same order
again answers 200 with the existing order, different details under an existing id answer 409;
and by the ``Idempotency-Key`` header (``marketplace.api.idempotency``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from marketplace.actors import scheduler_user
from marketplace.api.auth import require_scope
from marketplace.api.errors import ApiProblem, field_problem
from marketplace.api.idempotency import idempotent
from marketplace.api.pagination import ListParams, paginate, with_updated_at
from marketplace.api.schemas import (
    ExternalId,
    MoneyText,
    MoneyTrailOut,
    OrderDetailOut,
    OrderOut,
    OrderPage,
    TrailLineOut,
)
from marketplace.errors import DomainError
from marketplace.events import moment, order_payload
from marketplace.models import ApiClient, Currency, Order, Scope, Shipment, TrackingEvent, User
from marketplace.selectors import order_money_trail
from marketplace.services import order_pay, order_ship, tracking_event_record
from marketplace.text import is_plain_number

router = Router(tags=["orders"])

EXT = "ext:"
BATCH_LIMIT = 1000


def order_of(client: ApiClient, ref: str, *, rows: QuerySet[Order] | None = None) -> Order:
    """The caller's order by our id or ``ext:<external id>``; another account's is a 404."""
    orders = Order.objects.filter(account=client.account) if rows is None else rows
    if ref.startswith(EXT):
        return orders.get(external_id=ref.removeprefix(EXT))
    if not is_plain_number(ref):
        return orders.none().get()
    return orders.get(pk=int(ref))


def _person(client: ApiClient, external_id: str, field: str) -> User:
    person = User.objects.filter(account=client.account, external_id=external_id).first()
    if person is None:
        raise field_problem(
            field,
            _("No person with this id; create them first with PUT /people/%(id)s.") % {"id": external_id},
        )
    return person


def order_out(order: Order) -> OrderOut:
    shipment = Shipment.objects.filter(order=order).first()
    out = OrderOut(**order_payload(order))
    if shipment is not None:
        out.carrier, out.tracking_number = shipment.carrier, shipment.tracking_number
    if (updated_at := getattr(order, "updated_at", None)) is not None:
        out.updated_at = moment(updated_at)
    return out


ORDER_EVENTS = ["order.", "refund.", "penalty."]


def orders_of(client: ApiClient) -> QuerySet[Order]:
    return with_updated_at(
        Order.objects.filter(account=client.account), created="paid_at", order_field="pk", types=ORDER_EVENTS
    )


def money_text(value: Decimal) -> str:
    return f"{value:.2f}"


def order_detail_out(order: Order) -> OrderDetailOut:
    trail = order_money_trail(order)
    base = order_out(order).model_dump()
    return OrderDetailOut(
        **base,
        money_trail=MoneyTrailOut(
            paid=money_text(trail.paid),
            refunded=money_text(trail.refunded),
            released=money_text(trail.released),
            kept_by_seller=money_text(trail.kept_by_seller),
            in_escrow=money_text(trail.in_escrow),
            penalties=money_text(trail.penalties),
            balanced=trail.balanced,
            lines=[
                TrailLineOut(
                    at=moment(line.at) or "",
                    kind=line.kind,
                    label=line.label,
                    amount=money_text(line.amount),
                    currency=line.currency,
                    refund_id=line.refund.pk if line.refund else None,
                )
                for line in trail.lines
            ],
        ),
    )


class OrderIn(Schema):
    external_id: ExternalId
    buyer: ExternalId = Field(description="The buyer's id in your marketplace (PUT /people first).")
    seller: ExternalId = Field(description="The seller's id in your marketplace.")
    item_title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    amount: MoneyText = Field(description='What the buyer paid, as a string: "12.50".')
    currency: Currency
    payment_method: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = (
        Field(description="Where refunds go, e.g. 'Visa •••• 4242'.")
    )
    paid_at: datetime | None = None


def _same_order(order: Order, payload: OrderIn, buyer: User, seller: User) -> bool:
    return (
        order.buyer_id == buyer.pk
        and order.seller_id == seller.pk
        and order.item_title == payload.item_title
        and order.amount == Decimal(payload.amount)
        and order.currency == payload.currency
        and order.payment_method == payload.payment_method
    )


def _existing(client: ApiClient, payload: OrderIn, buyer: User, seller: User) -> tuple[int, OrderOut] | None:
    order = Order.objects.filter(account=client.account, external_id=payload.external_id).first()
    if order is None:
        return None
    if not _same_order(order, payload, buyer, seller):
        raise ApiProblem(
            409,
            _(
                "An order with external_id %(id)s already exists with other details; an order's "
                "details do not change after payment."
            )
            % {"id": payload.external_id},
            kind="conflict",
            errors=[("external_id", _("Already used for another order."))],
        )
    return 200, order_out(order)


@router.post("/orders", response={200: OrderOut, 201: OrderOut}, summary="Create a paid order (escrow held)")
def order_create(request: HttpRequest, payload: OrderIn) -> HttpResponse:
    """The order and its payment: the whole amount is held in escrow (R-ESC-1, event
    ``order.escrow_held``). The same ``external_id`` again: 200 with the existing order."""
    client = require_scope(request, Scope.ORDERS_WRITE)

    def write() -> tuple[int, OrderOut]:
        buyer = _person(client, payload.buyer, "buyer")
        seller = _person(client, payload.seller, "seller")
        found = _existing(client, payload, buyer, seller)
        if found:
            return found
        try:
            order = order_pay(
                buyer=buyer,
                seller=seller,
                item_title=payload.item_title,
                amount=payload.amount,
                currency=payload.currency,
                payment_method=payload.payment_method,
                paid_at=payload.paid_at,
                account=client.account,
                external_id=payload.external_id,
            )
        except (IntegrityError, ValidationError):
            # The same order created by a concurrent request a moment ago (refused by the unique
            # constraint, or by full_clean's check of it when the other committed first).
            found = _existing(client, payload, buyer, seller)
            if found is None:
                raise
            return found
        return 201, order_out(order)

    return idempotent(request, client, write)


@router.get("/orders", response=OrderPage, summary="Orders, oldest change first")
def order_list(request: HttpRequest, params: Query[ListParams]) -> dict:
    """Cursor-paginated; ``updated_since`` for what changed since the last sync (R-API-4)."""
    client = require_scope(request, Scope.ORDERS_WRITE)
    return paginate(orders_of(client), params, lambda page: [order_out(order) for order in page])


@router.get("/orders/{ref}", response=OrderDetailOut, summary="An order with its money trail")
def order_get(request: HttpRequest, ref: str) -> OrderDetailOut:
    """By our id or ``ext:<your id>``; with every cent of it (R-ESC-5)."""
    client = require_scope(request, Scope.ORDERS_WRITE)
    return order_detail_out(order_of(client, ref, rows=orders_of(client)))


class ShipmentIn(Schema):
    carrier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    tracking_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


@router.post("/orders/{ref}/shipment", response=OrderOut, summary="The seller shipped the order")
def order_shipment(request: HttpRequest, ref: str, payload: ShipmentIn) -> HttpResponse:
    """Buyer protection starts (R-PRT-1, event ``order.shipped``). The same shipment again: 200;
    another one for a shipped order: 409."""
    client = require_scope(request, Scope.ORDERS_WRITE)

    def write() -> tuple[int, OrderOut]:
        order = order_of(client, ref)
        shipment = Shipment.objects.filter(order=order).first()
        if shipment is not None:
            if (shipment.carrier, shipment.tracking_number) == (payload.carrier, payload.tracking_number):
                return 200, order_out(order)
            raise ApiProblem(
                409,
                _("This order was already shipped with %(carrier)s %(number)s.")
                % {"carrier": shipment.carrier, "number": shipment.tracking_number},
                kind="conflict",
            )
        try:
            order = order_ship(
                order=order,
                actor=order.seller,
                carrier=payload.carrier,
                tracking_number=payload.tracking_number,
            )
        except IntegrityError:
            # Shipped by a concurrent request a moment ago (one shipment per order).
            return 200, order_out(order_of(client, ref))
        return 200, order_out(order)

    return idempotent(request, client, write)


class TrackingEventIn(Schema):
    order: str | None = Field(None, description="Our order id or ext:<your id>; or give tracking_number.")
    tracking_number: str | None = Field(None, max_length=64)
    status: TrackingEvent.Status
    occurred_at: datetime
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class TrackingBatchIn(Schema):
    events: list[TrackingEventIn] = Field(min_length=1, max_length=BATCH_LIMIT)


class TrackingResult(Schema):
    index: int
    applied: bool
    id: int | None = None
    order_id: int | None = None
    order_state: str | None = None
    detail: str = ""
    field: str | None = None


class TrackingBatchOut(Schema):
    applied: int
    refused: int
    results: list[TrackingResult]


def _shipment_order(client: ApiClient, item: TrackingEventIn) -> Order:
    if item.order:
        try:
            return order_of(client, item.order)
        except Order.DoesNotExist:
            raise DomainError(_("No such order for this client.")) from None
    if not item.tracking_number:
        raise DomainError(_("Give the order or the tracking number."))
    orders = list(
        Order.objects.filter(account=client.account, shipment__tracking_number=item.tracking_number.strip())[
            :2
        ]
    )
    if not orders:
        raise DomainError(_("No shipment with this tracking number for this client."))
    if len(orders) > 1:
        raise DomainError(_("Several shipments have this tracking number; give the order instead."))
    return orders[0]


def _apply(client: ApiClient, actor: User, index: int, item: TrackingEventIn) -> TrackingResult:
    try:
        order = _shipment_order(client, item)
        event = tracking_event_record(
            order=order,
            actor=actor,
            status=item.status,
            occurred_at=item.occurred_at,
            location=item.location,
            description=item.description,
        )
    except DomainError as exc:
        field = "order" if item.order else "tracking_number"
        return TrackingResult(index=index, applied=False, detail=exc.message_text, field=field)
    state = Order.objects.filter(pk=order.pk).values_list("state", flat=True).first()
    return TrackingResult(index=index, applied=True, id=event.pk, order_id=order.pk, order_state=state)


@router.post("/tracking-events", response=TrackingBatchOut, summary="Carrier tracking events, 1 to 1,000")
def tracking_events(request: HttpRequest, payload: TrackingBatchIn) -> HttpResponse:
    """Each event is applied or refused on its own; the answer lists each one's result in the
    order given (R-API-2). "delivered" marks a shipped order delivered (event ``order.delivered``);
    protection runs on until the buyer confirms. An event already recorded (same order, status
    and time) is not recorded twice: its result names the existing one."""
    client = require_scope(request, Scope.TRACKING_WRITE)

    def write() -> tuple[int, TrackingBatchOut]:
        actor = scheduler_user()
        results = [_apply(client, actor, index, item) for index, item in enumerate(payload.events)]
        applied = sum(1 for result in results if result.applied)
        return 200, TrackingBatchOut(applied=applied, refused=len(results) - applied, results=results)

    return idempotent(request, client, write)
