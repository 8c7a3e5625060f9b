"""Arbitration: any case taken, released, reassigned (R-ARB-1); a dispute's questions (R-ARB-6),
decision (R-ARB-2) and overdue flag (R-ARB-4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arbitration.events import (
    case_payload,
    decision_payload,
    dispute_payload,
    disputes_payloads,
    information_request_payload,
)
from arbitration.models import (
    Complaint,
    Decision,
    Dispute,
    InformationRequest,
    Message,
    is_arbiter,
)
from arbitration.selectors import disputes_decision_overdue
from arbitration.services.base import (
    NOTE_MAX_CHARS,
    Case,
    _allow,
    _bounded,
    _lock_dispute,
    _text,
    refund_within,
)
from arbitration.services.disputes import _close
from arbitration.services.returns import _start_return
from marketplace import services as money
from marketplace.actors import Party
from marketplace.batches import claim
from marketplace.errors import DomainError
from marketplace.events import emit, emit_many, moment
from marketplace.models import User
from marketplace.notifications import notify


def _lock_case(case: Case) -> Case:
    return type(case).objects.select_for_update(of=("self",)).get(pk=case.pk)


ALREADY_TAKEN = {
    Dispute: gettext_lazy("%(arbiter)s has already taken this case."),
    Complaint: gettext_lazy("%(arbiter)s has already taken this complaint."),
}


def case_take(*, case: Case, actor: User) -> Case:
    """An arbiter takes a dispute or a complaint; it is theirs until decided or released (R-ARB-1)."""
    with transaction.atomic():
        case = _lock_case(case)
        if case.state == case.State.UNDER_REVIEW:
            raise DomainError(ALREADY_TAKEN[type(case)] % {"arbiter": case.assigned_arbiter})
        _allow(case, "take", actor)
        case.take(by=actor)
        case.assigned_arbiter, case.assigned_at = actor, timezone.now()
        case.save()
        _emit_case(case, "assigned")
    return case


def case_release(*, case: Case, actor: User) -> Case:
    """The holding arbiter (or a supervisor) puts the case back in the queue."""
    with transaction.atomic():
        case = _lock_case(case)
        _allow(case, "release", actor)
        case.release(by=actor)
        case.assigned_arbiter, case.assigned_at = None, None
        case.save()
        _emit_case(case, "unassigned")
    return case


def case_reassign(*, case: Case, actor: User, arbiter: User) -> Case:
    """A supervisor gives the case to another arbiter."""
    with transaction.atomic():
        case = _lock_case(case)
        _allow(case, "reassign", actor)
        if not is_arbiter(case, arbiter):
            raise DomainError(_("%(user)s is not an arbiter.") % {"user": arbiter})
        case.reassign(
            by=actor, description=f"Reassigned from {case.assigned_arbiter or 'nobody'} to {arbiter}"
        )
        case.assigned_arbiter, case.assigned_at = arbiter, timezone.now()
        case.save()
        _emit_case(case, "assigned")
    return case


def _emit_case(case: Dispute | Complaint, change: str) -> None:
    prefix, data = case_payload(case, assigned_at=moment(case.assigned_at))
    order = case.dispute.order if isinstance(case, Complaint) else case.order
    emit(f"{prefix}.{change}", order=order, data=data)


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
            to=[cast(Party, party)],  # one of InformationRequest.Party, checked above
            context={"dispute_id": dispute.pk, "question": question, "due_at": request.due_at.isoformat()},
        )
        emit(
            "dispute.information_requested",
            order=dispute.order,
            data=dispute_payload(dispute, information_request=information_request_payload(request)),
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
    *,
    dispute: Dispute,
    outcome: str,
    refund_amount: money.Amount | None = None,
    penalty_amount: money.Amount | None = None,
) -> DecisionEffect:
    """Validate a decision's amounts and compute its money effect, without changing anything."""
    held = dispute.order.escrow.balance
    if outcome == Decision.Outcome.FULL_REFUND:
        refund = held
    elif outcome == Decision.Outcome.PARTIAL_REFUND:
        refund = refund_within(
            refund_amount,
            ceiling=held,
            refusal=_(
                "A partial refund must be more than 0 and less than the %(held)s %(currency)s held; "
                "for all of it choose a full refund."
            )
            % {"held": held, "currency": dispute.order.currency},
        )
    elif outcome == Decision.Outcome.RETURN_THEN_REFUND:
        refund = refund_within(
            held if refund_amount in (None, "") else refund_amount,
            ceiling=held,
            whole_allowed=True,
            refusal=_("The refund after the return must be more than 0 and at most %(held)s.")
            % {"held": held},
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
    refund_amount: money.Amount | None = None,
    return_days: int | None = None,
    return_address: str = "",
    penalty_amount: money.Amount | None = None,
    penalty_reason: str = "",
) -> Decision:
    """The arbiter's decision: immutable, with a rationale; moves the money in this transaction."""
    rationale = _text(rationale, _("Write the rationale: both parties will read why you decided this."))
    penalty_reason = _bounded(penalty_reason, limit=NOTE_MAX_CHARS)
    return_address = _bounded(return_address)
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
                # Paid to the seller now (R-ESC-4); after a return, when the return closes the dispute.
                "released_amount": "" if effect.return_first else str(effect.release_to_seller),
                "rationale": rationale,
                # R-ARB-5: the seller reads the penalty and its reason (the emails show it to them only).
                "penalty_amount": str(effect.penalty) if effect.penalty else "",
                "penalty_reason": decision.penalty_reason,
            },
        )
        emit(
            "dispute.decided",
            order=dispute.order,
            data=dispute_payload(dispute, decision=decision_payload(decision, dispute.order.currency)),
        )
    return decision


def disputes_flag_overdue(*, rows: QuerySet[Dispute], limit: int) -> list[int]:
    """Mark cases not decided ARBITER_DECISION_DAYS after escalation overdue (R-ARB-4), set-based:
    ``rows`` narrows ``disputes_decision_overdue`` (the one definition of "overdue")."""
    ids = claim(
        rows & disputes_decision_overdue(), limit=limit, changes={"overdue_flagged_at": timezone.now()}
    )
    flagged = Dispute.objects.filter(pk__in=ids).select_related("order")
    emit_many("dispute.decision_overdue", disputes_payloads(flagged) if ids else [])
    return ids


def dispute_flag_overdue(*, dispute: Dispute) -> bool:
    """One case through the overdue flag (a batch of one); whether it was flagged now."""
    with transaction.atomic():
        return bool(disputes_flag_overdue(rows=Dispute.objects.filter(pk=dispute.pk), limit=1))
