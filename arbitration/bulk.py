"""Many due items at once, written with ``bulk_create``: load for the scheduler's sweeps.

Setup only, never called by the app: services are bypassed. ``bench/sweeps.py`` measures the
sweeps on it and the Celery integration test kills a worker in the middle of it. Rows look
exactly like the services leave them: a paid, shipped order with its escrow hold and hold
ledger entry; for a dispute, the order frozen and the dispute open with its escalation
deadline in the past.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from arbitration.models import ClaimVersion, Dispute
from marketplace.models import EscrowHold, LedgerEntry, Order, User

CHUNK = 2000
AMOUNT = Decimal("100.00")


def people(prefix: str = "bulk") -> tuple[User, User]:
    tag = uuid.uuid4().hex[:8]
    buyer = User.objects.create_user(username=f"{prefix}-buyer-{tag}", email=f"buyer-{tag}@example.com")
    seller = User.objects.create_user(username=f"{prefix}-seller-{tag}", email=f"seller-{tag}@example.com")
    return buyer, seller


def _orders(
    n: int, *, buyer: User, seller: User, state: str, shipped_at: datetime, protection_days: int, chunk: int
) -> list[int]:
    tag = uuid.uuid4().hex[:6]
    protection = shipped_at + timedelta(days=protection_days)
    ids: list[int] = []
    for start in range(0, n, chunk):
        batch = [
            Order(
                number=f"B{tag}{start + i:09d}",
                buyer=buyer,
                seller=seller,
                item_title="USB-C charger 65 W",
                amount=AMOUNT,
                currency="USD",
                payment_method="Visa •••• 4242",
                state=state,
                paid_at=shipped_at - timedelta(hours=1),
                shipped_at=shipped_at,
                protection_deadline=protection,
                dispute_deadline=protection,
            )
            for i in range(min(chunk, n - start))
        ]
        created = Order.objects.bulk_create(batch)
        EscrowHold.objects.bulk_create(
            EscrowHold(order=o, currency="USD", held=AMOUNT, created_at=o.paid_at) for o in created
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                order=o,
                kind=LedgerEntry.Kind.HOLD,
                source=LedgerEntry.Source.BUYER_PAYMENT,
                amount=AMOUNT,
                currency="USD",
                party=buyer,
                actor=buyer,
                reason="Payment by Visa •••• 4242 held in escrow",
                idempotency_key=f"order:{o.pk}:hold",
                created_at=o.paid_at,
            )
            for o in created
        )
        ids.extend(o.pk for o in created)
    return ids


def orders_due_for_release(
    n: int, *, buyer: User, seller: User, now: datetime | None = None, chunk: int = CHUNK
) -> list[int]:
    """Shipped orders whose protection (and dispute deadline) ended an hour ago (R-PRT-3)."""
    now = now or timezone.now()
    return _orders(
        n,
        buyer=buyer,
        seller=seller,
        state=Order.State.SHIPPED,
        shipped_at=now - timedelta(days=60, hours=1),
        protection_days=60,
        chunk=chunk,
    )


def disputes_due_for_escalation(
    n: int, *, buyer: User, seller: User, now: datetime | None = None, chunk: int = CHUNK
) -> list[int]:
    """Open disputes whose escalation deadline passed an hour ago (R-DSP-6)."""
    now = now or timezone.now()
    opened = now - timedelta(days=7, hours=1)
    order_ids = _orders(
        n,
        buyer=buyer,
        seller=seller,
        state=Order.State.DISPUTED,
        shipped_at=opened - timedelta(days=20),
        protection_days=60,
        chunk=chunk,
    )
    ids: list[int] = []
    for start in range(0, n, chunk):
        created = Dispute.objects.bulk_create(
            Dispute(
                order_id=order_id,
                buyer=buyer,
                seller=seller,
                reason="not_received",
                resolution="full_refund",
                description="Tracking stopped three weeks ago; nothing arrived.",
                opened_at=opened,
                deadline_at=opened + timedelta(days=7),
            )
            for order_id in order_ids[start : start + chunk]
        )
        ClaimVersion.objects.bulk_create(
            ClaimVersion(
                dispute=d,
                number=0,
                reason=d.reason,
                resolution=d.resolution,
                description=d.description,
                created_by=buyer,
                created_at=opened,
            )
            for d in created
        )
        ids.extend(d.pk for d in created)
    return ids
