"""Acting for a buyer or a seller (R-API-4): every action a person takes on the web, through the same
services, for the marketplace's own apps (scope ``disputes:act``).

The caller names the person it acts for (``acting_as``: the party and the person's marketplace
id). The person must belong to the caller's account and be that party of the order or dispute,
else 404: a client never learns whether another account's case exists (R-SEC-1). Each endpoint
checks the shape of its input with its schema (422 naming the field) and calls the one service
the web form calls; a refusal of the service is answered with the very text the web shows beside
its form (R-API-6). The dispute comes back with what each party may do next (``allowed_actions``,
computed by ``available_actions`` as the web's buttons are, R-DSP-10).

Evidence travels as multipart/form-data (the files through the same checks as the web's uploads,
R-EVD-1..3); there the person is named by two form fields, ``acting_party`` and
``acting_external_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Router, Schema, UploadedFile

from arbitration import services
from arbitration.api.acting_schemas import (
    AcceptClaimIn,
    AcceptOfferIn,
    Acting,
    ActingAs,
    AmendIn,
    ComplaintForm,
    DeclineOfferIn,
    DisputeOpenIn,
    EvidenceForm,
    ExtensionDeclineIn,
    ExtensionIn,
    MessageIn,
    OfferIn,
    RejectIn,
    ReturnAcknowledgeForm,
    ReturnShipIn,
    SafetyReportForm,
    WithdrawIn,
)
from arbitration.api.reads import dispute_detail_out, disputes_of, safety_report_out, safety_reports_of
from arbitration.api.schemas import DisputeDetailOut, SafetyReportOut
from arbitration.evidence import EvidenceRejected
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.actors import party_of
from marketplace.api.auth import client_of, require_scope
from marketplace.api.errors import ApiProblem
from marketplace.api.idempotency import Answer, idempotent
from marketplace.api.orders import order_of
from marketplace.api.schemas import ObjectId
from marketplace.models import ApiClient, ExtensionRequest, Order, Scope, User

# --- Who acts, on what -----------------------------------------------------------------------


NO_PERSON = {
    "buyer": gettext_lazy("No buyer with this marketplace id in your account."),
    "seller": gettext_lazy("No seller with this marketplace id in your account."),
}
NOT_THEIRS = {
    "buyer": gettext_lazy("No such dispute or order for this buyer."),
    "seller": gettext_lazy("No such dispute or order for this seller."),
}


def _not_found(detail: str) -> ApiProblem:
    return ApiProblem(404, detail, kind="not-found")


def _person(client: ApiClient, party: str, external_id: str) -> User:
    """The named person of the caller's account; 404 for anyone else (R-API-1)."""
    person = User.objects.filter(
        account=client.account, external_id=external_id, is_system=False, is_active=True
    ).first()
    if person is None:
        raise _not_found(str(NO_PERSON[party]))
    return person


def _party_check(case: Order | Dispute, person: User, party: str) -> None:
    # Someone who is not this party of this case gets the same 404 as a case that does not exist.
    if party_of(case, person) != party:
        raise _not_found(str(NOT_THEIRS[party]))


def _acting_dispute(
    request: HttpRequest, dispute_id: ObjectId, party: str, external_id: str
) -> tuple[Dispute, User]:
    client = require_scope(request, Scope.DISPUTES_ACT)
    dispute = (
        Dispute.objects.select_related("order").filter(pk=dispute_id, order__account=client.account).first()
    )
    person = _person(client, party, external_id)
    if dispute is None:
        raise _not_found(str(NOT_THEIRS[party]))
    _party_check(dispute, person, party)
    return dispute, person


def _acting_order(request: HttpRequest, ref: str, party: str, external_id: str) -> tuple[Order, User]:
    """The caller's order by our id or ``ext:<its id>`` (as the order endpoints take it)."""
    client = require_scope(request, Scope.DISPUTES_ACT)
    person = _person(client, party, external_id)
    try:
        order = order_of(client, ref)
    except Order.DoesNotExist:
        raise _not_found(str(NOT_THEIRS[party])) from None
    _party_check(order, person, party)
    return order, person


