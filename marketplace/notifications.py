"""Who is told what (R-NTF-1). The one place that maps an event to its recipients.

Services call ``notify()`` inside their transaction. It writes ``Notification`` rows (the
outbox) and, after commit, queues the Celery task that renders ``templates/emails/<event>.*``
in the recipient's language and sends it. A rolled-back change leaves no row and queues
nothing, so it never sends mail; a committed row whose task was lost is sent by the
``send_notifications`` sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from django.db import IntegrityError, transaction

from marketplace.batches import bulk_insert, insert_rows
from marketplace.models import Notification, Order
from marketplace.queueing import enqueue

Audience = Literal["buyer", "seller"]

log = logging.getLogger(__name__)

SEND_TASK = "marketplace.tasks.send_notifications"

# event -> who hears of it. The party who has to act next, or whose money or protection
# changed, is told; outcomes (escalated, decided, closed) go to both. A party is not emailed
# a copy of its own routine action (it sees it on the page), except the buyer's opening of a
# dispute, whose email records the date the dispute goes to arbitration.
EVENTS: dict[str, tuple[Audience, ...]] = {
    "dispute_opened": ("buyer", "seller"),
    "dispute_amended": ("seller",),
    "dispute_answered": ("buyer",),  # the seller rejected the claim with an explanation
    "dispute_offer_made": ("buyer",),
    "dispute_offer_answered": ("seller",),
    "dispute_message": (),  # recipients chosen by the caller: the other party
    "dispute_escalated": ("buyer", "seller"),
    "dispute_decided": ("buyer", "seller"),
    "dispute_closed": ("buyer", "seller"),
    "information_requested": (),  # recipients chosen by the caller: the party asked
    "return_due_soon": ("buyer",),
    "return_overdue": ("buyer", "seller"),
    "return_shipped": ("seller",),
    "refund_sent": ("buyer",),
    "refund_completed": ("buyer",),
    "refund_failed": ("buyer",),
    "refund_overdue": ("buyer", "seller"),
    "protection_ending": ("buyer",),
    "extension_requested": ("seller",),
    "extension_answered": ("buyer",),  # granted automatically: the seller too (R-PRT-4)
    "extension_lapsed": ("buyer", "seller"),  # unanswered after the one automatic extension (R-PRT-4)
    "order_auto_confirmed": ("buyer",),  # protection ended: confirmed for the buyer (R-PRT-3)
    "escrow_released": ("seller",),  # the dispute deadline passed: the seller is paid (R-ESC-4)
    "complaint_filed": ("buyer",),
    "complaint_decided": ("buyer", "seller"),
    "safety_report_closed": ("buyer",),
}

# Some moments are reported by a more specific event in the same transaction; the parties are
# not sent a second, vaguer "dispute closed" email about them: an arbiter's decision
# (``dispute_decided`` carries the outcome and the rationale) and a return not shipped in time
# (``return_overdue`` says why the dispute closed).
_CLOSED_OUTCOMES_TOLD_ELSEWHERE = {"decided_refund", "decided_rejected", "return_not_shipped"}


def audience_for(event: str, context: dict, to: Iterable[Audience] | None = None) -> tuple[Audience, ...]:
    """Who is told of ``event``: the table above, the caller's ``to=``, and the exceptions."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}; add it to EVENTS.")
    if event == "dispute_closed" and context.get("outcome") in _CLOSED_OUTCOMES_TOLD_ELSEWHERE:
        return ()
    audience = tuple(dict.fromkeys(EVENTS[event] if to is None else to))
    if not audience:
        raise ValueError(f"Event {event!r} needs explicit recipients (to=...).")
    return audience


