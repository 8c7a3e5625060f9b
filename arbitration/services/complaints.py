"""Complaints after closure (R-CMP-1) and the ones opened for overdue refunds (R-REF-4)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arbitration.events import complaint_payload
from arbitration.evidence import evidence_add
from arbitration.models import (
    Complaint,
    Dispute,
)
from arbitration.services.base import NOTE_MAX_CHARS, _allow, _bounded, _lock_dispute, _log_event, _text
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.events import emit
from marketplace.models import Refund, User
from marketplace.notifications import notify


def _lock_complaint(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("dispute__order")
        .get(pk=complaint_id)
    )


NO_REFUND_AGREED = gettext_lazy(
    "This dispute closed without a refund, so there is none to wait for. If the seller broke an "
    "agreement, choose that and describe what was agreed."
)


def complaint_file(
    *, dispute: Dispute, actor: User, kind: str, description: str, files: Iterable[UploadedFile[bytes]] = ()
) -> Complaint:
    """The buyer complains after closure: the refund did not arrive or the seller broke an agreement."""
    if kind not in (Complaint.Kind.REFUND_NOT_RECEIVED, Complaint.Kind.AGREEMENT_BROKEN):
        raise DomainError(_("Choose what the complaint is about."))
    description = _text(description, _("Describe what happened and what was agreed."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if actor.pk != dispute.buyer_id:
            raise DomainError(_("Only the buyer can file a complaint about this dispute."))
        if not dispute.is_closed:
            raise DomainError(_("The dispute is still open: write in it or escalate it instead."))
        if dispute.complaints.exclude(state=Complaint.State.DECIDED).exists():
            raise DomainError(_("A complaint about this dispute is already with arbitration."))
        if kind == Complaint.Kind.REFUND_NOT_RECEIVED and dispute.refund_id is None:
            raise DomainError(NO_REFUND_AGREED)
        complaint = Complaint.objects.create(
            dispute=dispute,
            refund=dispute.refund,
            kind=kind,
            description=description,
            filed_by=actor,
            deadline_at=timezone.now() + timedelta(days=settings.ARBITER_DECISION_DAYS),
        )
        evidence_add(uploaded_by=actor, files=files, dispute=dispute, complaint=complaint)
        _log_event(complaint, name="file", actor=actor, description=complaint.get_kind_display())
        notify(
            "complaint_filed",
            order=dispute.order,
            context={"complaint_id": complaint.pk, "dispute_id": dispute.pk},
        )
        emit("complaint.opened", order=dispute.order, data=complaint_payload(complaint))
    return complaint


def refund_overdue_open_complaint(*, refund: Refund, actor: User) -> bool:
    """Flag an overdue refund and open a complaint for the buyer, in one transaction (R-REF-4)."""
    with transaction.atomic():
        dispute = _dispute_of_refund(refund)
        if dispute is not None:
            # Locked before the refund, in the order every dispute service locks, so the buyer
            # filing a complaint at the same moment waits and then finds this one (R-SEC-4).
            dispute = _lock_dispute(dispute.pk)
        if not money.refund_flag_overdue(refund=refund, actor=actor):
            return False
        if dispute is None or dispute.complaints.exclude(state=Complaint.State.DECIDED).exists():
            return True  # flagged; the buyer's own complaint is already with arbitration
        complaint = Complaint.objects.create(
            dispute=dispute,
            refund=refund,
            kind=Complaint.Kind.REFUND_OVERDUE,
            filed_by=actor,
            description=_("The refund of %(amount)s %(currency)s was due on %(due)s and has not been paid.")
            % {
                "amount": refund.amount,
                "currency": refund.currency,
                "due": timezone.localtime(refund.due_at).date().isoformat(),
            },
            deadline_at=timezone.now() + timedelta(days=settings.ARBITER_DECISION_DAYS),
        )
        _log_event(complaint, name="file", actor=actor, description="Opened automatically: refund overdue")
        emit("complaint.opened", order=dispute.order, data=complaint_payload(complaint))
    return True


def _dispute_of_refund(refund: Refund) -> Dispute | None:
    dispute = Dispute.objects.filter(refund=refund).first()
    if dispute is not None:
        return dispute
    complaint = Complaint.objects.filter(new_refund=refund).select_related("dispute").first()
    return complaint.dispute if complaint else Dispute.objects.filter(order_id=refund.order_id).first()


def complaint_decide(
    *,
    complaint: Complaint,
    actor: User,
    outcome: str,
    rationale: str,
    refund_amount: money.Amount | None = None,
    penalty_amount: money.Amount | None = None,
    penalty_reason: str = "",
    new_destination: str = "",
) -> Complaint:
    """Decide a complaint like a dispute (R-CMP-1): re-issue the refund (a failed one may go to a
    ``new_destination`` the buyer gave), refund from the seller's balance, confirm it was paid,
    or reject; optionally penalise the seller."""
    rationale = _text(rationale, _("Write the rationale: the buyer and the seller will read it."))
    penalty_reason = _bounded(penalty_reason, limit=NOTE_MAX_CHARS)
    new_destination = _bounded(new_destination, limit=100)  # Refund.destination
    with transaction.atomic():
        complaint = _lock_complaint(complaint.pk)
        _allow(complaint, "decide", actor)
        complaint.decide(
            by=actor,
            description=Complaint.Outcome(outcome).label if outcome in Complaint.Outcome.values else "",
        )
        order = complaint.dispute.order
        refund = (
            Refund.objects.select_for_update().get(pk=complaint.refund_id) if complaint.refund_id else None
        )
        if outcome == Complaint.Outcome.REISSUE_REFUND:
            if refund is None:
                raise DomainError(
                    _("There is no refund to re-issue; refund from the seller's balance instead.")
                )
            if refund.state == Refund.State.FAILED:
                money.refund_retry(
                    refund=refund,
                    actor=actor,
                    authorized_by=f"ordered by complaint #{complaint.pk}",
                    destination=new_destination,
                )
            elif refund.state == Refund.State.PENDING:
                money.refund_send(refund=refund, actor=actor)
            else:
                raise DomainError(
                    _(
                        "The refund is “%(state)s”. Re-issue only a pending or failed refund; ask "
                        "finance to record a "
                        "sent payout's outcome first, so the buyer is never paid twice."
                    )
                    % {"state": refund.get_state_display()}
                )
        elif outcome == Complaint.Outcome.REFUND_FROM_SELLER:
            complaint.new_refund = money.refund_create_from_seller(
                order=order,
                amount=refund_amount if refund_amount not in (None, "") else "0",
                actor=actor,
                reason=f"Complaint #{complaint.pk}: refund from the seller's balance",
                idempotency_key=f"complaint:{complaint.pk}:refund",
            )
            complaint.refund_amount = complaint.new_refund.amount
        elif outcome == Complaint.Outcome.CONFIRMED_PAID:
            if refund is None or refund.state != Refund.State.COMPLETED:
                raise DomainError(
                    _(
                        "The refund is not recorded as paid; finance must mark it completed with the "
                        "payout reference first."
                    )
                )
        elif outcome != Complaint.Outcome.REJECTED:
            raise DomainError(_("Choose the decision."))
        if penalty_amount not in (None, ""):
            complaint.penalty_amount = money.seller_penalize(
                order=order,
                amount=penalty_amount,
                reason=penalty_reason,
                actor=actor,
                idempotency_key=f"complaint:{complaint.pk}",
            ).amount
            complaint.penalty_reason = penalty_reason.strip()
        complaint.outcome, complaint.rationale = outcome, rationale
        complaint.decided_by, complaint.decided_at = actor, timezone.now()
        complaint.save()
        notify(
            "complaint_decided",
            order=order,
            context={
                "complaint_id": complaint.pk,
                "outcome": outcome,
                "rationale": rationale,
                # R-ARB-5: the seller reads the penalty and its reason (the emails show it to them only).
                "penalty_amount": str(complaint.penalty_amount) if complaint.penalty_amount else "",
                "penalty_reason": complaint.penalty_reason,
            },
        )
        emit("complaint.decided", order=order, data=complaint_payload(complaint))
    return complaint
