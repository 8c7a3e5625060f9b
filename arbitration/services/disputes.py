"""Opening, amending, withdrawing, escalating and settling a dispute (R-DSP-1..R-DSP-4, R-DSP-6,
R-DSP-9, R-REF-1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration.events import dispute_payload, disputes_payloads
from arbitration.evidence import evidence_add
from arbitration.models import (
    ClaimVersion,
    Dispute,
    Message,
    Offer,
    Reason,
    WantedResolution,
    is_scheduler,
)
from arbitration.selectors import disputes_due_for_escalation
from arbitration.services.base import _allow, _lock_dispute, _log_event, _text, _when, refund_within
from marketplace import services as money
from marketplace.batches import claim
from marketplace.errors import DomainError
from marketplace.events import amount, emit, emit_many, people_refs
from marketplace.fsm import record_transitions
from marketplace.models import Order, User
from marketplace.notifications import notify, notify_batch, notify_many


def _claim_amount(order: Order, resolution: str, requested_amount: money.Amount | None) -> Decimal | None:
    """A partial refund asks for more than 0 and less than paid; other resolutions ask for none."""
    if resolution not in WantedResolution.values:
        raise DomainError(_("Choose the resolution you want."))
    if resolution != WantedResolution.PARTIAL_REFUND:
        return None
    if requested_amount in (None, ""):
        raise DomainError(_("Enter the amount you want back."))
    return refund_within(
        requested_amount,
        ceiling=order.amount,
        refusal=_(
            "A partial refund must be more than 0 and less than the %(amount)s %(currency)s you paid; "
            "for all of it choose a full refund."
        )
        % {"amount": order.amount, "currency": order.currency},
    )


def _refund_amount_for_claim(dispute: Dispute) -> Decimal:
    if dispute.resolution == WantedResolution.PARTIAL_REFUND and dispute.requested_amount is not None:
        return dispute.requested_amount  # a partial refund's claim always names it (_claim_amount)
    return dispute.order.amount


def _close(
    dispute: Dispute, *, outcome: str, refund_amount: Decimal, actor: User, reason: str, key_suffix: str
) -> None:
    """Close the dispute and settle the escrow in this transaction (R-REF-1, R-ESC-4)."""
    resolution = money.escrow_resolve(
        order=dispute.order,
        refund_amount=refund_amount,
        actor=actor,
        reason=reason,
        idempotency_key=f"dispute:{dispute.pk}:{key_suffix}",
    )
    dispute.refund = resolution.refund
    dispute.outcome = outcome
    dispute.closed_at = timezone.now()
    dispute.deadline_at = None
    dispute.forget_facts()
    _announce_closed([(dispute, refund_amount, resolution.released)], at=dispute.closed_at)


def _announce_closed(
    closed: list[tuple[Dispute, Decimal, Decimal]],
    *,
    at: datetime,
    notices: Iterable[tuple[str, Order, dict[str, object]]] = (),
) -> None:
    """What closing disputes ends and tells, for one or a sweep's batch, one statement each: the
    offers still pending are withdrawn, both parties told (the seller reads what they are paid,
    R-ESC-4) and the ``dispute.closed`` events written (R-API-5). ``closed`` holds each dispute
    (its closing fields set) with the amounts refunded and released; ``notices`` are the
    caller's other notices of the same closures, written with these."""
    Offer.objects.filter(
        dispute_id__in=[dispute.pk for dispute, _refunded, _released in closed], status=Offer.Status.PENDING
    ).update(status=Offer.Status.WITHDRAWN, answered_at=at)
    notify_batch(
        [
            (
                "dispute_closed",
                dispute.order,
                {
                    "dispute_id": dispute.pk,
                    "outcome": dispute.outcome,
                    "refund_amount": str(refunded),
                    "released_amount": str(released),
                },
            )
            for dispute, refunded, released in closed
        ]
        + list(notices)
    )
    people = people_refs(*{pk for dispute, _r, _s in closed for pk in (dispute.buyer_id, dispute.seller_id)})
    emit_many(
        "dispute.closed",
        [
            (dispute.order, dispute_payload(dispute, people=people, refund_amount=amount(refunded)))
            for dispute, refunded, _released in closed
        ],
    )


