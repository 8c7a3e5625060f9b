"""Every action of every party on a dispute, complaint or safety report (SPEC §4, §5, §7–§9).

Each service locks the case row, checks under the lock that the action is one of the
transitions allowed for this user in this state (``_allow``: the same check
``available_actions`` uses, so the UI never offers what a service would refuse), changes
it, moves the money through ``marketplace.services`` in the same transaction (R-REF-1), and
records notifications that are sent after commit (R-NTF-1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed, has_transition_perm
from django_fsm_log.models import StateLog

from arbitration.evidence import evidence_add
from arbitration.models import (
    ClaimVersion,
    Complaint,
    Decision,
    Dispute,
    InformationRequest,
    Message,
    Offer,
    Reason,
    ReturnShipment,
    SafetyReport,
    WantedResolution,
    is_arbiter,
)
from arbitration.solicitation import find_solicitation
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.models import Order, Refund, User
from marketplace.notifications import notify

CLOSED_HINT = gettext_lazy(
    "This dispute is closed and can't be reopened. If the agreed refund has not arrived or the "
    "seller broke an agreement, file a complaint to arbitration from the dispute page."
)


# --- Shared checks --------------------------------------------------------------------------


def _lock_dispute(dispute_id: int) -> Dispute:
    # Locks the dispute row; the money services lock the order and escrow after it.
    return Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute_id)


# What to tell a party whose action ended at the dispute's deadline (the transitions carry a
# ``deadline_not_passed`` condition; past it the scheduler's transition decides).
ENDED_AT_DEADLINE = {
    "ship_return": gettext_lazy(
        "The time to ship the return ended on %(deadline)s; the dispute closes and the payment goes to the "
        "seller."
    ),
    "report_return_problem": gettext_lazy(
        "The time to report a problem with the return ended on %(deadline)s; the buyer is refunded."
    ),
}


def _allow(case, transition: str, actor: User) -> None:
    """Refuse unless ``transition`` is allowed for ``actor`` now (state, conditions, permission)."""
    method = getattr(case, transition)
    if has_transition_perm(method, actor):
        return
    if isinstance(case, Dispute) and case.is_closed:
        raise DomainError(CLOSED_HINT)
    if (
        transition in ENDED_AT_DEADLINE
        and can_proceed(method, check_conditions=False)
        and case.deadline_passed()
    ):
        raise DomainError(ENDED_AT_DEADLINE[transition] % {"deadline": _when(case.deadline_at)})
    raise DomainError(
        _("You can't do that now: the case is “%(state)s”. Reload the page to see what you can do.")
        % {"state": case.get_state_display()}
    )


def _when(moment) -> str:
    """A date and time in the reader's language and format (messages are shown to people)."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    return value


def _claim_amount(order: Order, resolution: str, requested_amount) -> Decimal | None:
    """A partial refund asks for more than 0 and less than paid; other resolutions ask for none."""
    if resolution not in WantedResolution.values:
        raise DomainError(_("Choose the resolution you want."))
    if resolution != WantedResolution.PARTIAL_REFUND:
        return None
    if requested_amount in (None, ""):
        raise DomainError(_("Enter the amount you want back."))
    amount = money.to_money(requested_amount)
    if not Decimal("0") < amount < order.amount:
        raise DomainError(
            _(
                "A partial refund must be more than 0 and less than the %(amount)s %(currency)s you paid; "
                "for all of it choose a full refund."
            )
            % {"amount": order.amount, "currency": order.currency}
        )
    return amount


def _log_event(case, *, name: str, actor: User, description: str = "") -> None:
    """Audit an event that is not a transition (opening a case) in the same log as transitions."""
    StateLog.objects.create(
        content_object=case,
        source_state=None,
        state=case.state,
        transition=name,
        by=actor,
        description=description[:500] or None,
    )


