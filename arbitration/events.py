"""Payloads of the dispute, return, complaint and safety-report events (R-API-5).

The services emit them through ``marketplace.events.emit``; the pieces (amounts as strings, UTC
times, references to orders and people, API links) come from there, so both apps' events read
alike. Each payload is the object as it is after the change, plus what the change was about
(the offer, the decision, the message …) under its own key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arbitration.models import (
    Complaint,
    Decision,
    Dispute,
    InformationRequest,
    Message,
    Offer,
    ReturnShipment,
    SafetyReport,
)
from marketplace.events import amount, api_url, moment, order_ref, people_refs
from marketplace.models import Order


def _refund_ref(refund_id: int | None) -> dict | None:
    return {"id": refund_id, "url": api_url("refunds", refund_id)} if refund_id else None


def dispute_payload(dispute: Dispute, *, people: dict[int, dict] | None = None, **extra: Any) -> dict:
    """The dispute after the change; ``people`` from ``people_refs`` when a batch shares one lookup."""
    order = dispute.order
    people = people or people_refs(dispute.buyer_id, dispute.seller_id)
    return {
        "object": "dispute",
        "id": dispute.pk,
        "url": api_url("disputes", dispute.pk),
        "state": dispute.state,
        "outcome": dispute.outcome,
        "reason": dispute.reason,
        "resolution": dispute.resolution,
        "requested_amount": amount(dispute.requested_amount),
        "currency": order.currency,
        "description": dispute.description,
        "opened_at": moment(dispute.opened_at),
        "deadline_at": moment(dispute.deadline_at),
        "escalated_at": moment(dispute.escalated_at),
        "closed_at": moment(dispute.closed_at),
        "escalation_count": dispute.escalation_count,
        "flagged": dispute.solicitation_flags > 0,
        "refund": _refund_ref(dispute.refund_id),
        "order": order_ref(order),
        "buyer": people[dispute.buyer_id],
        "seller": people[dispute.seller_id],
        **extra,
    }


def disputes_payloads(disputes: Iterable[Dispute]) -> list[tuple[Order, dict]]:
    """``(order, payload)`` of each dispute of a set-based change, for ``emit_many``."""
    disputes = list(disputes)
    people = people_refs(*{pk for dispute in disputes for pk in (dispute.buyer_id, dispute.seller_id)})
    return [(dispute.order, dispute_payload(dispute, people=people)) for dispute in disputes]


def offer_payload(offer: Offer, currency: str) -> dict:
    return {
        "id": offer.pk,
        "kind": offer.kind,
        "status": offer.status,
        "amount": amount(offer.amount),
        "currency": currency,
        "return_address": offer.return_address,
        "note": offer.note,
        "created_at": moment(offer.created_at),
        "answered_at": moment(offer.answered_at),
    }


def message_payload(message: Message) -> dict:
    return {
        "id": message.pk,
        "role": message.role,
        "body": message.body,
        "flagged": message.is_flagged,
        "created_at": moment(message.created_at),
    }


def information_request_payload(request: InformationRequest) -> dict:
    return {
        "id": request.pk,
        "party": request.party,
        "question": request.question,
        "due_at": moment(request.due_at),
    }


def decision_payload(decision: Decision, currency: str) -> dict:
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "refund_amount": amount(decision.refund_amount),
        "penalty_amount": amount(decision.penalty_amount),
        "currency": currency,
        "rationale": decision.rationale,
        "return_deadline": moment(decision.return_deadline),
        "decided_at": moment(decision.decided_at),
    }


def return_payload(dispute: Dispute, shipment: ReturnShipment) -> dict:
    """Return events carry the dispute (its ``deadline_at`` is the ship-by or confirm-by date)."""
    extra: dict[str, Any] = {
        "return": {
            "address": shipment.address,
            "refund_amount": amount(shipment.refund_amount),
            "currency": dispute.order.currency,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "shipped_at": moment(shipment.shipped_at),
            "acknowledgement": shipment.acknowledgement,
            "acknowledgement_note": shipment.acknowledgement_note,
            "acknowledged_at": moment(shipment.acknowledged_at),
            "created_at": moment(shipment.created_at),
        }
    }

    return dispute_payload(dispute, **extra)


def complaint_payload(complaint: Complaint, *, people: dict[int, dict] | None = None) -> dict:
    """The complaint after the change; ``people`` from ``people_refs`` when a batch shares one lookup."""
    dispute = complaint.dispute
    order = dispute.order
    people = people or people_refs(dispute.buyer_id, dispute.seller_id)
    return {
        "object": "complaint",
        "id": complaint.pk,
        "url": api_url("complaints", complaint.pk),
        "state": complaint.state,
        "kind": complaint.kind,
        "description": complaint.description,
        "opened_at": moment(complaint.opened_at),
        "deadline_at": moment(complaint.deadline_at),
        "outcome": complaint.outcome,
        "rationale": complaint.rationale,
        "refund_amount": amount(complaint.refund_amount),
        "penalty_amount": amount(complaint.penalty_amount),
        "currency": order.currency,
        "decided_at": moment(complaint.decided_at),
        "refund": _refund_ref(complaint.refund_id),
        "new_refund": _refund_ref(complaint.new_refund_id),
        "dispute": {"id": dispute.pk, "url": api_url("disputes", dispute.pk)},
        "order": order_ref(order),
        "buyer": people[dispute.buyer_id],
        "seller": people[dispute.seller_id],
    }


def case_payload(case: Dispute | Complaint, **extra) -> tuple[str, dict]:
    """The event prefix and payload of an arbitration case (a dispute or a complaint)."""
    if isinstance(case, Complaint):
        return "complaint", {**complaint_payload(case), **extra}
    return "dispute", dispute_payload(case, **extra)


def safety_report_payload(report: SafetyReport) -> dict:
    order = report.order
    people = people_refs(report.reporter_id, order.seller_id)
    return {
        "object": "safety_report",
        "id": report.pk,
        "url": api_url("safety-reports", report.pk),
        "state": report.state,
        "outcome": report.outcome,
        "outcome_reason": report.outcome_reason,
        "description": report.description,
        "item_title": order.item_title,
        "created_at": moment(report.created_at),
        "closed_at": moment(report.closed_at),
        "order": order_ref(order),
        "reporter": people[report.reporter_id],
        "seller": people[order.seller_id],
    }
