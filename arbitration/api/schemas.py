"""What disputes, complaints and safety reports look like through the API (R-API-4).

The base of each is the webhook payload of ``arbitration.events`` (one definition of each
object for the marketplace); a dispute read adds its claim history, offers, messages, evidence
metadata, information requests, the next deadline and what each party may do now.
"""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from marketplace.api.schemas import OrderRef, Page, PersonRef


class ObjectRef(Schema):
    id: int
    url: str | None


class DisputeOut(Schema):
    object: Literal["dispute"] = "dispute"
    id: int
    url: str | None
    state: str
    outcome: str
    reason: str
    resolution: str
    requested_amount: str | None
    currency: str
    description: str
    opened_at: str | None
    deadline_at: str | None
    escalated_at: str | None
    closed_at: str | None
    escalation_count: int
    flagged: bool
    refund: ObjectRef | None
    order: OrderRef
    buyer: PersonRef
    seller: PersonRef
    updated_at: str | None = Field(None, description="When it last changed (see updated_since).")


class ClaimVersionOut(Schema):
    number: int = Field(description="0 is the original claim, 1… the amendments")
    reason: str
    resolution: str
    requested_amount: str | None
    description: str
    created_at: str | None


class OfferOut(Schema):
    id: int
    kind: str
    status: str
    amount: str | None
    currency: str
    return_address: str
    note: str
    created_at: str | None
    answered_at: str | None


class EvidenceOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str
    original_name: str
    uploaded_by: str = Field(description="buyer, seller or arbiter")
    message_id: int | None
    created_at: str | None


class MessageOut(Schema):
    id: int
    role: str
    body: str
    flagged: bool
    created_at: str | None
    evidence: list[int] = Field(description="ids of the evidence attached to this message")


class InformationRequestOut(Schema):
    id: int
    party: str
    question: str
    due_at: str | None
    answered_at: str | None


class DeadlineOut(Schema):
    at: str | None
    consequence: str


class TurnOut(Schema):
    who: str = Field(description="buyer, seller, arbitration or nobody")
    what: str


class AllowedActions(Schema):
    """Exactly what each party may do now: the same list the web shows as buttons (R-DSP-10)."""

    buyer: list[str]
    seller: list[str]


class DisputeDetailOut(DisputeOut):
    claim_versions: list[ClaimVersionOut]
    offers: list[OfferOut]
    messages: list[MessageOut]
    evidence: list[EvidenceOut]
    information_requests: list[InformationRequestOut]
    turn: TurnOut
    next_deadline: DeadlineOut | None
    allowed_actions: AllowedActions


class DisputePage(Page):
    results: list[DisputeOut]


class ComplaintOut(Schema):
    object: Literal["complaint"] = "complaint"
    id: int
    url: str | None
    state: str
    kind: str
    description: str
    opened_at: str | None
    deadline_at: str | None
    outcome: str
    rationale: str
    refund_amount: str | None
    penalty_amount: str | None
    currency: str
    decided_at: str | None
    refund: ObjectRef | None
    new_refund: ObjectRef | None
    dispute: ObjectRef
    order: OrderRef
    buyer: PersonRef
    seller: PersonRef
    updated_at: str | None = None


class ComplaintPage(Page):
    results: list[ComplaintOut]


class SafetyReportOut(Schema):
    object: Literal["safety_report"] = "safety_report"
    id: int
    url: str | None
    state: str
    outcome: str
    outcome_reason: str
    description: str
    item_title: str
    created_at: str | None
    closed_at: str | None
    order: OrderRef
    reporter: PersonRef
    seller: PersonRef
    updated_at: str | None = None


class SafetyReportPage(Page):
    results: list[SafetyReportOut]