def _refund_amount_for_claim(dispute: Dispute) -> Decimal:
    if dispute.resolution == WantedResolution.PARTIAL_REFUND:
        return dispute.requested_amount
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
    now = timezone.now()
    dispute.refund = resolution.refund
    dispute.outcome = outcome
    dispute.closed_at = now
    dispute.deadline_at = None
    dispute.offers.filter(status=Offer.Status.PENDING).update(status=Offer.Status.WITHDRAWN, answered_at=now)
    notify(
        "dispute_closed",
        order=dispute.order,
        context={
            "dispute_id": dispute.pk,
            "outcome": outcome,
            "refund_amount": str(refund_amount),
        },
    )


def _start_return(dispute: Dispute, *, address: str, refund_amount: Decimal, days: int | None = None) -> None:
    address = _text(address, _("A return needs the address to send the item to."))
    if hasattr(dispute, "return_shipment"):
        raise DomainError(_("This dispute already had a return; decide with a refund or a rejection."))
    ReturnShipment.objects.create(dispute=dispute, address=address, refund_amount=refund_amount)
    dispute.deadline_at = timezone.now() + timedelta(days=days or settings.RETURN_SHIP_DAYS)


ESCALATION_FIELDS = [
    "state",
    "escalated_at",
    "escalation_count",
    "deadline_at",
    "assigned_arbiter",
    "assigned_at",
    "overdue_flagged_at",
]


def _escalated(dispute: Dispute) -> None:
    """Hand the case to arbitration; the caller saves ESCALATION_FIELDS (plus its own changes)."""
    now = timezone.now()
    dispute.escalated_at = now
    dispute.escalation_count += 1
    dispute.deadline_at = now + timedelta(days=settings.ARBITER_DECISION_DAYS)
    dispute.assigned_arbiter = None
    dispute.assigned_at = None
    dispute.overdue_flagged_at = None
    dispute.offers.filter(status=Offer.Status.PENDING).update(status=Offer.Status.WITHDRAWN, answered_at=now)
    notify(
        "dispute_escalated",
        order=dispute.order,
        context={"dispute_id": dispute.pk, "decision_due": dispute.deadline_at.isoformat()},
    )


# --- Opening and the claim ------------------------------------------------------------------


def dispute_open(
    *,
    order: Order,
    actor: User,
    reason: str,
    resolution: str,
    description: str,
    requested_amount=None,
    files: Iterable[UploadedFile] = (),
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
                    deadline_at=now + timedelta(days=settings.ESCALATION_AFTER_DAYS),
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
                dispute=dispute, author=actor, role=Message.Role.BUYER, body=_("Evidence with the claim")
            )
            evidence_add(uploaded_by=actor, files=files, dispute=dispute, message=message)
        notify(
            "dispute_opened",
            order=order,
            context={
                "dispute_id": dispute.pk,
                "reason": reason,
                "escalation_at": dispute.deadline_at.isoformat(),
            },
        )
    return dispute


