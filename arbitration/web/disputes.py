"""The dispute page (SPEC §4): the claim, whose turn it is and by when, the offers, the thread
with its evidence, the return, decisions and complaints, the history, and a form for each
action the reader may take now (R-DSP-10). Anyone but the dispute's buyer and seller gets a
404, never a 403: existence is not disclosed (R-SEC-1)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from arbitration.models import Dispute, Evidence
from arbitration.presentation import Availability, dispute_next_step, order_timeline
from arbitration.web.actions import DisputeActionView, reader_dispute
from arbitration.web.answers import (
    AcceptClaimView,
    AcceptOfferView,
    DeclineOfferView,
    OfferView,
    RejectView,
    accept_claim_effect,
)
from arbitration.web.claims import AmendView, EscalateView, MessageView
from arbitration.web.returns import ReturnAcknowledgeView, ReturnShipView
from marketplace.selectors import order_money_trail
from marketplace.web.access import AuthenticatedRequest

# The forms the page shows inline, by their name in it (``<name>_form``); each posts to its view.
INLINE: dict[str, type[DisputeActionView]] = {
    "message": MessageView,
    "amend": AmendView,
    "accept_claim": AcceptClaimView,
    "make_offer": OfferView,
    "reject_claim": RejectView,
    "accept_offer": AcceptOfferView,
    "decline_offer": DeclineOfferView,
    "escalate": EscalateView,
    "ship_return": ReturnShipView,
    "acknowledge_return": ReturnAcknowledgeView,
}


@login_required
def dispute_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dispute, availability = reader_dispute(request, pk)
    return render(request, "arbitration/dispute_detail.html", dispute_context(request, dispute, availability))


def dispute_context(
    request: AuthenticatedRequest, dispute: Dispute, availability: Availability
) -> dict[str, Any]:
    """Everything the dispute page shows, with a form for each action the reader may take now.

    Reads what the case has (files, complaints, decisions …) in as few queries as it can: the
    page is the one buyers and sellers reload most.
    """
    role = availability.role
    assert role is not None  # reader_dispute lets only the buyer and the seller in
    order = dispute.order
    # Every file of the case in one query, handed out to its message or complaint.
    evidence = list(dispute.evidence.order_by("created_at", "id"))
    files_of: dict[tuple[str, int | None], list[Evidence]] = defaultdict(list)
    for item in evidence:
        if item.message_id:
            files_of["message", item.message_id].append(item)
        elif item.complaint_id:
            files_of["complaint", item.complaint_id].append(item)
        else:
            files_of["case", None].append(item)
    # Each message and complaint with its files.
    thread = [(message, files_of["message", message.pk]) for message in dispute.messages.all()]
    complaints = (
        [(c, files_of["complaint", c.pk]) for c in dispute.complaints.order_by("-opened_at")]
        if dispute.is_closed
        else []
    )
    try:
        return_shipment = dispute.return_shipment
    except Dispute.return_shipment.RelatedObjectDoesNotExist:
        return_shipment = None
    context: dict[str, Any] = {
        "dispute": dispute,
        "order": order,
        "role": role,
        "availability": availability,
        "actions": availability.actions,
        "labels": dict(availability.labelled),  # the transitions' own labels, for headings and buttons
        "next": dispute_next_step(dispute, role, availability),
        "claim_versions": list(reversed(dispute.claim_versions.all())) if dispute.amendments_used else [],
        "amendments_left": dispute.amendments_left(),
        "max_amendments": settings.MAX_DISPUTE_AMENDMENTS,
        "offers": list(reversed(dispute.offers.all())),  # prefetched oldest first; newest on top
        "pending_offer": dispute.pending_offer(),  # from the prefetched offers
        "thread": thread,
        "dispute_evidence": files_of["case", None],
        "return_shipment": return_shipment,
        "decisions": list(dispute.decisions.all()) if dispute.escalation_count else [],
        "complaints": complaints,
        "my_requests": [r for r in availability.open_requests if r.party == role],
        "timeline": order_timeline(order, request.user, dispute=dispute, only_dispute=True),
        "trail": order_money_trail(order, include_penalties=role == "seller") if dispute.is_closed else None,
    }
    # Inline forms, only for the actions this reader may take now (R-DSP-10), built as their own
    # pages build them. Each has its own id prefix, so labels stay unique on the page.
    remaining = max(0, settings.EVIDENCE_MAX_FILES_PER_DISPUTE - len(evidence))
    for name, view in INLINE.items():
        if view.offered(availability.actions):
            context[f"{name}_form"] = view.make_form(dispute, remaining=remaining, auto_id=f"{name}_%s")
    if "accept_claim" in availability.actions:
        context["accept_claim_effect"] = accept_claim_effect(dispute)
    return context