def _answer(request: HttpRequest, dispute: Dispute, status: int = 200) -> Answer:
    """The dispute after the action, as ``GET /disputes/{id}`` shows it, with what each party may
    do now."""
    rows = disputes_of(client_of(request)).select_related("buyer", "seller")
    return status, dispute_detail_out(rows.get(pk=dispute.pk))


def _act(request: HttpRequest, write: Callable[[], Answer]) -> HttpResponse:
    """Run the action once per Idempotency-Key (R-API-3); a key without disputes:act is 403 first."""
    client = require_scope(request, Scope.DISPUTES_ACT)
    return idempotent(request, client, write)


# --- The actions -----------------------------------------------------------------------------

router = Router(tags=["Acting for a buyer or seller"])
DISPUTE: dict[int, Any] = {200: DisputeDetailOut, 201: DisputeDetailOut}
SomeFiles = File[list[UploadedFile] | None]


@contextmanager
def _files_checked() -> Iterator[None]:
    """A refused file is a refusal of the ``files`` field: each file's reason, as the web shows it."""
    try:
        yield
    except EvidenceRejected as exc:
        raise ApiProblem(
            422, exc.message_text, kind="refused", errors=[("files", message) for message in exc.messages]
        ) from None


def _dispute(request: HttpRequest, dispute_id: ObjectId, acting: ActingAs) -> tuple[Dispute, User]:
    return _acting_dispute(request, dispute_id, acting.party, acting.external_id)


@router.post("/orders/{ref}/dispute", response={201: DisputeDetailOut})
def dispute_open(request: HttpRequest, ref: str, payload: DisputeOpenIn):
    """The buyer opens the order's one dispute (R-DSP-1, R-DSP-2); evidence follows through
    ``POST /disputes/{id}/evidence``."""

    def write() -> Answer:
        order, buyer = _acting_order(request, ref, payload.acting_as.party, payload.acting_as.external_id)
        dispute = services.dispute_open(
            order=order,
            actor=buyer,
            reason=payload.reason,
            resolution=payload.resolution,
            description=payload.description,
            requested_amount=payload.requested_amount,
        )
        return _answer(request, dispute, 201)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/amend", response=DISPUTE)