def _rows(
    event: str, order: Order, audience: Iterable[Audience], context: dict, dedupe_key: str | None = None
) -> list[dict]:
    # What the email says, as it was at this moment. Links are built when it is rendered
    # (marketplace.mail), from the ids here; the recipient is loaded then too, by id.
    payload = {
        "order_id": order.pk,
        "order_number": order.number,
        "item_title": order.item_title,
        "amount": str(order.amount),
        "currency": order.currency,
        # Every email can say when protection ends (e.g. the seller's "answer before …").
        "protection_deadline": order.protection_deadline.isoformat() if order.protection_deadline else None,
        **context,
    }
    return [
        {
            "recipient_id": order.buyer_id if role == "buyer" else order.seller_id,
            "event": event,
            "context": {**payload, "role": role},
            "dedupe_key": f"{dedupe_key}:{role}" if dedupe_key else None,
        }
        for role in audience
    ]


def notify(
    event: str,
    *,
    order: Order,
    to: Iterable[Audience] | None = None,
    context: dict | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Record ``event`` for the order's buyer and/or seller and send it after commit."""
    context = context or {}
    audience = audience_for(event, context, to)
    if not audience:
        return []
    rows = [Notification(**row) for row in _rows(event, order, audience, context, dedupe_key)]
    if dedupe_key is None:
        created = bulk_insert(rows)
    else:
        created = []
        for notification in rows:
            if Notification.objects.filter(dedupe_key=notification.dedupe_key).exists():
                continue
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue  # the same once-only event was recorded concurrently
            created.append(notification)
    _send_after_commit([notification.pk for notification in created])
    return created


def notify_many(event: str, items: Iterable[tuple[Order, dict]]) -> list[int]:
    """``notify`` for many orders at once (a sweep's batch): one insert, one task after commit;
    the notifications' ids."""
    return notify_batch((event, order, context) for order, context in items)


def notify_batch(
    items: Iterable[tuple[str, Order, dict]], *, to: Iterable[Audience] | None = None
) -> list[int]:
    """Several events of a sweep's batch, each ``(event, order, context)``, to their usual
    recipients or to ``to``: one insert, one task after commit; the notifications' ids."""
    audience_override = None if to is None else tuple(to)
    rows: list[dict] = []
    for event, order, context in items:
        rows += _rows(event, order, audience_for(event, context, audience_override), context)
    created = insert_rows(Notification, rows)
    _send_after_commit(created)
    return created


def _send_after_commit(ids: list[int]) -> None:
    if ids:
        # robust: if the broker is down the change still succeeds; the outbox sweep sends the mail later.
        transaction.on_commit(lambda: _enqueue(ids), robust=True)


# --- Sending after commit -----------------------------------------------------------------

_batch: ContextVar[list[int] | None] = ContextVar("notification_batch", default=None)


def _enqueue(notification_ids: list[int]) -> None:
    pending = _batch.get()
    if pending is not None:
        pending.extend(notification_ids)  # committed; sent when the sweep flushes its batch
        return
    _send(notification_ids)


def _send(notification_ids: list[int]) -> None:
    enqueue(SEND_TASK, notification_ids)


class NotificationBatch:
    """Collects the ids of notifications committed by many small transactions."""

    CHUNK = 200

    def __init__(self, pending: list[int]) -> None:
        self.pending = pending

    def flush(self) -> int:
        """Queue the collected ids; returns how many. A broker outage is logged, not raised: the
        rows are committed and the outbox sweep sends them later."""
        ids, self.pending[:] = list(self.pending), []
        try:
            for start in range(0, len(ids), self.CHUNK):
                _send(ids[start : start + self.CHUNK])
        except Exception:
            log.exception("Could not queue %s notification emails; the outbox sweep will send them", len(ids))
        return len(ids)


@contextmanager
def notifications_in_batches() -> Iterator[NotificationBatch]:
    """Queue one sending task per ``flush()`` instead of one per committed transaction.

    A sweep moving thousands of items would otherwise publish thousands of tiny tasks. Every
    id collected here belongs to a committed row, so batching delays mail by at most one
    batch; if the process dies before a flush, the rows are still in the outbox and the
    ``send_notifications`` sweep sends them (nothing is lost, nothing is sent twice).
    """
    batch = NotificationBatch([])
    token = _batch.set(batch.pending)
    try:
        yield batch
    finally:
        _batch.reset(token)
        batch.flush()
