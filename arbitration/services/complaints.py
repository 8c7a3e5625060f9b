"""Complaints after closure (R-CMP-1) and the ones opened for overdue refunds (R-REF-4)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
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
from marketplace.batches import bulk_insert
from marketplace.errors import DomainError
from marketplace.events import emit, emit_many, people_refs
from marketplace.fsm import record_transitions
from marketplace.models import Refund, User
from marketplace.notifications import notify
from marketplace.selectors import refunds_overdue


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
    """Flag an overdue refund and open a complaint for the buyer, in one transaction (R-REF-4).
    One refund (a batch of one of ``refunds_overdue_open_complaints``); whether it was flagged."""
    with transaction.atomic():
        dispute_id = _disputes_of_refunds([(refund.pk, refund.order_id)]).get(refund.pk)
        if dispute_id is not None:
            # Locked before the refund, in the order every dispute service locks, so the buyer
            # filing a complaint at the same moment waits and then finds this one (R-SEC-4).
            _lock_dispute(dispute_id)
        rows = Refund.objects.filter(pk=refund.pk)
        list(rows.select_for_update())  # then the refund: waited for, as a person's action waits
        return bool(refunds_overdue_open_complaints(rows=rows, limit=1, actor=actor))


def refunds_overdue_open_complaints(*, rows: QuerySet[Refund], limit: int, actor: User) -> list[int]:
    """Flag refunds not paid by their due date and open a complaint for each buyer (R-REF-4):
    the one definition, for the scheduler's sweep and for one refund.

    Up to ``limit`` overdue refunds of ``rows`` are taken, in id order. Their disputes are locked
    first, skipping any another worker or a person holds (Dispute → Refund, the order every
    dispute service locks in: a buyer filing a complaint holds the dispute, then share-locks the
    refund) and reading on past them, then the refunds are flagged (``refunds_flag_overdue``:
    claimed with SKIP LOCKED).
    A dispute with no complaint open gets one, filed by the scheduler — one per dispute, the first
    of its overdue refunds — with its audit row and event; one statement per table for the batch.
    Returns the ids flagged; runs in the caller's transaction.
    """
    due = (rows & refunds_overdue()).order_by("pk")
    free: list[int] = []
    dispute_of: dict[int, int] = {}
    last = 0
    while len(free) < limit:  # pages past the ones whose disputes others hold (workers share it)
        page = list(due.filter(pk__gt=last).values_list("pk", "order_id")[: limit - len(free)])
        if not page:
            break
        last = page[-1][0]
        page_disputes = _disputes_of_refunds(page)
        locked = set(
            Dispute.objects.filter(pk__in=set(page_disputes.values()))
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        dispute_of.update(page_disputes)
        free += [pk for pk, _order_id in page if pk not in page_disputes or page_disputes[pk] in locked]
    if not free:
        return []  # none due, or all their disputes held by a person or another worker: next run
    flagged = money.refunds_flag_overdue(rows=Refund.objects.filter(pk__in=free), limit=limit, actor=actor)
    if not flagged:
        return []
    with_open = set(
        Complaint.objects.filter(dispute_id__in=[dispute_of[r.pk] for r in flagged if r.pk in dispute_of])
        .exclude(state=Complaint.State.DECIDED)
        .values_list("dispute_id", flat=True)
    )
    owed: dict[int, Refund] = {}  # dispute id -> the refund its complaint is about
    for refund in flagged:
        dispute_id = dispute_of.get(refund.pk)
        if dispute_id is not None and dispute_id not in with_open and dispute_id not in owed:
            owed[dispute_id] = refund  # else flagged; the buyer's own complaint is already open
    if owed:
        _open_overdue_complaints(owed, actor=actor)
    return [refund.pk for refund in flagged]


def _open_overdue_complaints(owed: dict[int, Refund], *, actor: User) -> None:
    """A complaint for each dispute of ``owed`` about its overdue refund, filed by ``actor`` (the
    scheduler): one insert for the complaints, their audit rows and their events (R-REF-4)."""
    now = timezone.now()
    disputes = Dispute.objects.select_related("order").in_bulk(list(owed))
    complaints = bulk_insert(
        Complaint(
            dispute=disputes[dispute_id],
            refund=refund,
            kind=Complaint.Kind.REFUND_OVERDUE,
            filed_by=actor,
            description=_("The refund of %(amount)s %(currency)s was due on %(due)s and has not been paid.")
            % {
                "amount": refund.amount,
                "currency": refund.currency,
                "due": timezone.localtime(refund.due_at).date().isoformat(),
            },
            opened_at=now,
            deadline_at=now + timedelta(days=settings.ARBITER_DECISION_DAYS),
        )
        for dispute_id, refund in owed.items()
    )
    record_transitions(
        Complaint,
        [(complaint.pk, None) for complaint in complaints],
        name="file",
        target=Complaint.State.OPEN,
        by=actor,
        description="Opened automatically: refund overdue",
        at=now,
    )
    people = people_refs(*{pk for d in disputes.values() for pk in (d.buyer_id, d.seller_id)})
    emit_many(
        "complaint.opened",
        [(complaint.dispute.order, complaint_payload(complaint, people=people)) for complaint in complaints],
    )


def _disputes_of_refunds(refunds: list[tuple[int, int]]) -> dict[int, int]:
    """The dispute each refund of ``refunds`` (id, order id) belongs to, by refund id: the dispute
    that closed with it, the dispute whose complaint's decision made it, or its order's dispute.
    Three queries at most, however many refunds."""
    found = dict(
        Dispute.objects.filter(refund_id__in=[pk for pk, _order in refunds]).values_list("refund_id", "pk")
    )
    rest = [pk for pk, _order in refunds if pk not in found]
    if rest:
        found.update(
            Complaint.objects.filter(new_refund_id__in=rest).values_list("new_refund_id", "dispute_id")
        )
    rest_orders: dict[int, list[int]] = {}
    for pk, order_id in refunds:
        if pk not in found:
            rest_orders.setdefault(order_id, []).append(pk)
    if rest_orders:
        for order_id, dispute_id in Dispute.objects.filter(order_id__in=list(rest_orders)).values_list(
            "order_id", "pk"
        ):
            found.update(dict.fromkeys(rest_orders[order_id], dispute_id))
    return found


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