def dispute_amend(request: HttpRequest, dispute_id: ObjectId, payload: AmendIn):
    """The buyer changes the claim, at most MAX_DISPUTE_AMENDMENTS times; every version is kept (R-DSP-3)."""

    def write() -> Answer:
        dispute, buyer = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_amend(
            dispute=dispute,
            actor=buyer,
            reason=payload.reason,
            resolution=payload.resolution,
            description=payload.description,
            requested_amount=payload.requested_amount,
        )
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/messages", response=DISPUTE)
def dispute_message(request: HttpRequest, dispute_id: ObjectId, payload: MessageIn):
    """A message in the dispute's thread (R-DSP-7); not an amendment, any number."""

    def write() -> Answer:
        dispute, person = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_post_message(dispute=dispute, actor=person, body=payload.body)
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/evidence", response=DISPUTE)
def dispute_evidence(
    request: HttpRequest, dispute_id: ObjectId, form: Form[EvidenceForm], files: SomeFiles = None
):
    """Files for the dispute (multipart/form-data, field ``files`` once per file), with an optional
    message: the same checks of type, size and content as the web's uploads (R-EVD-1..3)."""

    def write() -> Answer:
        dispute, person = _acting_dispute(request, dispute_id, form.acting_party, form.acting_external_id)
        with _files_checked():
            services.dispute_post_message(dispute=dispute, actor=person, body=form.body, files=files or [])
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/accept-claim", response=DISPUTE)
def dispute_accept_claim(request: HttpRequest, dispute_id: ObjectId, payload: AcceptClaimIn):
    """The seller accepts the claim as stated: the refund asked, or the return first (R-DSP-5)."""

    def write() -> Answer:
        dispute, seller = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_seller_accept(dispute=dispute, actor=seller, return_address=payload.return_address)
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/offers", response=DISPUTE)
def dispute_make_offer(request: HttpRequest, dispute_id: ObjectId, payload: OfferIn):
    """The seller offers a partial refund, or a return and refund; one pending offer at a time (R-DSP-5)."""

    def write() -> Answer:
        dispute, seller = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_make_offer(
            dispute=dispute,
            actor=seller,
            kind=payload.kind,
            amount=payload.amount,
            return_address=payload.return_address,
            note=payload.note,
        )
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/accept-offer", response=DISPUTE)
def dispute_accept_offer(request: HttpRequest, dispute_id: ObjectId, payload: AcceptOfferIn):
    """The buyer accepts the pending offer: its refund now, or the return first (R-DSP-5)."""

    def write() -> Answer:
        dispute, buyer = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=payload.offer_id)
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/decline-offer", response=DISPUTE)
def dispute_decline_offer(request: HttpRequest, dispute_id: ObjectId, payload: DeclineOfferIn):
    """The buyer declines the pending offer; they may then escalate (R-DSP-5, R-DSP-6)."""

    def write() -> Answer:
        dispute, buyer = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_decline_offer(dispute=dispute, actor=buyer, reason=payload.reason)
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/reject", response=DISPUTE)
def dispute_reject(request: HttpRequest, dispute_id: ObjectId, payload: RejectIn):
    """The seller rejects the claim with an explanation; it never closes the dispute (R-DSP-4).
    Evidence follows through ``POST /disputes/{id}/evidence``."""

    def write() -> Answer:
        dispute, seller = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_reject_claim(dispute=dispute, actor=seller, explanation=payload.explanation)
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/escalate", response=DISPUTE)
def dispute_escalate(request: HttpRequest, dispute_id: ObjectId, payload: Acting):
    """The buyer takes the dispute to arbitration early (R-DSP-6)."""

    def write() -> Answer:
        dispute, buyer = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_escalate(dispute=dispute, actor=buyer)
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/withdraw", response=DISPUTE)
def dispute_withdraw(request: HttpRequest, dispute_id: ObjectId, payload: WithdrawIn):
    """The buyer withdraws; the payment goes to the seller. Refused, with the warning the buyer must
    read, unless ``acknowledged`` (and, after a flagged seller message, the second one) is true (R-DSP-9)."""

    def write() -> Answer:
        dispute, buyer = _dispute(request, dispute_id, payload.acting_as)
        services.dispute_withdraw(
            dispute=dispute,
            actor=buyer,
            confirmed=payload.acknowledged,
            confirmed_despite_solicitation=payload.acknowledged_despite_solicitation,
        )
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/return/ship", response=DISPUTE)
def return_ship(request: HttpRequest, dispute_id: ObjectId, payload: ReturnShipIn):
    """The buyer shipped the item back (R-RET-1)."""

    def write() -> Answer:
        dispute, buyer = _dispute(request, dispute_id, payload.acting_as)
        services.return_ship(
            dispute=dispute, actor=buyer, carrier=payload.carrier, tracking_number=payload.tracking_number
        )
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/return/acknowledge", response=DISPUTE)
def return_acknowledge(
    request: HttpRequest, dispute_id: ObjectId, form: Form[ReturnAcknowledgeForm], files: SomeFiles = None
):
    """The seller confirms the return arrived (the buyer is refunded), or reports a problem with a
    note and evidence (back to arbitration, R-RET-2). multipart/form-data."""

    def write() -> Answer:
        dispute, seller = _acting_dispute(request, dispute_id, form.acting_party, form.acting_external_id)
        with _files_checked():
            services.return_acknowledge(
                dispute=dispute,
                actor=seller,
                acknowledgement=form.acknowledgement,
                note=form.note,
                files=files or [],
            )
        return _answer(request, dispute)

    return _act(request, write)


