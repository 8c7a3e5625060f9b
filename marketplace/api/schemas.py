"""Request and response shapes shared by the money core's endpoints (R-API-2, R-API-4).

Outbound shapes are the webhook payloads of ``marketplace.events`` (one definition of what an
order or a refund looks like to the marketplace), typed here for the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

# The marketplace's own ids: letters, digits and . _ ~ : - (they appear in paths).
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._~:-]+$"),
]
# Money as a string ("12.50"), never a JSON number: exact, as the ledger keeps it.
MoneyText = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{1,10}(\.\d{1,2})?$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Our ids: what a database id holds (a larger number is a 422, not a database error).
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class PersonRef(Schema):
    id: int
    external_id: str


class OrderRef(Schema):
    id: int
    external_id: str
    number: str
    url: str | None


class OrderOut(Schema):
    object: Literal["order"] = "order"
    id: int
    external_id: str
    number: str
    url: str | None
    state: str
    item_title: str
    amount: str
    currency: str
    payment_method: str
    buyer: PersonRef
    seller: PersonRef
    paid_at: str | None
    shipped_at: str | None
    delivered_at: str | None
    confirmed_at: str | None
    completed_at: str | None
    protection_deadline: str | None
    dispute_deadline: str | None
    carrier: str | None = None
    tracking_number: str | None = None
    updated_at: str | None = Field(None, description="In lists: when it last changed (see updated_since).")


class TrailLineOut(Schema):
    at: str
    kind: str = Field(description="charge, hold, refund, release or penalty")
    label: str
    amount: str
    currency: str
    refund_id: int | None = None


class MoneyTrailOut(Schema):
    """Every cent of the order (R-ESC-5): paid = refunded + kept by the seller + in escrow."""

    paid: str
    refunded: str
    released: str
    kept_by_seller: str
    in_escrow: str
    penalties: str
    balanced: bool
    lines: list[TrailLineOut]


class OrderDetailOut(OrderOut):
    money_trail: MoneyTrailOut


class RefundOut(Schema):
    object: Literal["refund"] = "refund"
    id: int
    url: str | None
    state: str
    amount: str
    currency: str
    source: str
    destination: str
    payout_reference: str
    attempt: int
    reason: str
    created_at: str | None
    due_at: str | None
    sent_at: str | None
    completed_at: str | None
    failed_at: str | None
    failure_reason: str
    overdue: bool
    order: OrderRef
    updated_at: str | None = Field(None, description="In lists: when it last changed (see updated_since).")


class Page(Schema):
    """One page of a list; pass ``next_cursor`` as ``cursor`` for the next (null: the last page)."""

    next_cursor: str | None


class OrderPage(Page):
    results: list[OrderOut]


class RefundPage(Page):
    results: list[RefundOut]