def _withdraw_pending_offers(dispute: Dispute, now: datetime) -> None:
    """An offer is open only while the parties talk: closing, escalating or agreeing a return ends it."""
    dispute.offers.filter(status=Offer.Status.PENDING).update(status=Offer.Status.WITHDRAWN, answered_at=now)
    dispute.forget_facts()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def disputes_escalate(
    *, rows: QuerySet[Dispute], limit: int, actor: User, transition: str, source: str, description: str
) -> list[int]:
    """Hand disputes to arbitration: the one definition of what escalating does (R-DSP-6, R-ARB-4),
    for a buyer's early escalation, a seller's return problem (R-RET-2) and the scheduler's sweep.

    Set-based: up to ``limit`` disputes of ``rows`` in state ``source`` are claimed and escalated in
    one statement (``claim``), then their pending offers are withdrawn, their transition audited and
    both parties notified with one statement each. A person's action is a batch of one. Returns the
    ids escalated; the caller holds the transaction (and reloads any instance it keeps).
    """
    now = timezone.now()
    ids = claim(
        rows.filter(state=source),
        limit=limit,
        changes={
            "state": Dispute.State.ESCALATED,
            "escalated_at": now,
            "escalation_count": F("escalation_count") + 1,
            "deadline_at": now + timedelta(days=settings.ARBITER_DECISION_DAYS),
            "assigned_arbiter": None,
            "assigned_at": None,
            "overdue_flagged_at": None,
        },
    )
    if not ids:
        return []
    Offer.objects.filter(dispute_id__in=ids, status=Offer.Status.PENDING).update(
        status=Offer.Status.WITHDRAWN, answered_at=now
    )
    record_transitions(
        Dispute,
        [(pk, source) for pk in ids],
        name=transition,
        target=Dispute.State.ESCALATED,
        by=actor,
        description=description,
        at=now,
    )
    escalated = list(Dispute.objects.filter(pk__in=ids).select_related("order"))  # read once, used twice
    notify_many(
        "dispute_escalated",
        [(d.order, {"dispute_id": d.pk, "decision_due": _iso(d.deadline_at)}) for d in escalated],
    )
    emit_many("dispute.escalated", disputes_payloads(escalated))
    return ids