def dispute_amend(
    *, dispute: Dispute, actor: User, reason: str, resolution: str, description: str, requested_amount=None
) -> Dispute:
    """Change the claim; at most MAX_DISPUTE_AMENDMENTS times, every version kept (R-DSP-3)."""
    if reason not in Reason.values:
        raise DomainError(_("Choose what went wrong."))
    description = _text(description, _("Describe what happened."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state == Dispute.State.OPEN and is_buyer_of(dispute, actor) and not dispute.can_amend():
            raise DomainError(
                _(
                    "You have used all %(max)s amendments of this claim. You can still add messages "
                    "and evidence."
                )
                % {"max": settings.MAX_DISPUTE_AMENDMENTS}
            )
        _allow(dispute, "amend", actor)
        amount = _claim_amount(dispute.order, resolution, requested_amount)
        if (reason, resolution, amount, description) == (
            dispute.reason,
            dispute.resolution,
            dispute.requested_amount,
            dispute.description,
        ):
            raise DomainError(_("Nothing changed: an amendment must change the claim."))
        dispute.amend(by=actor, description=f"Amendment {dispute.amendments_used + 1}")
        dispute.amendments_used += 1
        dispute.reason, dispute.resolution = reason, resolution
        dispute.requested_amount, dispute.description = amount, description
        ClaimVersion.objects.create(
            dispute=dispute,
            number=dispute.amendments_used,
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
            context={"dispute_id": dispute.pk, "amendment": dispute.amendments_used},
        )
    return dispute


def is_buyer_of(dispute: Dispute, user: User) -> bool:
    return user.pk == dispute.buyer_id


# --- Messages (R-DSP-7, R-DSP-8, R-ARB-6) ---------------------------------------------------


def message_role(dispute: Dispute, user: User) -> str | None:
    """The role ``user`` may write in, or None. Arbiters join the thread after escalation."""
    if dispute.is_closed:
        return None
    if user.pk == dispute.buyer_id:
        return Message.Role.BUYER
    if user.pk == dispute.seller_id:
        return Message.Role.SELLER
    if dispute.escalation_count > 0 and is_arbiter(dispute, user):
        return Message.Role.ARBITER
    return None


def _post(
    dispute: Dispute, *, actor: User, role: str, body: str, files: Iterable[UploadedFile] = ()
) -> Message:
    patterns = find_solicitation(body) if role == Message.Role.SELLER else []
    message = Message.objects.create(
        dispute=dispute,
        author=actor,
        role=role,
        body=body,
        solicitation_patterns=patterns,
        is_flagged=bool(patterns),
    )
    if patterns:
        # An UPDATE, not save(): the caller may have moved the state in memory already (a return
        # problem escalates), and the FSM's concurrency check would refuse a partial save then.
        Dispute.objects.filter(pk=dispute.pk).update(solicitation_flags=F("solicitation_flags") + 1)
        dispute.solicitation_flags += 1  # the row is locked: memory and row agree
    evidence_add(uploaded_by=actor, files=files, dispute=dispute, message=message)
    if role in (Message.Role.BUYER, Message.Role.SELLER):
        request = (
            dispute.information_requests.select_for_update()
            .filter(party=role, answered_at__isnull=True)
            .order_by("created_at")
            .first()
        )
        if request is not None:
            request.answered_at, request.answer = message.created_at, message
            request.save(update_fields=["answered_at", "answer"])
    return message


def dispute_post_message(
    *, dispute: Dispute, actor: User, body: str = "", files: Iterable[UploadedFile] = ()
) -> Message:
    """A message and/or evidence in the thread. Not an amendment: free, any number (R-DSP-3)."""
    files = list(files)
    body = (body or "").strip()
    if not body and not files:
        raise DomainError(_("Write a message or attach a file."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        role = message_role(dispute, actor)
        if role is None:
            if dispute.is_closed:
                raise DomainError(CLOSED_HINT)
            raise DomainError(_("You can't write in this dispute."))
        message = _post(dispute, actor=actor, role=role, body=body or _("Evidence added"), files=files)
        others = {Message.Role.BUYER: ["seller"], Message.Role.SELLER: ["buyer"]}.get(
            role, ["buyer", "seller"]
        )
        notify(
            "dispute_message",
            order=dispute.order,
            to=others,
            context={"dispute_id": dispute.pk, "from_role": role, "flagged": message.is_flagged},
        )
    return message


# --- Seller's answers (R-DSP-5) --------------------------------------------------------------


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
            dispute.offers.filter(status=Offer.Status.PENDING).update(
                status=Offer.Status.WITHDRAWN, answered_at=timezone.now()
            )
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
    *, dispute: Dispute, actor: User, kind: str, amount=None, return_address: str = "", note: str = ""
) -> Offer:
    """A partial refund, or return-and-refund with an address; one pending offer at a time."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if (
            dispute.state == Dispute.State.OPEN
            and actor.pk == dispute.seller_id
            and dispute.has_pending_offer()
        ):
            raise DomainError(_("Your previous offer is still waiting for the buyer's answer."))
        _allow(dispute, "make_offer", actor)
        paid = dispute.order.amount
        if kind == Offer.Kind.PARTIAL_REFUND:
            value = money.to_money(amount if amount not in (None, "") else "0")
            if not Decimal("0") < value < paid:
                raise DomainError(
                    _(
                        "A partial refund must be more than 0 and less than %(paid)s %(currency)s; to refund "
                        "everything, accept the claim."
                    )
                    % {"paid": paid, "currency": dispute.order.currency}
                )
            address = ""
        elif kind == Offer.Kind.RETURN_AND_REFUND:
            value = paid if amount in (None, "") else money.to_money(amount)
            if not Decimal("0") < value <= paid:
                raise DomainError(
                    _("The refund after the return must be more than 0 and at most %(paid)s.")
                    % {"paid": paid}
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
            note=(note or "").strip(),
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
    return offer


def dispute_reject_claim(
    *, dispute: Dispute, actor: User, explanation: str, files: Iterable[UploadedFile] = ()
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
    return dispute


# --- Buyer's answers ------------------------------------------------------------------------


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
    return dispute


def dispute_decline_offer(*, dispute: Dispute, actor: User, reason: str = "") -> Dispute:
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "decline_offer", actor)
        dispute.decline_offer(by=actor, description="The buyer declined the offer")
        now = timezone.now()
        dispute.offers.filter(status=Offer.Status.PENDING).update(
            status=Offer.Status.DECLINED, answered_at=now
        )
        dispute.buyer_declined_offer_at = now
        if reason.strip():
            _post(dispute, actor=actor, role=Message.Role.BUYER, body=reason.strip())
        dispute.save()
        notify(
            "dispute_offer_answered",
            order=dispute.order,
            context={"dispute_id": dispute.pk, "accepted": False},
        )
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


# --- Escalation (R-DSP-6) -------------------------------------------------------------------


def dispute_escalate(*, dispute: Dispute, actor: User) -> Dispute:
    """The buyer escalates early: after the seller rejected the claim or they declined an offer."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "escalate", actor)
        dispute.escalate(by=actor, description="Escalated by the buyer")
        _escalated(dispute)
        dispute.save()
    return dispute


def dispute_escalate_overdue(*, dispute: Dispute, actor: User) -> bool:
    """The scheduler escalates a dispute still open ESCALATION_AFTER_DAYS after opening."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state != Dispute.State.OPEN or not dispute.deadline_passed():
            return False  # closed or escalated by a person meanwhile
        _allow(dispute, "escalate_overdue", actor)
        dispute.escalate_overdue(by=actor, description="No agreement within the time allowed")
        _escalated(dispute)
        dispute.save(update_fields=ESCALATION_FIELDS)  # the scheduler's hot path: write only what changed
    return True


# --- Arbitration (R-ARB-1..6) ---------------------------------------------------------------


def case_take(*, dispute: Dispute, actor: User) -> Dispute:
    """The arbiter takes the case; it is theirs until decided or released (R-ARB-1)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state == Dispute.State.UNDER_REVIEW:
            holder = dispute.assigned_arbiter
            raise DomainError(_("%(arbiter)s has already taken this case.") % {"arbiter": holder})
        _allow(dispute, "take", actor)
        dispute.take(by=actor)
        dispute.assigned_arbiter, dispute.assigned_at = actor, timezone.now()
        dispute.save()
    return dispute


def case_release(*, dispute: Dispute, actor: User) -> Dispute:
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "release", actor)
        dispute.release(by=actor)
        dispute.assigned_arbiter, dispute.assigned_at = None, None
        dispute.save()
    return dispute


def case_reassign(*, dispute: Dispute, actor: User, arbiter: User) -> Dispute:
    """A supervisor gives the case to another arbiter."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "reassign", actor)
        if not is_arbiter(dispute, arbiter):
            raise DomainError(_("%(user)s is not an arbiter.") % {"user": arbiter})
        dispute.reassign(
            by=actor, description=f"Reassigned from {dispute.assigned_arbiter or 'nobody'} to {arbiter}"
        )
        dispute.assigned_arbiter, dispute.assigned_at = arbiter, timezone.now()
        dispute.save()
    return dispute


def dispute_request_information(
    *, dispute: Dispute, actor: User, party: str, question: str, due_in_days: int | None = None
) -> InformationRequest:
    """Ask the buyer or the seller for more information or evidence, by a deadline (R-ARB-6)."""
    question = _text(question, _("Write what you need from the party."))
    if party not in InformationRequest.Party.values:
        raise DomainError(_("Choose whom to ask: the buyer or the seller."))
    days = due_in_days or settings.INFORMATION_REQUEST_DAYS
    if not 1 <= days <= 30:
        raise DomainError(_("Give the party between 1 and 30 days to answer."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "request_information", actor)
        dispute.request_information(by=actor, description=f"Asked the {party}: {question[:150]}")
        request = InformationRequest.objects.create(
            dispute=dispute,
            party=party,
            question=question,
            requested_by=actor,
            due_at=timezone.now() + timedelta(days=days),
        )
        Message.objects.create(dispute=dispute, author=actor, role=Message.Role.ARBITER, body=question)
        dispute.save()
        notify(
            "information_requested",
            order=dispute.order,
            to=[party],
            context={"dispute_id": dispute.pk, "question": question, "due_at": request.due_at.isoformat()},
        )
    return request


@dataclass(frozen=True)
class DecisionEffect:
    """What a decision does to the money, shown before it is confirmed (R-ARB-2)."""

    refund_to_buyer: Decimal
    release_to_seller: Decimal
    penalty: Decimal
    return_first: bool
    currency: str


def decision_effect(
    *, dispute: Dispute, outcome: str, refund_amount=None, penalty_amount=None
) -> DecisionEffect:
    """Validate a decision's amounts and compute its money effect, without changing anything."""
    held = dispute.order.escrow.balance
    if outcome == Decision.Outcome.FULL_REFUND:
        refund = held
    elif outcome == Decision.Outcome.PARTIAL_REFUND:
        refund = money.to_money(refund_amount if refund_amount not in (None, "") else "0")
        if not Decimal("0") < refund < held:
            raise DomainError(
                _(
                    "A partial refund must be more than 0 and less than the %(held)s %(currency)s held; "
                    "for all of it choose a full refund."
                )
                % {"held": held, "currency": dispute.order.currency}
            )
    elif outcome == Decision.Outcome.RETURN_THEN_REFUND:
        refund = held if refund_amount in (None, "") else money.to_money(refund_amount)
        if not Decimal("0") < refund <= held:
            raise DomainError(
                _("The refund after the return must be more than 0 and at most %(held)s.") % {"held": held}
            )
    elif outcome == Decision.Outcome.REJECTED:
        refund = Decimal("0.00")
    else:
        raise DomainError(_("Choose the decision."))
    penalty = Decimal("0.00")
    if penalty_amount not in (None, ""):
        penalty = money.to_money(penalty_amount)
        if penalty <= 0:
            raise DomainError(_("A penalty must be more than zero, or leave it empty."))
    is_return = outcome == Decision.Outcome.RETURN_THEN_REFUND
    return DecisionEffect(
        refund_to_buyer=refund,
        release_to_seller=Decimal("0.00") if is_return else held - refund,
        penalty=penalty,
        return_first=is_return,
        currency=dispute.order.currency,
    )


def dispute_decide(
    *,
    dispute: Dispute,
    actor: User,
    outcome: str,
    rationale: str,
    refund_amount=None,
    return_days: int | None = None,
    return_address: str = "",
    penalty_amount=None,
    penalty_reason: str = "",
) -> Decision:
    """The arbiter's decision: immutable, with a rationale; moves the money in this transaction."""
    rationale = _text(rationale, _("Write the rationale: both parties will read why you decided this."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "decide", actor)
        effect = decision_effect(
            dispute=dispute, outcome=outcome, refund_amount=refund_amount, penalty_amount=penalty_amount
        )
        if effect.penalty and not penalty_reason.strip():
            raise DomainError(_("Give the reason for the penalty; the seller will see it."))
        if return_days is not None and not 1 <= return_days <= 60:
            raise DomainError(_("Give the buyer between 1 and 60 days to ship the return."))
        decision = Decision(
            dispute=dispute,
            round=dispute.escalation_count,
            outcome=outcome,
            refund_amount=effect.refund_to_buyer,
            rationale=rationale,
            penalty_amount=effect.penalty or None,
            penalty_reason=penalty_reason.strip(),
            decided_by=actor,
        )
        dispute.decide(
            by=actor,
            needs_return=effect.return_first,
            description=f"Decision: {decision.get_outcome_display()}",
        )
        if effect.return_first:
            _start_return(
                dispute,
                address=return_address or dispute.seller.return_address,
                refund_amount=effect.refund_to_buyer,
                days=return_days,
            )
            decision.return_deadline = dispute.deadline_at
            decision.return_address = dispute.return_shipment.address
        try:
            with transaction.atomic():
                decision.save()
        except IntegrityError:
            raise DomainError(_("This case has already been decided.")) from None
        if not effect.return_first:
            outcome_code = (
                Dispute.Outcome.DECIDED_REJECTED
                if outcome == Decision.Outcome.REJECTED
                else Dispute.Outcome.DECIDED_REFUND
            )
            _close(
                dispute,
                outcome=outcome_code,
                refund_amount=effect.refund_to_buyer,
                actor=actor,
                reason=f"Arbitration decision: {decision.get_outcome_display()}",
                key_suffix=f"decision:{decision.round}",
            )
        if effect.penalty:
            money.seller_penalize(
                order=dispute.order,
                amount=effect.penalty,
                reason=decision.penalty_reason,
                actor=actor,
                idempotency_key=f"decision:{decision.pk}",
            )
        dispute.save()
        notify(
            "dispute_decided",
            order=dispute.order,
            context={
                "dispute_id": dispute.pk,
                "outcome": outcome,
                "refund_amount": str(effect.refund_to_buyer),
                "rationale": rationale,
            },
        )
    return decision


# --- Returns (R-RET-1, R-RET-2) -------------------------------------------------------------


def return_ship(*, dispute: Dispute, actor: User, carrier: str, tracking_number: str) -> ReturnShipment:
    carrier = _text(carrier, _("Enter the carrier you shipped the return with."))
    tracking_number = _text(tracking_number, _("Enter the return's tracking number."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "ship_return", actor)
        dispute.ship_return(by=actor, description=f"Return shipped: {carrier} {tracking_number}")
        shipment = ReturnShipment.objects.select_for_update().get(dispute=dispute)
        shipment.carrier, shipment.tracking_number, shipment.shipped_at = (
            carrier,
            tracking_number,
            timezone.now(),
        )
        shipment.save(update_fields=["carrier", "tracking_number", "shipped_at"])
        dispute.deadline_at = shipment.shipped_at + timedelta(days=settings.RETURN_CONFIRM_DAYS)
        dispute.save()
        notify(
            "return_shipped",
            order=dispute.order,
            context={
                "dispute_id": dispute.pk,
                "tracking_number": tracking_number,
                "carrier": carrier,
                "confirm_by": dispute.deadline_at.isoformat(),
            },
        )
    return shipment


def return_acknowledge(
    *, dispute: Dispute, actor: User, acknowledgement: str, note: str = "", files: Iterable[UploadedFile] = ()
) -> Dispute:
    """The seller confirms the return arrived (refund now) or reports a problem (back to arbitration)."""
    if acknowledgement not in ReturnShipment.Acknowledgement.values:
        raise DomainError(_("Choose what arrived."))
    problem = acknowledgement != ReturnShipment.Acknowledgement.RECEIVED_OK
    files = list(files)
    if problem:
        note = _text(note, _("Describe the problem with the returned item; arbiters will review it."))
        if not files:
            raise DomainError(_("Attach photos or a video of what arrived; a problem report needs evidence."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "report_return_problem" if problem else "confirm_return", actor)
        if problem:
            dispute.report_return_problem(
                by=actor, description=ReturnShipment.Acknowledgement(acknowledgement).label
            )
        else:
            dispute.confirm_return(by=actor, description="Return received in full")
        shipment = ReturnShipment.objects.select_for_update().get(dispute=dispute)
        shipment.acknowledgement, shipment.acknowledged_at = acknowledgement, timezone.now()
        shipment.acknowledgement_note = (note or "").strip()
        shipment.save(update_fields=["acknowledgement", "acknowledged_at", "acknowledgement_note"])
        if problem:
            _post(
                dispute,
                actor=actor,
                role=Message.Role.SELLER,
                body=f"{shipment.get_acknowledgement_display()}: {shipment.acknowledgement_note}",
                files=files,
            )
            _escalated(dispute)
        else:
            _close(
                dispute,
                outcome=Dispute.Outcome.RETURN_REFUNDED,
                refund_amount=shipment.refund_amount,
                actor=actor,
                reason="The seller confirmed the return arrived",
                key_suffix="return",
            )
        dispute.save()
    return dispute


def return_close_not_shipped(*, dispute: Dispute, actor: User) -> bool:
    """The ship-by date passed without a return: escrow to the seller (R-RET-1)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state != Dispute.State.AWAITING_RETURN or not dispute.deadline_passed():
            return False
        _allow(dispute, "close_return_not_shipped", actor)
        dispute.close_return_not_shipped(by=actor)
        _close(
            dispute,
            outcome=Dispute.Outcome.RETURN_NOT_SHIPPED,
            refund_amount=Decimal("0"),
            actor=actor,
            reason="The return was not shipped in time",
            key_suffix="return",
        )
        dispute.save()
        notify("return_overdue", order=dispute.order, context={"dispute_id": dispute.pk, "closed": True})
    return True


def return_refund_unconfirmed(*, dispute: Dispute, actor: User) -> bool:
    """The seller neither confirmed nor reported a problem in time: refund automatically (R-RET-2)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state != Dispute.State.RETURN_IN_TRANSIT or not dispute.deadline_passed():
            return False
        _allow(dispute, "refund_unconfirmed_return", actor)
        dispute.refund_unconfirmed_return(by=actor)
        _close(
            dispute,
            outcome=Dispute.Outcome.RETURN_NOT_CONFIRMED,
            refund_amount=dispute.return_shipment.refund_amount,
            actor=actor,
            reason="The seller did not confirm the return in time",
            key_suffix="return",
        )
        dispute.save()
    return True


def return_remind(*, dispute: Dispute) -> bool:
    """Remind the buyer once, RETURN_REMINDER_DAYS before the ship-by date (R-RET-1)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state != Dispute.State.AWAITING_RETURN:
            return False
        shipment = ReturnShipment.objects.select_for_update().get(dispute=dispute)
        now = timezone.now()
        if shipment.reminded_at or not (
            dispute.deadline_at - timedelta(days=settings.RETURN_REMINDER_DAYS) <= now < dispute.deadline_at
        ):
            return False
        shipment.reminded_at = now
        shipment.save(update_fields=["reminded_at"])
        notify(
            "return_due_soon",
            order=dispute.order,
            context={
                "dispute_id": dispute.pk,
                "ship_by": dispute.deadline_at.isoformat(),
                "address": shipment.address,
            },
        )
    return True


def dispute_flag_overdue(*, dispute: Dispute) -> bool:
    """A case not decided ARBITER_DECISION_DAYS after escalation is overdue (R-ARB-4)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.overdue_flagged_at is not None or not dispute.decision_overdue():
            return False
        dispute.overdue_flagged_at = timezone.now()
        dispute.save(update_fields=["overdue_flagged_at"])
    return True


# --- Complaints after closure (R-CMP-1, R-REF-4) --------------------------------------------


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
    *, dispute: Dispute, actor: User, kind: str, description: str, files: Iterable[UploadedFile] = ()
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
    return True


def _dispute_of_refund(refund: Refund) -> Dispute | None:
    dispute = Dispute.objects.filter(refund=refund).first()
    if dispute is not None:
        return dispute
    complaint = Complaint.objects.filter(new_refund=refund).select_related("dispute").first()
    return complaint.dispute if complaint else Dispute.objects.filter(order_id=refund.order_id).first()


def complaint_take(*, complaint: Complaint, actor: User) -> Complaint:
    with transaction.atomic():
        complaint = _lock_complaint(complaint.pk)
        if complaint.state == Complaint.State.UNDER_REVIEW:
            raise DomainError(
                _("%(arbiter)s has already taken this complaint.") % {"arbiter": complaint.assigned_arbiter}
            )
        _allow(complaint, "take", actor)
        complaint.take(by=actor)
        complaint.assigned_arbiter, complaint.assigned_at = actor, timezone.now()
        complaint.save()
    return complaint


def complaint_release(*, complaint: Complaint, actor: User) -> Complaint:
    with transaction.atomic():
        complaint = _lock_complaint(complaint.pk)
        _allow(complaint, "release", actor)
        complaint.release(by=actor)
        complaint.assigned_arbiter, complaint.assigned_at = None, None
        complaint.save()
    return complaint


def complaint_reassign(*, complaint: Complaint, actor: User, arbiter: User) -> Complaint:
    with transaction.atomic():
        complaint = _lock_complaint(complaint.pk)
        _allow(complaint, "reassign", actor)
        if not is_arbiter(complaint, arbiter):
            raise DomainError(_("%(user)s is not an arbiter.") % {"user": arbiter})
        complaint.reassign(by=actor, description=f"Reassigned to {arbiter}")
        complaint.assigned_arbiter, complaint.assigned_at = arbiter, timezone.now()
        complaint.save()
    return complaint


def complaint_decide(
    *,
    complaint: Complaint,
    actor: User,
    outcome: str,
    rationale: str,
    refund_amount=None,
    penalty_amount=None,
    penalty_reason: str = "",
    new_destination: str = "",
) -> Complaint:
    """Decide a complaint like a dispute (R-CMP-1): re-issue the refund (a failed one may go to a
    ``new_destination`` the buyer gave), refund from the seller's balance, confirm it was paid,
    or reject; optionally penalise the seller."""
    rationale = _text(rationale, _("Write the rationale: the buyer and the seller will read it."))
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
            context={"complaint_id": complaint.pk, "outcome": outcome, "rationale": rationale},
        )
    return complaint


# --- Safety reports (R-SAF-1) ---------------------------------------------------------------


def safety_report_file(
    *, order: Order, actor: User, description: str, files: Iterable[UploadedFile] = ()
) -> SafetyReport:
    """Any time, even after protection ended: the buyer reports a dangerous product."""
    if actor.pk != order.buyer_id:
        raise DomainError(_("Only the buyer of this order can report it."))
    description = _text(description, _("Describe the danger (for example: the battery swelled and got hot)."))
    with transaction.atomic():
        report = SafetyReport.objects.create(order=order, reporter=actor, description=description)
        evidence_add(uploaded_by=actor, files=files, safety_report=report)
        _log_event(report, name="file", actor=actor)
    return report


def safety_report_close(*, report: SafetyReport, actor: User, outcome: str, reason: str) -> SafetyReport:
    """Closed only with a recorded outcome and reason; the buyer sees it."""
    if outcome not in SafetyReport.Outcome.values:
        raise DomainError(_("Choose the outcome: listing blocked, seller warned, or no action."))
    reason = _text(reason, _("Write the reason for the outcome; the buyer will see it."))
    with transaction.atomic():
        report = SafetyReport.objects.select_for_update().get(pk=report.pk)
        _allow(report, "close", actor)
        report.close(by=actor, description=SafetyReport.Outcome(outcome).label)
        report.outcome, report.outcome_reason = outcome, reason
        report.closed_by, report.closed_at = actor, timezone.now()
        report.save()
        notify(
            "safety_report_closed",
            order=report.order,
            context={"report_id": report.pk, "outcome": outcome, "reason": reason},
        )
    return report
