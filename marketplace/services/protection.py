"""Buyer protection: confirming receipt, extension requests and the reminder (R-PRT-2, R-PRT-4, R-PRT-5)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.events import emit, emit_many, extension_payload, order_payload
from marketplace.models import (
    ExtensionRequest,
    Order,
    User,
)
from marketplace.notifications import notify, notify_batch, notify_many
from marketplace.selectors import orders_due_for_auto_extension
from marketplace.services.base import _lock_order, _require_party
from marketplace.text import without_bidi_controls


def _explain_not_protected(order: Order) -> str:
    if order.state == Order.State.PAID:
        return _("The order has not been shipped yet.")
    if order.state == Order.State.CONFIRMED:
        return _("You have already confirmed receipt of this order.")
    if order.state == Order.State.DISPUTED:
        return _("This order is in dispute; the dispute decides what happens to the payment.")
    if order.state == Order.State.COMPLETED:
        return _(
            "This order is completed and the payment has been settled. If the product is dangerous, you can "
            "still report it from the order page."
        )
    return _("Buyer protection for this order has ended.")


def _lapse_pending_extensions(order_ids: list[int], actor: User, at: datetime | None = None) -> None:
    """Requests for more time still waiting when the order is settled, confirmed or disputed lapse."""
    ExtensionRequest.objects.filter(order_id__in=order_ids, status=ExtensionRequest.Status.PENDING).update(
        status=ExtensionRequest.Status.LAPSED, answered_at=at or timezone.now(), answered_by=actor
    )


def _lapse_unanswered(orders: list[Order], actor: User, at: datetime) -> None:
    """The seller never answered and the order's one automatic extension is used (R-PRT-4): the
    requests lapse, and buyer and seller are told (R-NTF-1). One query each, for a sweep's batch."""
    pending = list(
        ExtensionRequest.objects.filter(
            order_id__in=[order.pk for order in orders], status=ExtensionRequest.Status.PENDING
        ).values_list("pk", "order_id", "days", "created_at")
    )
    if not pending:
        return
    ExtensionRequest.objects.filter(pk__in=[pk for pk, *_ in pending]).update(
        status=ExtensionRequest.Status.LAPSED, answered_at=at, answered_by=actor
    )
    by_id = {order.pk: order for order in orders}
    notify_many(
        "extension_lapsed",
        [
            (by_id[order_id], {"days": days, "asked_at": asked_at.isoformat()})
            for _pk, order_id, days, asked_at in pending
        ],
    )


def order_confirm_receipt(*, order: Order, actor: User) -> Order:
    """The buyer confirms receipt; the dispute window shortens to 15 days (R-PRT-2)."""
    _require_party(order, actor, "buyer")
    with transaction.atomic():
        order = _lock_order(order.pk)
        if not order.is_protected:
            raise DomainError(_explain_not_protected(order))
        now = timezone.now()
        order.confirmed_at = now
        order.dispute_deadline = order.dispute_deadline_for(confirmed_at=now)
        _lapse_pending_extensions([order.pk], actor)
        order.confirm_receipt(by=actor)
        order.save()
        emit("order.receipt_confirmed", order=order, data=order_payload(order, automatic=False))
    return order


def extension_request_create(*, order: Order, actor: User, days: int, reason: str) -> ExtensionRequest:
    """The buyer asks the seller for more protection days (R-PRT-4)."""
    _require_party(order, actor, "buyer")
    reason = without_bidi_controls(reason).strip()
    if not isinstance(days, int) or not 1 <= days <= settings.EXTENSION_MAX_DAYS:
        raise DomainError(_("Ask for between 1 and %(max)s days.") % {"max": settings.EXTENSION_MAX_DAYS})
    if not reason:
        raise DomainError(
            _("Tell the seller why you need more time (for example: the parcel is still in transit).")
        )
    with transaction.atomic():
        order = _lock_order(order.pk)
        if not order.is_protected:
            raise DomainError(_explain_not_protected(order))
        if order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise DomainError(_("You already have a request waiting for the seller's answer."))
        request = ExtensionRequest.objects.create(order=order, requested_by=actor, days=days, reason=reason)
        notify("extension_requested", order=order, context={"days": days, "reason": reason})
        emit(
            "order.extension_requested",
            order=order,
            data=order_payload(order, extension_request=extension_payload(request)),
        )
    return request