def dispute_open(
    *,
    order: Order,
    actor: User,
    reason: str,
    resolution: str,
    description: str,
    requested_amount: money.Amount | None = None,
    files: Iterable[UploadedFile[bytes]] = (),
) -> Dispute:
    """The buyer opens the order's one dispute before the dispute deadline (R-DSP-1, R-DSP-2)."""
    if actor.pk != order.buyer_id:
        raise DomainError(_("Only the buyer can open a dispute on this order."))
    if reason not in Reason.values:
        raise DomainError(_("Choose what went wrong."))
    description = _text(description, _("Describe what happened, so the seller and arbiters understand."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        existing = Dispute.objects.filter(order=order).first()
        if existing is not None:
            raise DomainError(
                _(
                    "A dispute was already opened for this order on %(date)s; an order has one "
                    "dispute, and a "
                    "closed one can't be reopened. If the agreed refund has not arrived or the "
                    "seller broke an "
                    "agreement, file a complaint from that dispute's page."
                )
                % {"date": timezone.localtime(existing.opened_at).date().isoformat()}
            )
        amount = _claim_amount(order, resolution, requested_amount)
        money.escrow_freeze(order=order, actor=actor)
        now = timezone.now()
        escalation_at = now + timedelta(days=settings.ESCALATION_AFTER_DAYS)
        try:
            with transaction.atomic():
                dispute = Dispute.objects.create(
                    order=order,
                    buyer_id=order.buyer_id,
                    seller_id=order.seller_id,
                    reason=reason,
                    resolution=resolution,
                    requested_amount=amount,
                    description=description,
                    opened_at=now,
                    deadline_at=escalation_at,
                )
        except IntegrityError:
            raise DomainError(_("A dispute was already opened for this order.")) from None
        ClaimVersion.objects.create(
            dispute=dispute,
            number=0,
            reason=reason,
            resolution=resolution,
            requested_amount=amount,
            description=description,
            created_by=actor,
            created_at=now,
        )
        _log_event(dispute, name="open", actor=actor, description=f"{reason}: {description}")
        files = list(files)
        if files:
            message = Message.objects.create(
                dispute=dispute,
                author=actor,
                role=Message.Role.BUYER,
                body=Message.CLAIM_EVIDENCE,  # the source text: each reader sees it translated
            )
            evidence_add(uploaded_by=actor, files=files, dispute=dispute, message=message)
        notify(
            "dispute_opened",
            order=order,
            context={
                "dispute_id": dispute.pk,
                "reason": reason,
                "escalation_at": escalation_at.isoformat(),
            },
        )
        emit("dispute.opened", order=order, data=dispute_payload(dispute))
    return dispute


def dispute_amend(
    *,
    dispute: Dispute,
    actor: User,
    reason: str,
    resolution: str,
    description: str,
    requested_amount: money.Amount | None = None,
) -> Dispute:
    """Change the claim; at most MAX_DISPUTE_AMENDMENTS times, every version kept (R-DSP-3)."""
    if reason not in Reason.values:
        raise DomainError(_("Choose what went wrong."))
    description = _text(description, _("Describe what happened."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "amend", actor)
        amount = _claim_amount(dispute.order, resolution, requested_amount)
        if (reason, resolution, amount, description) == (
            dispute.reason,
            dispute.resolution,
            dispute.requested_amount,
            dispute.description,
        ):
            raise DomainError(_("Nothing changed: an amendment must change the claim."))
        number = dispute.amendments_used + 1
        dispute.amend(by=actor, description=f"Amendment {number}")
        dispute.reason, dispute.resolution = reason, resolution
        dispute.requested_amount, dispute.description = amount, description
        ClaimVersion.objects.create(
            dispute=dispute,
            number=number,
            reason=reason,
            resolution=resolution,
            requested_amount=amount,
            description=description,
            created_by=actor,
        )
        dispute.save()
        notify(
            "dispute_amended",
            order=dispute.order,
            context={"dispute_id": dispute.pk, "amendment": number},
        )
        emit("dispute.amended", order=dispute.order, data=dispute_payload(dispute, amendment=number))
    return dispute


@dataclass(frozen=True)
class WithdrawalWarning:
    """What the buyer must read before withdrawing (R-DSP-9)."""

    text: str
    flagged_messages: list[Message]

    @property
    def needs_second_confirmation(self) -> bool:
        return bool(self.flagged_messages)


def withdrawal_warning(dispute: Dispute) -> WithdrawalWarning:
    flagged = list(dispute.messages.filter(is_flagged=True).order_by("created_at"))
    text = _(
        "A withdrawn dispute can't be reopened, and arbitration will no longer be possible for this order. "
        "The payment will be released to the seller."
    )
    if flagged:
        text += " " + _(
            "The seller asked you, outside the platform's rules, to close the dispute or to take money or a "
            "discount another way (message of %(date)s). Promises made outside the platform are not "
            "protected: "
            "once you withdraw, nobody can make the seller keep them."
        ) % {"date": _when(flagged[0].created_at)}
    return WithdrawalWarning(text=text, flagged_messages=flagged)


def dispute_withdraw(
    *, dispute: Dispute, actor: User, confirmed: bool = False, confirmed_despite_solicitation: bool = False
) -> Dispute:
    """The buyer gives up the dispute; the escrow goes to the seller (R-DSP-4, R-DSP-9)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "withdraw", actor)
        warning = withdrawal_warning(dispute)
        if not confirmed:
            raise DomainError(warning.text)
        if warning.needs_second_confirmation and not confirmed_despite_solicitation:
            raise DomainError(warning.text + " " + _("Tick the second confirmation to withdraw anyway."))
        dispute.withdraw(
            by=actor,
            description="Withdrawn by the buyer"
            + (" despite a flagged seller message" if warning.flagged_messages else ""),
        )
        _close(
            dispute,
            outcome=Dispute.Outcome.WITHDRAWN,
            refund_amount=Decimal("0"),
            actor=actor,
            reason="The buyer withdrew the dispute",
            key_suffix="resolution",
        )
        dispute.save()
    return dispute


def dispute_escalate(*, dispute: Dispute, actor: User) -> Dispute:
    """The buyer escalates early: after the seller rejected the claim or they declined an offer."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "escalate", actor)
        disputes_escalate(
            rows=Dispute.objects.filter(pk=dispute.pk),
            limit=1,
            actor=actor,
            transition="escalate",
            source=Dispute.State.OPEN,
            description="Escalated by the buyer",
        )
        dispute.refresh_from_db()
    return dispute


def disputes_escalate_overdue(*, rows: QuerySet[Dispute], limit: int, actor: User) -> list[int]:
    """The scheduler escalates disputes still open ESCALATION_AFTER_DAYS after opening (R-DSP-6):
    ``rows`` narrows ``disputes_due_for_escalation`` (the one definition of "due")."""
    if not is_scheduler(None, actor):
        raise DomainError(_("Only the scheduler escalates a dispute when its time runs out."))
    return disputes_escalate(
        rows=rows & disputes_due_for_escalation(),
        limit=limit,
        actor=actor,
        transition="escalate_overdue",
        source=Dispute.State.OPEN,
        description="No agreement within the time allowed",
    )


def dispute_escalate_overdue(*, dispute: Dispute, actor: User) -> bool:
    """One dispute through the scheduler's escalation (a batch of one); whether it moved."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state != Dispute.State.OPEN or not dispute.deadline_passed():
            return False  # closed or escalated by a person meanwhile
        _allow(dispute, "escalate_overdue", actor)
        rows = Dispute.objects.filter(pk=dispute.pk)
        return bool(disputes_escalate_overdue(rows=rows, limit=1, actor=actor))
