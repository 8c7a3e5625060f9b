"""Returns agreed or decided in a dispute (R-RET-1, R-RET-2)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration.events import return_payload
from arbitration.models import (
    Dispute,
    Message,
    ReturnShipment,
    is_scheduler,
)
from arbitration.selectors import disputes_return_not_confirmed, disputes_return_not_shipped
from arbitration.services.base import _allow, _bounded, _lock_dispute, _text
from arbitration.services.disputes import _announce_closed, _close, disputes_escalate
from arbitration.services.messages import _post
from marketplace import services as money
from marketplace.batches import bulk_set, claim
from marketplace.errors import DomainError
from marketplace.events import emit
from marketplace.fsm import record_transitions
from marketplace.models import User
from marketplace.notifications import notify


def _start_return(dispute: Dispute, *, address: str, refund_amount: Decimal, days: int | None = None) -> None:
    address = _text(address, _("A return needs the address to send the item to."))
    if hasattr(dispute, "return_shipment"):
        raise DomainError(_("This dispute already had a return; decide with a refund or a rejection."))
    ReturnShipment.objects.create(dispute=dispute, address=address, refund_amount=refund_amount)
    dispute.deadline_at = timezone.now() + timedelta(days=days or settings.RETURN_SHIP_DAYS)
    emit("return.requested", order=dispute.order, data=return_payload(dispute, dispute.return_shipment))


def return_ship(*, dispute: Dispute, actor: User, carrier: str, tracking_number: str) -> ReturnShipment:
    carrier = _text(carrier, _("Enter the carrier you shipped the return with."), limit=100)
    tracking_number = _text(tracking_number, _("Enter the return's tracking number."), limit=64)
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
        emit("return.shipped", order=dispute.order, data=return_payload(dispute, shipment))
    return shipment


def return_acknowledge(
    *,
    dispute: Dispute,
    actor: User,
    acknowledgement: str,
    note: str = "",
    files: Iterable[UploadedFile[bytes]] = (),
) -> Dispute:
    """The seller confirms the return arrived (refund now) or reports a problem (back to arbitration)."""
    if acknowledgement not in ReturnShipment.Acknowledgement.values:
        raise DomainError(_("Choose what arrived."))
    problem = acknowledgement != ReturnShipment.Acknowledgement.RECEIVED_OK
    files = list(files)
    note = _bounded(note)
    if problem:
        note = _text(note, _("Describe the problem with the returned item; arbiters will review it."))
        if not files:
            raise DomainError(_("Attach photos or a video of what arrived; a problem report needs evidence."))
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        _allow(dispute, "report_return_problem" if problem else "confirm_return", actor)
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
            disputes_escalate(
                rows=Dispute.objects.filter(pk=dispute.pk),
                limit=1,
                actor=actor,
                transition="report_return_problem",
                source=Dispute.State.RETURN_IN_TRANSIT,
                description=str(ReturnShipment.Acknowledgement(acknowledgement).label),
            )
            dispute.refresh_from_db()
        else:
            dispute.confirm_return(by=actor, description="Return received in full")
            _close(
                dispute,
                outcome=Dispute.Outcome.RETURN_REFUNDED,
                refund_amount=shipment.refund_amount,
                actor=actor,
                reason="The seller confirmed the return arrived",
                key_suffix="return",
            )
            dispute.save()
        emit(
            "return.problem_reported" if problem else "return.received",
            order=dispute.order,
            data=return_payload(dispute, shipment),
        )
    return dispute


@dataclass(frozen=True)
class ReturnDeadline:
    """A return deadline the scheduler enforces (R-RET-1, R-RET-2): disputes ``due`` in
    ``source`` close by ``transition`` with ``outcome``, the buyer refunded the return's amount
    when ``refund``; ``notice`` tells the parties why, besides the closure itself."""

    due: Callable[[], QuerySet[Dispute]]
    source: str
    transition: str
    outcome: str
    refund: bool
    reason: str
    notice: str | None = None


NOT_SHIPPED = ReturnDeadline(
    due=disputes_return_not_shipped,
    source=Dispute.State.AWAITING_RETURN,
    transition="close_return_not_shipped",
    outcome=Dispute.Outcome.RETURN_NOT_SHIPPED,
    refund=False,
    reason="The return was not shipped in time",
    notice="return_overdue",
)
NOT_CONFIRMED = ReturnDeadline(
    due=disputes_return_not_confirmed,
    source=Dispute.State.RETURN_IN_TRANSIT,
    transition="refund_unconfirmed_return",
    outcome=Dispute.Outcome.RETURN_NOT_CONFIRMED,
    refund=True,
    reason="The seller did not confirm the return in time",
)


def disputes_close_at_return_deadline(
    *, rows: QuerySet[Dispute], limit: int, actor: User, deadline: ReturnDeadline
) -> list[int]:
    """Close disputes whose return ``deadline`` passed (R-RET-1, R-RET-2): the one definition, for
    the scheduler's sweep and for one dispute (a batch of one).

    Up to ``limit`` disputes of ``rows`` that are due (``deadline.due``) are claimed and closed
    in one statement (``claim``: locked with SKIP LOCKED, so workers share the sweep); then their
    orders and escrows are settled through the money core in id order (``escrows_resolve``:
    Dispute → Order → EscrowHold → Refund), the refunds linked, the transitions audited, the
    pending offers withdrawn and both parties told, one statement per table. Returns the ids
    closed; runs in the caller's transaction.
    """
    if not is_scheduler(None, actor):
        raise DomainError(_("Only the scheduler closes a dispute when a return's time runs out."))
    now = timezone.now()
    ids = claim(
        rows & deadline.due(),
        limit=limit,
        changes={
            "state": Dispute.State.CLOSED,
            "outcome": deadline.outcome,
            "closed_at": now,
            "deadline_at": None,
        },
    )
    if not ids:
        return []
    disputes = list(
        Dispute.objects.filter(pk__in=ids).select_related("order", "return_shipment").order_by("pk")
    )
    refunded = {
        dispute.pk: dispute.return_shipment.refund_amount if deadline.refund else Decimal("0")
        for dispute in disputes
    }
    resolutions = money.escrows_resolve(
        [
            money.Settlement(
                order_id=dispute.order_id,
                refund_amount=refunded[dispute.pk],
                reason=deadline.reason,
                idempotency_key=f"dispute:{dispute.pk}:return",
            )
            for dispute in disputes
        ],
        actor=actor,
    )
    for dispute in disputes:
        dispute.refund = resolutions[dispute.order_id].refund
    with_refund = [dispute for dispute in disputes if dispute.refund is not None]
    if with_refund:
        bulk_set(with_refund, ["refund"])
    record_transitions(
        Dispute,
        [(pk, deadline.source) for pk in ids],
        name=deadline.transition,
        target=Dispute.State.CLOSED,
        by=actor,
        at=now,
    )
    notice = deadline.notice
    _announce_closed(
        [(dispute, refunded[dispute.pk], resolutions[dispute.order_id].released) for dispute in disputes],
        at=now,
        notices=[(notice, d.order, {"dispute_id": d.pk, "closed": True}) for d in disputes if notice],
    )
    return ids


def _close_one_at_return_deadline(dispute: Dispute, *, actor: User, deadline: ReturnDeadline) -> bool:
    """One dispute through ``disputes_close_at_return_deadline`` (a batch of one): its lock is
    waited for (a person acting on it first wins), then it closes if still due. Whether it moved."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        rows = Dispute.objects.filter(pk=dispute.pk)
        return bool(disputes_close_at_return_deadline(rows=rows, limit=1, actor=actor, deadline=deadline))