def _extend(order: Order, days: int, *, at_least_from: datetime) -> datetime:
    """Move the protection deadline ``days`` past the later of itself and ``at_least_from``."""
    base = (
        at_least_from if order.protection_deadline is None else max(order.protection_deadline, at_least_from)
    )
    order.protection_deadline = deadline = base + timedelta(days=days)
    order.dispute_deadline = order.dispute_deadline_for(confirmed_at=None)  # only unconfirmed orders extend
    order.protection_reminder_sent_at = None  # remind again before the new deadline (R-PRT-5)
    return deadline


def _lock_pending_request(order: Order, request_id: int) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().get(pk=request_id, order=order)
    if request.status != ExtensionRequest.Status.PENDING:
        raise DomainError(_("This request has already been answered."))
    return request


def extension_grant(*, request: ExtensionRequest, actor: User) -> ExtensionRequest:
    """The seller grants more days: the protection deadline moves (R-PRT-4)."""
    _require_party(request.order, actor, "seller")
    with transaction.atomic():
        order = _lock_order(request.order_id)
        request = _lock_pending_request(order, request.pk)
        if order.state not in Order.PROTECTED_STATES:
            raise DomainError(_explain_not_protected(order))
        # Granted after the deadline (before the automatic grant ran): the days count from now,
        # as the automatic grant's would, so answering late never gives the buyer less.
        deadline = _extend(order, request.days, at_least_from=timezone.now())
        order.save(update_fields=["protection_deadline", "dispute_deadline", "protection_reminder_sent_at"])
        request.status = ExtensionRequest.Status.GRANTED
        request.answered_at, request.answered_by = timezone.now(), actor
        request.save(update_fields=["status", "answered_at", "answered_by"])
        notify(
            "extension_answered",
            order=order,
            context={
                "granted": True,
                "days": request.days,
                "deadline": deadline.isoformat(),
            },
        )
        emit(
            "order.protection_extended",
            order=order,
            data=order_payload(order, automatic=False, extension_request=extension_payload(request)),
        )
    return request


def extension_decline(*, request: ExtensionRequest, actor: User, reason: str = "") -> ExtensionRequest:
    _require_party(request.order, actor, "seller")
    with transaction.atomic():
        order = _lock_order(request.order_id)
        request = _lock_pending_request(order, request.pk)
        if _owed_automatic_extension(order):
            raise DomainError(
                _(
                    "The protection deadline passed while this request was unanswered, so the buyer "
                    "gets the extension automatically; it can no longer be declined."
                )
            )
        request.status = ExtensionRequest.Status.DECLINED
        request.answered_at, request.answered_by = timezone.now(), actor
        request.decline_reason = without_bidi_controls(reason).strip()
        request.save(update_fields=["status", "answered_at", "answered_by", "decline_reason"])
        notify(
            "extension_answered",
            order=order,
            context={"granted": False, "days": request.days, "reason": request.decline_reason},
        )
        emit(
            "order.extension_declined",
            order=order,
            data=order_payload(order, extension_request=extension_payload(request)),
        )
    return request


def _owed_automatic_extension(order: Order) -> bool:
    """The deadline came with a request pending and no automatic extension yet (R-PRT-4)."""
    return (
        order.state in Order.PROTECTED_STATES
        and order.protection_deadline is not None
        and order.protection_deadline <= timezone.now()
        and order.auto_extended_at is None
    )


def extension_auto_grant(*, order: Order, actor: User) -> bool:
    """One order through the automatic extension (a batch of one); whether it moved (R-PRT-4)."""
    with transaction.atomic():
        return bool(orders_auto_extend(rows=Order.objects.filter(pk=order.pk), limit=1, actor=actor))


