"""Domain events: every state change, told to the marketplace (R-API-5).

A service calls ``emit(type, order=…, data=…)`` inside its transaction, once per change it
makes. The event is a ``DomainEvent`` row (the outbox) written in that transaction, with one
``WebhookDelivery`` per active endpoint of the order's account that wants the type; after commit
a Celery task sends them, and the ``send_webhooks`` sweep retries them. A rolled-back change
leaves no event and no delivery; a committed one is delivered at least once.

``EVENT_TYPES`` is the one catalogue: ``emit`` refuses any other type, endpoints filter on these
names, and the README lists them. Payloads are built here for orders, refunds and penalties and
in ``arbitration.events`` for disputes, returns, complaints and safety reports: ids (ours and the
marketplace's ``external_id``), the new state, amounts as strings with their currency, ISO 8601
times in UTC, and the API object's ``url``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction

from marketplace.batches import insert_rows
from marketplace.models import DomainEvent, ExtensionRequest, LedgerEntry, Order, Refund, User
from marketplace.queueing import enqueue_on_commit
from marketplace.webhooks.deliveries import DELIVER_TASK, deliveries_create

# type -> what happened (for integrators: the README's catalogue is this table).
EVENT_TYPES: dict[str, str] = {
    # Orders, protection and escrow (SPEC §2, §3): data is the order.
    "order.escrow_held": "The buyer paid; the whole amount is held in escrow (R-ESC-1).",
    "order.shipped": "The seller shipped; buyer protection runs until protection_deadline (R-PRT-1).",
    "order.delivered": "The carrier reported delivery; protection runs on until the buyer confirms.",
    "order.receipt_confirmed": "Receipt confirmed by the buyer, or automatically when protection "
    "ended (automatic: true); a dispute can be opened until dispute_deadline (R-PRT-2, R-PRT-3).",
    "order.extension_requested": "The buyer asked the seller for more protection days (R-PRT-4).",
    "order.extension_declined": "The seller declined the buyer's request for more days (R-PRT-4).",
    "order.extension_lapsed": "A second unanswered request lapsed: the one automatic extension "
    "was used (R-PRT-4).",
    "order.protection_extended": "Protection moved to protection_deadline: granted by the seller, "
    "or automatically (automatic: true) when the seller did not answer in time (R-PRT-4).",
    "order.protection_ending": "Protection ends within days; the buyer was reminded (R-PRT-5).",
    "order.escrow_frozen": "A dispute was opened; escrow stays held until it is resolved (R-ESC-4).",
    "order.escrow_released": "Escrow settled and the order completed: released_amount paid to the "
    "seller (0.00 when all was refunded), refunded_amount to the buyer (R-ESC-4, R-REF-1).",
    # Refunds (SPEC §6) and penalties (R-ARB-5): data is the refund / the penalty.
    "refund.created": "A refund is owed to the buyer, due by due_at (R-REF-1, R-REF-2).",
    "refund.sent": "The payout was sent, with its payout_reference (R-REF-2, R-REF-3).",
    "refund.completed": "The payout reached the buyer (R-REF-2).",
    "refund.failed": "The payout failed (failure_reason); it will be retried (R-REF-2).",
    "refund.retried": "A failed payout goes out again as a new attempt (R-REF-2).",
    "refund.overdue": "The refund was not paid by due_at; a complaint is opened (R-REF-4).",
    "penalty.applied": "A penalty was charged to the seller (R-ARB-5, R-CMP-1).",
    # Disputes and arbitration (SPEC §4, §5): data is the dispute.
    "dispute.opened": "The buyer opened a dispute; the order's escrow is frozen (R-DSP-1, R-DSP-2).",
    "dispute.amended": "The buyer changed the claim (R-DSP-3).",
    "dispute.answered": "The seller rejected the claim with an explanation (R-DSP-5).",
    "dispute.offer_made": "The seller offered a partial refund or a return and refund (R-DSP-5).",
    "dispute.offer_answered": "The buyer accepted or declined the pending offer (R-DSP-5).",
    "dispute.message_posted": "A message was posted in the dispute's thread; flagged: true when it "
    "asks to settle off the platform (R-DSP-7, R-DSP-8).",
    "dispute.escalated": "The dispute went to arbitration; decision due by deadline_at (R-DSP-6).",
    "dispute.assigned": "An arbiter took the case, or a supervisor reassigned it (R-ARB-1).",
    "dispute.unassigned": "The case went back to the arbitration queue (R-ARB-1).",
    "dispute.information_requested": "An arbiter asked the buyer or the seller for more "
    "information, by a deadline (R-ARB-6).",
    "dispute.decision_overdue": "No decision ARBITER_DECISION_DAYS after escalation (R-ARB-4).",
    "dispute.decided": "The arbiter decided: the decision's outcome, amounts and rationale (R-ARB-2).",
    "dispute.closed": "The dispute closed with its outcome; the money follows in refund.created "
    "and order.escrow_released (R-DSP-4, R-REF-1).",
    # Returns (SPEC §7): data is the dispute, with its return.
    "return.requested": "A return was agreed or decided: the buyer ships it by deadline_at (R-RET-1).",
    "return.due_soon": "The return's ship-by date is near; the buyer was reminded (R-RET-1).",
    "return.shipped": "The buyer shipped the return; the seller confirms by deadline_at (R-RET-2).",
    "return.received": "The seller confirmed the return arrived; the buyer is refunded (R-RET-2).",
    "return.problem_reported": "The seller reported a problem with the returned item; the dispute "
    "goes back to arbitration (R-RET-2).",
    # Complaints after closure (SPEC §8): data is the complaint.
    "complaint.opened": "A complaint was filed by the buyer, or opened automatically for an "
    "overdue refund (R-CMP-1, R-REF-4).",
    "complaint.assigned": "An arbiter took the complaint, or a supervisor reassigned it (R-ARB-1).",
    "complaint.unassigned": "The complaint went back to the arbitration queue (R-ARB-1).",
    "complaint.decided": "The complaint was decided, with its outcome and rationale (R-CMP-1).",
    # Dangerous products (SPEC §9): data is the safety report.
    "safety_report.opened": "A buyer reported the product as unsafe (R-SAF-1).",
    "safety_report.closed": "The report closed with its outcome; listing_blocked means the "
    "marketplace must take the listing down (R-SAF-1).",
}

API_ROOT = "/api/v1"


def emit(type: str, *, order: Order, data: dict) -> int:
    """Record one state change of (or under) ``order`` in the caller's transaction (R-API-5); the
    event's id."""
    return emit_many(type, [(order, data)])[0]