def disputes_close_unshipped_returns(*, rows: QuerySet[Dispute], limit: int, actor: User) -> list[int]:
    """The ship-by date passed without a return: escrow to the seller (R-RET-1); the sweep's batch."""
    return disputes_close_at_return_deadline(rows=rows, limit=limit, actor=actor, deadline=NOT_SHIPPED)


def disputes_refund_unconfirmed_returns(*, rows: QuerySet[Dispute], limit: int, actor: User) -> list[int]:
    """The seller neither confirmed nor reported a problem in time: refund automatically (R-RET-2);
    the sweep's batch."""
    return disputes_close_at_return_deadline(rows=rows, limit=limit, actor=actor, deadline=NOT_CONFIRMED)


def return_close_not_shipped(*, dispute: Dispute, actor: User) -> bool:
    """The ship-by date passed without a return: escrow to the seller (R-RET-1). One dispute."""
    return _close_one_at_return_deadline(dispute, actor=actor, deadline=NOT_SHIPPED)


def return_refund_unconfirmed(*, dispute: Dispute, actor: User) -> bool:
    """The seller neither confirmed nor reported a problem in time: refund automatically (R-RET-2).
    One dispute."""
    return _close_one_at_return_deadline(dispute, actor=actor, deadline=NOT_CONFIRMED)


def return_remind(*, dispute: Dispute) -> bool:
    """Remind the buyer once, RETURN_REMINDER_DAYS before the ship-by date (R-RET-1)."""
    with transaction.atomic():
        dispute = _lock_dispute(dispute.pk)
        if dispute.state != Dispute.State.AWAITING_RETURN:
            return False
        shipment = ReturnShipment.objects.select_for_update().get(dispute=dispute)
        now = timezone.now()
        ship_by = dispute.deadline_at
        if (
            shipment.reminded_at
            or ship_by is None
            or not ship_by - timedelta(days=settings.RETURN_REMINDER_DAYS) <= now < ship_by
        ):
            return False
        shipment.reminded_at = now
        shipment.save(update_fields=["reminded_at"])
        notify(
            "return_due_soon",
            order=dispute.order,
            context={
                "dispute_id": dispute.pk,
                "ship_by": ship_by.isoformat(),
                "address": shipment.address,
            },
        )
        emit("return.due_soon", order=dispute.order, data=return_payload(dispute, shipment))
    return True
