"""The seller's answers to a claim and the buyer's answers to an offer (R-DSP-5)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration.events import dispute_payload, offer_payload
from arbitration.models import (
    Dispute,
    Message,
    Offer,
    WantedResolution,
)
from arbitration.services.base import NOTE_MAX_CHARS, _allow, _bounded, _lock_dispute, _text, refund_within
from arbitration.services.disputes import _close, _refund_amount_for_claim, _withdraw_pending_offers
from arbitration.services.messages import _post
from arbitration.services.returns import _start_return
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.events import emit
from marketplace.models import User
from marketplace.notifications import notify


def dispute_seller_accept(*, dispute: Dispute, actor: User, return_address: str = "") -> Dispute:
    """The seller accepts the claim as stated: closes it with the refund asked, or starts the return."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "accept_claim", actor)
        # Fix: back in arbitration after a problem with the return (R-RET-2), the item already
        # travelled once; accepting the claim then refunds it (a second return is impossible and
        # _start_return would answer the seller with a message meant for arbiters).
        returned_before = hasattr(dispute, "return_shipment")
        if dispute.resolution == WantedResolution.RETURN_AND_REFUND and not returned_before:
            dispute.accept_claim(by=actor, needs_return=True, description="Accepted: return and refund")
            _start_return(
                dispute, address=return_address or actor.return_address, refund_amount=dispute.order.amount
            )
            _withdraw_pending_offers(dispute, timezone.now())
        else:
            amount = _refund_amount_for_claim(dispute)
            dispute.accept_claim(by=actor, description=f"Accepted: refund {amount}")
            _close(
                dispute,
                outcome=Dispute.Outcome.SELLER_ACCEPTED,
                refund_amount=amount,
                actor=actor,
                reason="The seller accepted the buyer's claim",
                key_suffix="resolution",
            )
        dispute.save()
    return dispute


def dispute_make_offer(
    *,
    dispute: Dispute,
    actor: User,
    kind: str,
    amount: money.Amount | None = None,
    return_address: str = "",
    note: str = "",
) -> Offer:
    """A partial refund, or return-and-refund with an address; one pending offer at a time."""
    note = _bounded(note, limit=NOTE_MAX_CHARS)
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "make_offer", actor)  # one pending offer at a time: the condition says so
        paid = dispute.order.amount
        if kind == Offer.Kind.PARTIAL_REFUND:
            value = refund_within(
                amount,
                ceiling=paid,
                refusal=_(
                    "A partial refund must be more than 0 and less than %(paid)s %(currency)s; to refund "
                    "everything, accept the claim."
                )
                % {"paid": paid, "currency": dispute.order.currency},
            )
            address = ""
        elif kind == Offer.Kind.RETURN_AND_REFUND:
            value = refund_within(
                paid if amount in (None, "") else amount,
                ceiling=paid,
                whole_allowed=True,
                refusal=_("The refund after the return must be more than 0 and at most %(paid)s.")
                % {"paid": paid},
            )
            address = _text(
                return_address or actor.return_address,
                _("A return needs the address the buyer should send the item to."),
            )
        else:
            raise DomainError(_("Choose a partial refund or a return and refund."))
        dispute.make_offer(by=actor, description=f"Offer: {Offer.Kind(kind).label} {value}")
        offer = Offer.objects.create(
            dispute=dispute,
            kind=kind,
            amount=value,
            return_address=address,
            note=note,
            created_by=actor,
        )
        if offer.note:
            _post(dispute, actor=actor, role=Message.Role.SELLER, body=offer.note)
        dispute.save()
        notify(
            "dispute_offer_made",
            order=dispute.order,
            context={"dispute_id": dispute.pk, "kind": kind, "offer_amount": str(value)},
        )
        emit(
            "dispute.offer_made",
            order=dispute.order,
            data=dispute_payload(dispute, offer=offer_payload(offer, dispute.order.currency)),
        )
    return offer


def dispute_reject_claim(
    *, dispute: Dispute, actor: User, explanation: str, files: Iterable[UploadedFile[bytes]] = ()
) -> Dispute:
    """The seller disagrees, with an explanation and evidence. It never closes the dispute (R-DSP-4)."""
    explanation = _text(
        explanation, _("Explain why you reject the claim; the buyer and arbiters will read it.")
    )
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "reject_claim", actor)
        dispute.reject_claim(by=actor, description="The seller rejected the claim")
        dispute.seller_rejected_at = timezone.now()
        dispute.seller_rejection = explanation
        _post(dispute, actor=actor, role=Message.Role.SELLER, body=explanation, files=files)
        dispute.save()
        notify("dispute_answered", order=dispute.order, context={"dispute_id": dispute.pk})
        emit(
            "dispute.answered",
            order=dispute.order,
            data=dispute_payload(dispute, answer="rejected", explanation=explanation),
        )
    return dispute


def dispute_accept_offer(*, dispute: Dispute, actor: User, offer_id: int | None = None) -> Dispute:
    """The buyer accepts the pending offer: closes with its terms, or starts the return."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "accept_offer", actor)
        offer = dispute.offers.select_for_update().get(status=Offer.Status.PENDING)
        if offer_id is not None and offer.pk != offer_id:
            raise DomainError(_("That offer is no longer open; reload the page to see the current one."))
        needs_return = offer.kind == Offer.Kind.RETURN_AND_REFUND
        dispute.accept_offer(
            by=actor,
            needs_return=needs_return,
            description=f"Offer accepted: {offer.get_kind_display()} {offer.amount}",
        )
        offer.status, offer.answered_at = Offer.Status.ACCEPTED, timezone.now()
        offer.save(update_fields=["status", "answered_at"])
        if needs_return:
            _start_return(dispute, address=offer.return_address, refund_amount=offer.amount)
        else:
            _close(
                dispute,
                outcome=Dispute.Outcome.OFFER_ACCEPTED,
                refund_amount=offer.amount,
                actor=actor,
                reason="The buyer accepted the seller's offer",
                key_suffix="resolution",
            )
        dispute.save()
        notify(
            "dispute_offer_answered",
            order=dispute.order,
            context={"dispute_id": dispute.pk, "accepted": True},
        )
        emit(
            "dispute.offer_answered",
            order=dispute.order,
            data=dispute_payload(dispute, offer=offer_payload(offer, dispute.order.currency)),
        )
    return dispute


def dispute_decline_offer(*, dispute: Dispute, actor: User, reason: str = "") -> Dispute:
    reason = _bounded(reason, limit=NOTE_MAX_CHARS)
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "decline_offer", actor)
        dispute.decline_offer(by=actor, description="The buyer declined the offer")
        now = timezone.now()
        dispute.offers.filter(status=Offer.Status.PENDING).update(
            status=Offer.Status.DECLINED, answered_at=now
        )
        dispute.forget_facts()
        dispute.buyer_declined_offer_at = now
        if reason.strip():
            _post(dispute, actor=actor, role=Message.Role.BUYER, body=reason.strip())
        dispute.save()
        notify(
            "dispute_offer_answered",
            order=dispute.order,
            context={"dispute_id": dispute.pk, "accepted": False},
        )
        declined = dispute.offers.filter(status=Offer.Status.DECLINED).order_by("-answered_at", "-pk").first()
        assert declined is not None  # declined just now, under the dispute's lock
        emit(
            "dispute.offer_answered",
            order=dispute.order,
            data=dispute_payload(dispute, offer=offer_payload(declined, dispute.order.currency)),
        )
    return dispute