class _Emitted(NamedTuple):
    pk: int
    account: str
    type: str


def emit_many(type: str, items: Iterable[tuple[Order, dict]]) -> list[int]:
    """The bulk form, for a change that moves many rows at once: one insert for the events, one
    for their deliveries, and one task queued after commit; the events' ids."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}; add it to marketplace.events.EVENT_TYPES.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() belongs inside the transaction of the change it reports.")
    items = list(items)
    ids = insert_rows(
        DomainEvent,
        (
            {"type": type, "account": order.account, "order_id": order.pk, "data": data}
            for order, data in items
        ),
    )
    delivery_ids = deliveries_create(
        [_Emitted(pk, order.account, type) for pk, (order, _data) in zip(ids, items, strict=True)]
    )
    if delivery_ids:
        enqueue_on_commit(DELIVER_TASK, delivery_ids)
    return ids


# --- Payload pieces -----------------------------------------------------------------------------


def api_url(collection: str, pk: int | None) -> str | None:
    return f"{API_ROOT}/{collection}/{pk}" if pk is not None else None


def amount(value: Decimal | None) -> str | None:
    """Money as a string with two decimals ("30.00"), never a float."""
    return None if value is None else f"{Decimal(value):.2f}"


def moment(value: datetime | None) -> str | None:
    """ISO 8601 in UTC, e.g. "2025-03-03T09:00:00Z"."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def people_refs(*user_ids: int) -> dict[int, dict]:
    """``{"id", "external_id"}`` of each person, in one query."""
    external = dict(User.objects.filter(pk__in=set(user_ids)).values_list("pk", "external_id"))
    return {pk: {"id": pk, "external_id": external.get(pk, "")} for pk in user_ids}


def order_ref(order: Order) -> dict:
    """How other objects point at their order."""
    return {
        "id": order.pk,
        "external_id": order.external_id,
        "number": order.number,
        "url": api_url("orders", order.pk),
    }


def order_payload(order: Order, *, people: dict[int, dict] | None = None, **extra) -> dict:
    """The order after the change; ``people`` from ``people_refs`` when a batch shares one lookup."""
    people = people or people_refs(order.buyer_id, order.seller_id)
    return {
        "object": "order",
        "id": order.pk,
        "external_id": order.external_id,
        "number": order.number,
        "url": api_url("orders", order.pk),
        "state": order.state,
        "item_title": order.item_title,
        "amount": amount(order.amount),
        "currency": order.currency,
        "payment_method": order.payment_method,
        "buyer": people[order.buyer_id],
        "seller": people[order.seller_id],
        "paid_at": moment(order.paid_at),
        "shipped_at": moment(order.shipped_at),
        "delivered_at": moment(order.delivered_at),
        "confirmed_at": moment(order.confirmed_at),
        "completed_at": moment(order.completed_at),
        "protection_deadline": moment(order.protection_deadline),
        "dispute_deadline": moment(order.dispute_deadline),
        **extra,
    }


def extension_payload(request: ExtensionRequest) -> dict:
    """The buyer's request for more protection days (R-PRT-4), under ``extension_request``."""
    return {
        "id": request.pk,
        "days": request.days,
        "reason": request.reason,
        "status": request.status,
        "created_at": moment(request.created_at),
        "answered_at": moment(request.answered_at),
        "decline_reason": request.decline_reason,
    }


def refund_payload(refund: Refund) -> dict:
    return {
        "object": "refund",
        "id": refund.pk,
        "url": api_url("refunds", refund.pk),
        "state": refund.state,
        "amount": amount(refund.amount),
        "currency": refund.currency,
        "source": refund.source,
        "destination": refund.destination,
        "payout_reference": refund.payout_reference,
        "attempt": refund.attempts + 1,
        "reason": refund.reason,
        "created_at": moment(refund.created_at),
        "due_at": moment(refund.due_at),
        "sent_at": moment(refund.sent_at),
        "completed_at": moment(refund.completed_at),
        "failed_at": moment(refund.failed_at),
        "failure_reason": refund.failure_reason,
        "overdue": refund.overdue_flagged_at is not None,
        "order": order_ref(refund.order),
    }


def penalty_payload(entry: LedgerEntry, order: Order) -> dict:
    """A seller penalty: a ledger entry against the seller (R-ARB-5); shown in the order's money trail."""
    return {
        "object": "penalty",
        "id": entry.pk,
        "url": api_url("orders", order.pk),
        "amount": amount(entry.amount),
        "currency": entry.currency,
        "reason": entry.reason,
        "created_at": moment(entry.created_at),
        "seller": people_refs(order.seller_id)[order.seller_id],
        "order": order_ref(order),
    }
