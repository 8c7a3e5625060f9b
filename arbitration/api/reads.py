"""Disputes, complaints and safety reports, read (R-API-4); scope ``disputes:read``.

Each is the caller's account's only (another's is a 404), cursor-paginated with ``updated_since``
(``marketplace.api.pagination``). A dispute read lists, per party, exactly the actions that party
may take now: ``available_actions``, the function the web's buttons come from (R-DSP-10).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from arbitration.api.schemas import (
    AllowedActions,
    ClaimVersionOut,
    ComplaintOut,
    ComplaintPage,
    DeadlineOut,
    DisputeDetailOut,
    DisputeOut,
    DisputePage,
    EvidenceOut,
    InformationRequestOut,
    MessageOut,
    OfferOut,
    SafetyReportOut,
    SafetyReportPage,
    TurnOut,
)
from arbitration.events import (
    complaint_payload,
    dispute_payload,
    disputes_payloads,
    offer_payload,
    safety_report_payload,
)
from arbitration.models import Complaint, Dispute, Evidence, SafetyReport
from arbitration.presentation import available_actions
from arbitration.selectors import turn_prefetch
from marketplace.api.auth import require_scope
from marketplace.api.pagination import ListParams, paginate, with_updated_at
from marketplace.api.schemas import ObjectId
from marketplace.events import amount, moment
from marketplace.models import ApiClient, Scope

router = Router(tags=["disputes"])

# The events that change a dispute (its returns' too), a complaint, a safety report.
DISPUTE_EVENTS = ["dispute.", "return."]


def _updated(obj: object) -> str | None:
    return moment(getattr(obj, "updated_at", None))


def disputes_of(client: ApiClient) -> QuerySet[Dispute]:
    rows = Dispute.objects.filter(order__account=client.account).select_related("order")
    return with_updated_at(rows, created="opened_at", order_field="order_id", types=DISPUTE_EVENTS)


def dispute_out(dispute: Dispute) -> DisputeOut:
    return DisputeOut(**dispute_payload(dispute), updated_at=_updated(dispute))


def disputes_out(page: list[Dispute]) -> list[DisputeOut]:
    """A page of disputes with one lookup of their people."""
    return [
        DisputeOut(**payload, updated_at=_updated(dispute))
        for dispute, (_order, payload) in zip(page, disputes_payloads(page), strict=True)
    ]


def _uploader(evidence: Evidence, dispute: Dispute) -> str:
    if evidence.uploaded_by_id == dispute.buyer_id:
        return "buyer"
    if evidence.uploaded_by_id == dispute.seller_id:
        return "seller"
    return "arbiter"


def dispute_detail_out(dispute: Dispute) -> DisputeDetailOut:
    currency = dispute.order.currency
    evidence = list(
        Evidence.objects.filter(Q(dispute=dispute) | Q(message__dispute=dispute)).order_by("created_at", "id")
    )
    by_message: dict[int, list[int]] = {}
    for item in evidence:
        if item.message_id is not None:
            by_message.setdefault(item.message_id, []).append(item.pk)
    requests = list(dispute.information_requests.order_by("created_at", "id"))
    buyer_side = available_actions(dispute, dispute.buyer, information_requests=requests)
    seller_side = available_actions(dispute, dispute.seller, information_requests=requests)
    turn, deadline = buyer_side.turn, buyer_side.deadline
    return DisputeDetailOut(
        **dispute_out(dispute).model_dump(),
        claim_versions=[
            ClaimVersionOut(
                number=version.number,
                reason=version.reason,
                resolution=version.resolution,
                requested_amount=amount(version.requested_amount),
                description=version.description,
                created_at=moment(version.created_at),
            )
            for version in dispute.claim_versions.all()  # prefetched, by number
        ],
        offers=[
            OfferOut(**offer_payload(offer, currency))
            for offer in dispute.offers.all()  # prefetched, oldest first
        ],
        messages=[
            MessageOut(
                id=message.pk,
                role=message.role,
                body=message.body,
                flagged=message.is_flagged,
                created_at=moment(message.created_at),
                evidence=by_message.get(message.pk, []),
            )
            for message in dispute.messages.order_by("created_at", "id")
        ],
        evidence=[
            EvidenceOut(
                id=item.pk,
                kind=item.kind,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                original_name=item.original_name,
                uploaded_by=_uploader(item, dispute),
                message_id=item.message_id,
                created_at=moment(item.created_at),
            )
            for item in evidence
        ],
        information_requests=[
            InformationRequestOut(
                id=request.pk,
                party=request.party,
                question=request.question,
                due_at=moment(request.due_at),
                answered_at=moment(request.answered_at),
            )
            for request in requests
        ],
        turn=TurnOut(who=turn.who, what=str(turn.what)) if turn else TurnOut(who="nobody", what=""),
        next_deadline=DeadlineOut(at=moment(deadline.at), consequence=str(deadline.consequence))
        if deadline
        else None,
        allowed_actions=AllowedActions(buyer=buyer_side.actions, seller=seller_side.actions),
    )


@router.get("/disputes", response=DisputePage, summary="Disputes, oldest change first")
def dispute_list(request: HttpRequest, params: Query[ListParams]) -> dict:
    client = require_scope(request, Scope.DISPUTES_READ)
    return paginate(disputes_of(client), params, disputes_out)


@router.get("/disputes/{dispute_id}", response=DisputeDetailOut, summary="A dispute, all of it")
def dispute_get(request: HttpRequest, dispute_id: ObjectId) -> DisputeDetailOut:
    """The claim and its amendments, offers, messages, evidence metadata, information requests,
    whose turn it is, the next deadline, and ``allowed_actions`` per party (R-DSP-10)."""
    client = require_scope(request, Scope.DISPUTES_READ)
    rows = (
        disputes_of(client)
        .select_related("buyer", "seller")
        .prefetch_related(*turn_prefetch(), "claim_versions")
    )
    # The offers and the claim's versions are read once: the FSM conditions behind allowed_actions
    # (the pending offer, the amendments left) answer from them.
    return dispute_detail_out(rows.get(pk=dispute_id))


def complaints_of(client: ApiClient) -> QuerySet[Complaint]:
    rows = Complaint.objects.filter(dispute__order__account=client.account).select_related("dispute__order")
    return with_updated_at(rows, created="opened_at", order_field="dispute__order_id", types=["complaint."])


def complaint_out(complaint: Complaint) -> ComplaintOut:
    return ComplaintOut(**complaint_payload(complaint), updated_at=_updated(complaint))


@router.get(
    "/complaints", response=ComplaintPage, summary="Complaints, oldest change first", tags=["complaints"]
)
def complaint_list(request: HttpRequest, params: Query[ListParams]) -> dict:
    client = require_scope(request, Scope.DISPUTES_READ)
    return paginate(complaints_of(client), params, lambda page: [complaint_out(item) for item in page])


@router.get("/complaints/{complaint_id}", response=ComplaintOut, summary="A complaint", tags=["complaints"])
def complaint_get(request: HttpRequest, complaint_id: ObjectId) -> ComplaintOut:
    client = require_scope(request, Scope.DISPUTES_READ)
    return complaint_out(complaints_of(client).get(pk=complaint_id))


def safety_reports_of(client: ApiClient) -> QuerySet[SafetyReport]:
    rows = SafetyReport.objects.filter(order__account=client.account).select_related("order")
    return with_updated_at(rows, created="created_at", order_field="order_id", types=["safety_report."])


def safety_report_out(report: SafetyReport) -> SafetyReportOut:
    return SafetyReportOut(**safety_report_payload(report), updated_at=_updated(report))


@router.get(
    "/safety-reports",
    response=SafetyReportPage,
    summary="Safety reports, oldest change first",
    tags=["safety"],
)
def safety_report_list(request: HttpRequest, params: Query[ListParams]) -> dict:
    client = require_scope(request, Scope.DISPUTES_READ)
    return paginate(
        safety_reports_of(client), params, lambda page: [safety_report_out(item) for item in page]
    )


@router.get(
    "/safety-reports/{report_id}", response=SafetyReportOut, summary="A safety report", tags=["safety"]
)
def safety_report_get(request: HttpRequest, report_id: ObjectId) -> SafetyReportOut:
    client = require_scope(request, Scope.DISPUTES_READ)
    return safety_report_out(safety_reports_of(client).get(pk=report_id))
