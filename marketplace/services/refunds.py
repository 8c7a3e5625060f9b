"""Refunds from creation to payout (R-REF-2, R-REF-3, R-REF-4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.batches import bulk_insert, claim
from marketplace.errors import DomainError
from marketplace.events import emit, emit_many, refund_payload
from marketplace.gateways import GatewayUnavailable, get_gateway
from marketplace.models import (
    EscrowHold,
    LedgerEntry,
    Order,
    Refund,
    User,
)
from marketplace.notifications import notify, notify_many
from marketplace.queueing import enqueue_on_commit
from marketplace.selectors import refunds_overdue
from marketplace.services.base import Amount, _lock_escrow, _lock_order, _require_finance, to_money


def _refund_create(
    order: Order,
    escrow: EscrowHold,
    *,
    amount: Decimal,
    source: str,
    actor: User,
    reason: str,
    idempotency_key: str,
) -> Refund:
    """One refund (a batch of one of ``_refunds_create``)."""
    [refund] = _refunds_create(
        [RefundOwed(order, escrow, amount, reason, idempotency_key)], source=source, actor=actor
    )
    return refund


@dataclass(frozen=True)
class RefundOwed:
    """A refund to create: of ``order``, whose locked ``escrow`` records it."""

    order: Order
    escrow: EscrowHold
    amount: Decimal
    reason: str
    idempotency_key: str


def _refunds_create(owed: list[RefundOwed], *, source: str, actor: User) -> list[Refund]:
    """The refunds, their ledger entries (R-ESC-2) and their ``refund.created`` events, one
    statement each for a sweep's batch; each payout queued after commit (R-REF-2). The escrows
    (locked by the caller) count them in memory: the caller saves them."""
    if not owed:
        return []
    now = timezone.now()
    refunds = bulk_insert(
        Refund(
            order=item.order,
            amount=item.amount,
            currency=item.order.currency,
            source=source,
            destination=item.order.payment_method,
            idempotency_key=item.idempotency_key,
            reason=item.reason[:500],
            created_by=actor,
            created_at=now,
            due_at=now + timedelta(days=settings.REFUND_DEADLINE_DAYS),
        )
        for item in owed
    )
    bulk_insert(
        LedgerEntry(
            order=item.order,
            kind=LedgerEntry.Kind.REFUND,
            source=source,
            amount=item.amount,
            currency=item.order.currency,
            party_id=item.order.buyer_id,
            actor=actor,
            reason=item.reason[:500],
            idempotency_key=f"refund:{item.idempotency_key}",
            refund=refund,
            created_at=now,
        )
        for item, refund in zip(owed, refunds, strict=True)
    )
    for item, refund in zip(owed, refunds, strict=True):
        if source == LedgerEntry.Source.ESCROW:
            item.escrow.refunded += item.amount
        else:
            item.escrow.refunded_by_seller += item.amount
        _dispatch(refund)
    emit_many("refund.created", [(refund.order, refund_payload(refund)) for refund in refunds])
    return refunds


def _dispatch(refund: Refund) -> None:
    """Send the payout as soon as the refund commits; ``dispatch_refunds`` sends it if the task is lost."""
    enqueue_on_commit("marketplace.tasks.refund_send_task", refund.pk)


def refund_create_from_seller(
    *, order: Order, amount: Amount, actor: User, reason: str, idempotency_key: str
) -> Refund:
    """A refund paid from the seller's balance after escrow was settled (R-CMP-1).

    Total refunds of an order never exceed what the buyer paid (R-ESC-3): checked here under
    the escrow lock and by the ``escrow_refunds_within_paid`` constraint.
    """
    amount = to_money(amount)
    if amount <= 0:
        raise DomainError(_("A refund must be more than zero."))
    with transaction.atomic():
        order = _lock_order(order.pk)
        existing = Refund.objects.filter(idempotency_key=idempotency_key, order=order).first()
        if existing is not None:
            return existing  # a replay of the same request
        if order.state != Order.State.COMPLETED:
            raise DomainError(_("The payment is still in escrow; decide the dispute to refund from it."))
        escrow = _lock_escrow(order.pk)
        refundable = escrow.held - escrow.refunded - escrow.refunded_by_seller
        if amount > refundable:
            raise DomainError(
                _("At most %(amount)s %(currency)s can still be refunded for this order.")
                % {"amount": refundable, "currency": order.currency}
            )
        refund = _refund_create(
            order,
            escrow,
            amount=amount,
            source=LedgerEntry.Source.SELLER_BALANCE,
            actor=actor,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        escrow.save(update_fields=["refunded_by_seller"])
    return refund


def _record_sent(refund: Refund, *, actor: User, reference: str, via_gateway: bool, description: str) -> None:
    """A payout left: by the gateway, or by finance outside it (R-REF-2, R-REF-3)."""
    refund.payout_reference = reference
    refund.via_gateway = via_gateway
    refund.sent_at = timezone.now()
    refund.mark_sent(by=actor, description=description)
    refund.save()
    _announce(refund, "sent")


def _announce(refund: Refund, stage: str) -> None:
    """Tell the buyer (an email) and the marketplace (an event) that the payout was sent or paid."""
    notify(
        f"refund_{stage}",
        order=refund.order,
        context={
            "refund_amount": str(refund.amount),
            "reference": refund.payout_reference,
            "destination": refund.destination,
        },
    )
    emit(f"refund.{stage}", order=refund.order, data=refund_payload(refund))


def _lock_refund(refund_id: int) -> Refund:
    return Refund.objects.select_for_update().get(pk=refund_id)


def refund_send(*, refund: Refund, actor: User) -> Refund:
    """Send a pending refund through the payment gateway (R-REF-3).

    The gateway call carries the refund's idempotency key (with the attempt number), so a
    crash after the call and before the commit, or a retried task, can't pay twice: the
    next call with the same key returns the same payout.
    """
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.PENDING:
            raise DomainError(_("This refund has already been sent."))
        try:
            result = get_gateway().send_payout(
                idempotency_key=refund.gateway_key,
                amount=refund.amount,
                currency=refund.currency,
                destination=refund.destination,
            )
        except GatewayUnavailable:
            raise  # nothing changed; the task retries with backoff
        _record_sent(
            refund,
            actor=actor,
            reference=result.reference,
            via_gateway=True,
            description=f"Payout {result.reference} via gateway",
        )
    return refund


def refund_mark_sent(*, refund: Refund, actor: User, reference: str) -> Refund:
    """Finance paid the refund outside the gateway (e.g. a bank transfer) and records it, or the
    payment provider's signed callback reports it sent (the scheduler user, R-REF-2)."""
    if not actor.is_system:
        _require_finance(actor)
    reference = reference.strip()
    if not reference:
        raise DomainError(_("Enter the payout reference the bank or provider gave."))
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.PENDING:
            raise DomainError(_("Only a pending refund can be marked sent."))
        _record_sent(
            refund,
            actor=actor,
            reference=reference,
            via_gateway=False,
            description=f"Marked sent by finance with reference {reference}",
        )
    return refund