def orders_auto_extend(*, rows: QuerySet[Order], limit: int, actor: User) -> list[int]:
    """The deadline arrived with the buyer's request unanswered: extend automatically, once
    (R-PRT-4) — the one definition, for a sweep's batch and for one order.

    Up to ``limit`` orders of ``rows`` that are due (``orders_due_for_auto_extension``) are locked,
    skipping any another worker holds, with their pending requests. An order not yet extended
    automatically gets the request's days, counted from the later of its deadline and now (a
    scheduler that ran late must not eat into the days the buyer asked for); one that already was
    has the request lapse instead, and the release job then settles it. The orders, the requests,
    the notices and the events are written with one statement each. Returns the ids extended.
    """
    now = timezone.now()
    due = rows & orders_due_for_auto_extension(now)
    orders = list(due.order_by("pk").select_for_update(skip_locked=True, of=("self",))[:limit])
    if not orders:
        return []
    requests = {
        request.order_id: request
        for request in ExtensionRequest.objects.select_for_update().filter(
            order_id__in=[order.pk for order in orders], status=ExtensionRequest.Status.PENDING
        )
    }
    used = [order for order in orders if order.auto_extended_at is not None and order.pk in requests]
    if used:
        _lapse_unanswered(used, actor, now)
        lapsed = ExtensionRequest.objects.in_bulk([requests[order.pk].pk for order in used])
        emit_many(
            "order.extension_lapsed",
            [
                (
                    order,
                    order_payload(order, extension_request=extension_payload(lapsed[requests[order.pk].pk])),
                )
                for order in used
            ],
        )
    extended = [order for order in orders if order.auto_extended_at is None and order.pk in requests]
    if not extended:
        return []
    deadlines = {}
    for order in extended:
        request = requests[order.pk]
        deadlines[order.pk] = _extend(order, request.days, at_least_from=now)
        order.auto_extended_at = now
        request.status = ExtensionRequest.Status.AUTO_GRANTED
        request.answered_at, request.answered_by = now, actor
    Order.objects.bulk_update(
        extended,
        ["protection_deadline", "dispute_deadline", "protection_reminder_sent_at", "auto_extended_at"],
    )
    ExtensionRequest.objects.bulk_update(
        [requests[order.pk] for order in extended], ["status", "answered_at", "answered_by"]
    )
    notify_batch(
        [
            (
                "extension_answered",
                order,
                {
                    "granted": True,
                    "automatic": True,
                    "days": requests[order.pk].days,
                    "deadline": deadlines[order.pk].isoformat(),
                },
            )
            for order in extended
        ],
        to=("buyer", "seller"),  # the seller kept silent: told what their silence did
    )
    emit_many(
        "order.protection_extended",
        [
            (
                order,
                order_payload(order, automatic=True, extension_request=extension_payload(requests[order.pk])),
            )
            for order in extended
        ],
    )
    return [order.pk for order in extended]


def protection_remind(*, order: Order) -> bool:
    """Remind the buyer once, PROTECTION_REMINDER_DAYS before protection ends (R-PRT-5)."""
    with transaction.atomic():
        order = _lock_order(order.pk)
        now = timezone.now()
        deadline = order.protection_deadline
        if (
            order.state not in Order.PROTECTED_STATES
            or order.protection_reminder_sent_at is not None
            or deadline is None
            or not deadline - timedelta(days=settings.PROTECTION_REMINDER_DAYS) <= now < deadline
        ):
            return False
        order.protection_reminder_sent_at = now
        order.save(update_fields=["protection_reminder_sent_at"])
        context: dict[str, object] = {"deadline": deadline.isoformat()}
        pending = order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).first()
        if pending is not None:
            # Not "ask for more time" again: the request waits, and silence extends it (R-PRT-4).
            context.update(
                pending_days=pending.days,
                pending_since=pending.created_at.isoformat(),
                extends_automatically=order.auto_extended_at is None,
            )
        notify(
            "protection_ending",
            order=order,
            context=context,
            dedupe_key=f"order:{order.pk}:protection-ending:{deadline.isoformat()}",
        )
        emit("order.protection_ending", order=order, data=order_payload(order))
    return True
