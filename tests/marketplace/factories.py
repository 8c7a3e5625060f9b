"""People, orders and clocks for the money-core tests.

Orders are made through the real services (``order_pay``, ``order_ship`` …) at fixed moments
under ``time_machine``, so every deadline in a test is the one the services computed, never a
number copied from the spec.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection

from marketplace import services
from marketplace.models import EscrowHold, LedgerEntry, Order, Refund, TrackingEvent
from tests.support import fresh

User = get_user_model()

# A Monday morning; every scenario starts here unless it says otherwise.
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)

_serial = itertools.count(1)


def at(moment: datetime):
    """Freeze the clock at ``moment`` (a context manager); time does not tick inside it."""
    return time_machine.travel(moment, tick=False)


# --- People ---------------------------------------------------------------------------------
# No email addresses: notification rows are still written (and asserted where it matters),
# but sending stays independent of the email templates.


def make_buyer(username: str | None = None) -> User:
    return User.objects.create_user(username=username or f"buyer{next(_serial)}", first_name="Boris")


def make_seller(username: str | None = None) -> User:
    return User.objects.create_user(
        username=username or f"seller{next(_serial)}",
        first_name="Sam",
        return_address="Sam Seller, Returns desk, 12 Warehouse Road, Shenzhen",
    )


def make_finance(username: str | None = None) -> User:
    """A finance operator: staff with the permission to mark payouts (R-REF-3)."""
    user = User.objects.create_user(username=username or f"finance{next(_serial)}", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="marketplace", codename="manage_payouts")
    )
    return User.objects.get(pk=user.pk)  # a fresh instance: has_perm caches permissions


def make_arbiter(username: str | None = None) -> User:
    return User.objects.create_user(username=username or f"arbiter{next(_serial)}", is_staff=True)


# --- Orders ---------------------------------------------------------------------------------


def paid_order(
    *,
    buyer: User,
    seller: User,
    amount: str = "100.00",
    currency: str = "USD",
    payment_method: str = "Visa •••• 4242",
    paid_at: datetime = START,
) -> Order:
    with at(paid_at):
        return services.order_pay(
            buyer=buyer,
            seller=seller,
            item_title="Power bank 20000 mAh",
            amount=Decimal(amount),
            currency=currency,
            payment_method=payment_method,
        )


def shipped_order(*, buyer: User, seller: User, shipped_at: datetime = START, **order_fields: Any) -> Order:
    """Paid an hour before ``shipped_at`` and shipped at ``shipped_at``: protection runs (R-PRT-1)."""
    order = paid_order(buyer=buyer, seller=seller, paid_at=shipped_at - timedelta(hours=1), **order_fields)
    with at(shipped_at):
        return services.order_ship(
            order=order, actor=seller, carrier="China Post", tracking_number="RR123456789CN"
        )


def delivered_order(
    *,
    buyer: User,
    seller: User,
    shipped_at: datetime = START,
    delivered_at: datetime | None = None,
    **order_fields: Any,
) -> Order:
    order = shipped_order(buyer=buyer, seller=seller, shipped_at=shipped_at, **order_fields)
    with at(delivered_at or shipped_at + 12 * DAY):
        services.tracking_event_record(
            order=order, actor=seller, status=TrackingEvent.Status.DELIVERED, location="Moscow"
        )
    return fresh(order)


def confirmed_order(
    *,
    buyer: User,
    seller: User,
    shipped_at: datetime = START,
    confirmed_at: datetime | None = None,
    **order_fields: Any,
) -> Order:
    order = shipped_order(buyer=buyer, seller=seller, shipped_at=shipped_at, **order_fields)
    with at(confirmed_at or shipped_at + 14 * DAY):
        return services.order_confirm_receipt(order=order, actor=buyer)


def disputed_order(
    *,
    buyer: User,
    seller: User,
    shipped_at: datetime = START,
    disputed_at: datetime | None = None,
    **order_fields: Any,
) -> Order:
    """A dispute was opened: the order's escrow is frozen until the dispute resolves it."""
    order = shipped_order(buyer=buyer, seller=seller, shipped_at=shipped_at, **order_fields)
    with at(disputed_at or shipped_at + 20 * DAY):
        return services.escrow_freeze(order=order, actor=buyer)


def resolved_order(
    *,
    buyer: User,
    seller: User,
    decided_by: User,
    refund_amount: str,
    shipped_at: datetime = START,
    **order_fields: Any,
) -> Order:
    """A dispute closed (30 days after shipping) with ``refund_amount`` refunded from escrow and
    the rest released to the seller (R-REF-1)."""
    order = disputed_order(buyer=buyer, seller=seller, shipped_at=shipped_at, **order_fields)
    with at(shipped_at + 30 * DAY):
        services.escrow_resolve(
            order=order,
            refund_amount=Decimal(refund_amount),
            actor=decided_by,
            reason="Seller accepted the claim",
            idempotency_key=f"dispute:{order.pk}:resolution",
        )
    return fresh(order)


def escrow_of(order: Order) -> EscrowHold:
    return EscrowHold.objects.get(order_id=order.pk)


def ledger_of(order: Order, kind: str | None = None):
    entries = LedgerEntry.objects.filter(order_id=order.pk)
    return entries.filter(kind=kind) if kind else entries


def refunds_of(order: Order):
    return Refund.objects.filter(order_id=order.pk)


# --- Threads --------------------------------------------------------------------------------


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_concurrently(calls: list[Callable[[], Any]], *, timeout: float = 120) -> list[Outcome]:
    """Run each call in its own thread with its own database connection, all released at once.

    Each thread connects first, then waits at a barrier, so the calls really meet at the
    database; each closes its connection at the end (a transactional test flushes afterwards).
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcomes[index].value = call()
        except BaseException as exc:  # reported to the test, which decides what is acceptable
            outcomes[index].error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return outcomes