def refund_mark_completed(*, refund: Refund, actor: User, reference: str = "") -> Refund:
    """The payout reached the buyer (R-REF-2)."""
    if not actor.is_system:
        _require_finance(actor)
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.SENT:
            raise DomainError(_("Only a sent refund can be marked paid."))
        _require_gateway_agrees(refund, "paid")
        if reference.strip():
            refund.payout_reference = reference.strip()
        refund.completed_at = timezone.now()
        refund.mark_completed(by=actor, description=f"Paid, reference {refund.payout_reference}")
        refund.save()
        _announce(refund, "completed")
    return refund


def refund_mark_failed(*, refund: Refund, actor: User, reason: str) -> Refund:
    if not actor.is_system:
        _require_finance(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the payout failed, so the next attempt can avoid it."))
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.SENT:
            raise DomainError(_("Only a sent refund can be marked failed."))
        _require_gateway_agrees(refund, "failed")
        refund.failed_at = timezone.now()
        refund.failure_reason = reason[:500]
        refund.mark_failed(by=actor, description=reason[:200])
        refund.save()
        notify(
            "refund_failed",
            order=refund.order,
            context={"refund_amount": str(refund.amount), "reason": refund.failure_reason},
        )
        emit("refund.failed", order=refund.order, data=refund_payload(refund))
    return refund


def _require_gateway_agrees(refund: Refund, outcome: str) -> None:
    """A payout sent through the gateway ends the way the provider says, not as someone guesses.

    Marking a still-processing (or paid) gateway payout failed lets it be retried under a new
    key while the first payout still pays: the buyer would be paid twice. Marking it paid
    while the provider is still paying, or has declined it, tells the buyer money arrived that
    did not. Payouts made outside the gateway, or that the provider has no record of, are left
    to finance.
    """
    if not refund.via_gateway:
        return
    payout = get_gateway().get_payout(idempotency_key=refund.gateway_key)
    if payout is not None and payout.status != outcome:
        raise DomainError(
            _(
                "The payment provider reports this payout as %(status)s, not %(outcome)s; payouts sent "
                "through the provider are recorded as it reports them."
            )
            % {"status": payout.status, "outcome": outcome}
        )


def refund_retry(*, refund: Refund, actor: User, authorized_by: str = "", destination: str = "") -> Refund:
    """A failed payout goes back to pending as a new attempt (a new gateway key).

    A card that declined once may decline again (closed, expired), so the retry may go to a
    new ``destination`` the buyer gave (another card, a bank account). Finance retries
    payouts; an arbitration decision may order a retry too, and then ``authorized_by`` names
    that decision (it goes into the audit log) instead of the finance permission.
    """
    if not (actor.is_system or authorized_by):
        _require_finance(actor)
    with transaction.atomic():
        refund = _lock_refund(refund.pk)
        if refund.state != Refund.State.FAILED:
            raise DomainError(_("Only a failed refund can be retried."))
        refund.attempts += 1
        destination = destination.strip()[:100]
        if destination and destination != refund.destination:
            authorized_by = " ".join(
                filter(None, [f"to {destination} instead of {refund.destination}", authorized_by])
            )
            refund.destination = destination
        refund.retry(
            by=actor,
            description=" ".join(filter(None, [f"Retry, attempt {refund.attempts + 1}", authorized_by])),
        )
        refund.save()
        _dispatch(refund)
        emit("refund.retried", order=refund.order, data=refund_payload(refund))
    return refund


def refund_sync_with_gateway(*, refund: Refund, actor: User) -> Refund:
    """Ask the gateway how a sent payout ended and record it."""
    refund = Refund.objects.get(pk=refund.pk)  # the caller's copy may be stale
    if refund.state != Refund.State.SENT or not refund.payout_reference:
        return refund
    result = get_gateway().get_payout(idempotency_key=refund.gateway_key)
    if result is None or result.status == "processing":
        return refund
    try:
        if result.status == "paid":
            return refund_mark_completed(refund=refund, actor=actor, reference=result.reference)
        return refund_mark_failed(refund=refund, actor=actor, reason=result.failure_reason or "Payout failed")
    except DomainError:
        return Refund.objects.get(pk=refund.pk)  # someone recorded the outcome first


def refund_flag_overdue(*, refund: Refund, actor: User) -> bool:
    """Flag a refund not paid by its due date (R-REF-4). Returns whether it was flagged now.
    One refund (a batch of one of ``refunds_flag_overdue``): its lock is waited for."""
    with transaction.atomic():
        _lock_refund(refund.pk)
        return bool(refunds_flag_overdue(rows=Refund.objects.filter(pk=refund.pk), limit=1, actor=actor))


def refunds_flag_overdue(*, rows: QuerySet[Refund], limit: int, actor: User) -> list[Refund]:
    """Flag refunds not paid by their due date (R-REF-4): the one definition, for a sweep's batch
    and for one refund. Up to ``limit`` of ``rows`` that are overdue (``refunds_overdue``) are
    claimed and flagged in one statement; the buyers told and the events written with one
    statement each. Returns the refunds flagged (with their orders). A caller that locks the
    refunds' disputes does so first (arbitration's ``refunds_overdue_open_complaints``).
    """
    now = timezone.now()
    ids = claim(rows & refunds_overdue(now), limit=limit, changes={"overdue_flagged_at": now})
    if not ids:
        return []
    refunds = list(Refund.objects.filter(pk__in=ids).select_related("order").order_by("pk"))
    notify_many(
        "refund_overdue",
        [
            (refund.order, {"refund_amount": str(refund.amount), "due_at": refund.due_at.isoformat()})
            for refund in refunds
        ],
    )
    emit_many("refund.overdue", [(refund.order, refund_payload(refund)) for refund in refunds])
    return refunds