@router.post("/disputes/{dispute_id}/complaints", response=DISPUTE)
def complaint_file(
    request: HttpRequest, dispute_id: ObjectId, form: Form[ComplaintForm], files: SomeFiles = None
):
    """After closure the buyer complains to arbitration: the agreed refund did not arrive, or the
    seller broke an agreement (R-CMP-1). multipart/form-data, evidence optional."""

    def write() -> Answer:
        dispute, buyer = _acting_dispute(request, dispute_id, form.acting_party, form.acting_external_id)
        with _files_checked():
            services.complaint_file(
                dispute=dispute, actor=buyer, kind=form.kind, description=form.description, files=files or []
            )
        return _answer(request, dispute, 201)

    return _act(request, write)


# --- Order-level actions: unsafe products, protection -------------------------------------------


@router.post("/orders/{ref}/safety-reports", response={201: SafetyReportOut})
def safety_report_file(request: HttpRequest, ref: str, form: Form[SafetyReportForm], files: SomeFiles = None):
    """The buyer reports the product as dangerous, any time, even after protection ended (R-SAF-1).
    multipart/form-data, evidence optional."""

    def write() -> Answer:
        order, buyer = _acting_order(request, ref, form.acting_party, form.acting_external_id)
        with _files_checked():
            report = services.safety_report_file(
                order=order, actor=buyer, description=form.description, files=files or []
            )
        return 201, safety_report_out(safety_reports_of(client_of(request)).get(pk=report.pk))

    return _act(request, write)


class ExtensionRequestOut(Schema):
    id: int
    order_id: int
    days: int
    reason: str
    status: ExtensionRequest.Status
    decline_reason: str
    created_at: datetime
    answered_at: datetime | None
    protection_deadline: datetime | None = Field(description="The order's protection deadline now.")

    @staticmethod
    def resolve_protection_deadline(obj: ExtensionRequest) -> datetime | None:
        return obj.order.protection_deadline


def _extension_out(extension: ExtensionRequest) -> ExtensionRequestOut:
    return ExtensionRequestOut.from_orm(ExtensionRequest.objects.select_related("order").get(pk=extension.pk))


def _extension(order: Order, request_id: ObjectId) -> ExtensionRequest:
    extension = ExtensionRequest.objects.select_related("order").filter(pk=request_id, order=order).first()
    if extension is None:
        raise _not_found(_("No such extension request on this order."))
    return extension


@router.post("/orders/{ref}/extension-requests", response={201: ExtensionRequestOut})
def extension_request(request: HttpRequest, ref: str, payload: ExtensionIn):
    """The buyer asks the seller for more protection days (R-PRT-4)."""

    def write() -> Answer:
        order, buyer = _acting_order(request, ref, payload.acting_as.party, payload.acting_as.external_id)
        extension = money.extension_request_create(
            order=order, actor=buyer, days=payload.days, reason=payload.reason
        )
        return 201, _extension_out(extension)

    return _act(request, write)


@router.post("/orders/{ref}/extension-requests/{request_id}/grant", response=ExtensionRequestOut)
def extension_grant(request: HttpRequest, ref: str, request_id: ObjectId, payload: Acting):
    """The seller grants the days asked: the protection deadline moves (R-PRT-4)."""

    def write() -> Answer:
        order, seller = _acting_order(request, ref, payload.acting_as.party, payload.acting_as.external_id)
        extension = money.extension_grant(request=_extension(order, request_id), actor=seller)
        return 200, _extension_out(extension)

    return _act(request, write)


@router.post("/orders/{ref}/extension-requests/{request_id}/decline", response=ExtensionRequestOut)
def extension_decline(request: HttpRequest, ref: str, request_id: ObjectId, payload: ExtensionDeclineIn):
    """The seller declines; owed automatically once the deadline passed unanswered (R-PRT-4)."""

    def write() -> Answer:
        order, seller = _acting_order(request, ref, payload.acting_as.party, payload.acting_as.external_id)
        extension = money.extension_decline(
            request=_extension(order, request_id), actor=seller, reason=payload.reason
        )
        return 200, _extension_out(extension)

    return _act(request, write)
