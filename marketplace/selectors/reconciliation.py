"""Reconciliation (R-JOB-4): the ledger, the escrows and the payment gateway agree, order by order;
other apps add their own checks with ``reconciliation_check``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, F, Q, Sum

from marketplace.batches import in_pages
from marketplace.gateways import get_gateway
from marketplace.models import (
    EscrowHold,
    LedgerEntry,
    Order,
    Refund,
)

ZERO = Decimal("0.00")


# --- Reconciliation (R-JOB-4) ---------------------------------------------------------------


@dataclass(frozen=True)
class Discrepancy:
    code: str
    detail: str
    order_id: int | None = None
    refund_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "detail": self.detail,
            "order_id": self.order_id,
            "refund_id": self.refund_id,
        }


class _EscrowTotals(TypedDict):
    """One escrow row as the reconciliation reads it (``EscrowHold.objects.values(...)``)."""

    order_id: int
    held: Decimal
    released: Decimal
    refunded: Decimal
    refunded_by_seller: Decimal
    currency: str
    order__amount: Decimal
    order__currency: str
    order__state: str


# Ledger sums of one order: (kind, source) -> (total, number of entries).
_LedgerSums = Mapping[tuple[str, str], tuple[Decimal, int]]


# Checks another app adds to the reconciliation (the money core never imports it): arbitration
# registers one that finds disputes whose state lacks the rows it needs (its AppConfig.ready).
# Each yields its discrepancies; they are reported with the money's.
RECONCILIATION_CHECKS: dict[str, Callable[[], Iterable[Discrepancy]]] = {}


def reconciliation_check(check: Callable[[], Iterable[Discrepancy]]) -> Callable[[], Iterable[Discrepancy]]:
    """Register ``check`` with ``ledger_reconcile`` (R-JOB-4), once, by its qualified name."""
    RECONCILIATION_CHECKS[f"{check.__module__}.{check.__qualname__}"] = check
    return check


@dataclass
class ReconciliationResult:
    orders_checked: int = 0
    refunds_checked: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)


def ledger_reconcile(*, batch_size: int = 5000, check_gateway: bool = True) -> ReconciliationResult:
    """Check the money invariants (R-ESC-3) over every order, and refunds against the gateway.

    Works in batches of order ids with grouped sums, so it scales to millions of orders
    without loading them; on healthy data it reports nothing.
    """
    result = ReconciliationResult()
    problems = result.discrepancies

    for order_id in Order.objects.filter(escrow__isnull=True).values_list("pk", flat=True):
        problems.append(Discrepancy("escrow_missing", "A paid order has no escrow hold.", order_id))

    last_id = 0
    while True:
        batch = list(
            EscrowHold.objects.filter(order_id__gt=last_id)
            .order_by("order_id")
            .values(
                "order_id",
                "held",
                "released",
                "refunded",
                "refunded_by_seller",
                "currency",
                "order__amount",
                "order__currency",
                "order__state",
            )[:batch_size]
        )
        if not batch:
            break
        lo, hi = batch[0]["order_id"], batch[-1]["order_id"]
        last_id = hi
        sums: dict[int, dict[tuple[str, str], tuple[Decimal, int]]] = defaultdict(dict)
        for row in (
            LedgerEntry.objects.filter(order_id__gte=lo, order_id__lte=hi)
            .values("order_id", "kind", "source")
            .annotate(total=Sum("amount"), n=Count("id"))
        ):
            sums[row["order_id"]][(row["kind"], row["source"])] = (row["total"], row["n"])
        for escrow in batch:
            result.orders_checked += 1
            problems.extend(_check_order(escrow, sums.get(escrow["order_id"], {})))

    for entry in LedgerEntry.objects.exclude(currency=F("order__currency")).values("pk", "order_id"):
        problems.append(
            Discrepancy(
                "currency_mismatch", f"Ledger entry {entry['pk']} is in another currency.", entry["order_id"]
            )
        )

    for unmatched in (
        Refund.objects.annotate(entries=Count("ledger_entries"), entered=Sum("ledger_entries__amount"))
        .filter(Q(entries__lt=1) | ~Q(entered=F("amount")))
        .values("pk", "order_id")
    ):
        problems.append(
            Discrepancy(
                "refund_ledger_mismatch",
                "A refund's ledger entry is missing or differs.",
                unmatched["order_id"],
                unmatched["pk"],
            )
        )

    gateway = get_gateway() if check_gateway else None
    for refund in in_pages(Refund.objects.filter(state__in=[Refund.State.SENT, Refund.State.COMPLETED])):
        result.refunds_checked += 1
        if gateway is None or not refund.via_gateway:
            continue  # paid by finance outside the gateway: nothing to compare with
        payout = gateway.get_payout(idempotency_key=refund.gateway_key)
        if payout is None:
            problems.append(
                Discrepancy(
                    "payout_missing", "The gateway has no payout for this refund.", refund.order_id, refund.pk
                )
            )
        elif payout.amount != refund.amount or payout.currency != refund.currency:
            problems.append(
                Discrepancy(
                    "payout_amount_mismatch",
                    f"The gateway paid {payout.amount} {payout.currency}, "
                    f"the refund is {refund.amount} {refund.currency}.",
                    refund.order_id,
                    refund.pk,
                )
            )
        elif refund.state == Refund.State.COMPLETED and payout.status != "paid":
            problems.append(
                Discrepancy(
                    "payout_not_paid",
                    f"Refund marked paid, gateway says {payout.status}.",
                    refund.order_id,
                    refund.pk,
                )
            )
        # Each retry is a new payout under a new key; every earlier attempt must have failed, or
        # the buyer is (or will be) paid twice for one refund.
        for attempt in range(refund.attempts):
            earlier = gateway.get_payout(idempotency_key=f"{refund.idempotency_key}#{attempt}")
            if earlier is not None and earlier.status != "failed":
                problems.append(
                    Discrepancy(
                        "payout_duplicated",
                        f"Attempt {attempt + 1} was retried but the gateway says it {earlier.status}.",
                        refund.order_id,
                        refund.pk,
                    )
                )
    for check in RECONCILIATION_CHECKS.values():
        problems.extend(check())
    return result


def _check_order(escrow: _EscrowTotals, sums: _LedgerSums) -> list[Discrepancy]:
    order_id = escrow["order_id"]
    out = []

    def total(kind: str, source: str) -> Decimal:
        return sums.get((kind, source), (ZERO, 0))[0]

    hold_total, hold_count = sums.get((LedgerEntry.Kind.HOLD, LedgerEntry.Source.BUYER_PAYMENT), (ZERO, 0))
    release = total(LedgerEntry.Kind.RELEASE, LedgerEntry.Source.ESCROW)
    refund_escrow = total(LedgerEntry.Kind.REFUND, LedgerEntry.Source.ESCROW)
    refund_seller = total(LedgerEntry.Kind.REFUND, LedgerEntry.Source.SELLER_BALANCE)
    if escrow["currency"] != escrow["order__currency"]:
        out.append(Discrepancy("currency_mismatch", "Escrow and order currencies differ.", order_id))
    if escrow["held"] != escrow["order__amount"]:
        out.append(
            Discrepancy(
                "held_not_paid",
                f"Escrow holds {escrow['held']}, the buyer paid {escrow['order__amount']}.",
                order_id,
            )
        )
    if hold_count != 1 or hold_total != escrow["held"]:
        out.append(
            Discrepancy(
                "hold_mismatch",
                f"Ledger holds {hold_total} in {hold_count} entries, escrow says {escrow['held']}.",
                order_id,
            )
        )
    if release != escrow["released"]:
        out.append(
            Discrepancy(
                "release_mismatch", f"Ledger released {release}, escrow says {escrow['released']}.", order_id
            )
        )
    if refund_escrow != escrow["refunded"] or refund_seller != escrow["refunded_by_seller"]:
        out.append(
            Discrepancy("refund_mismatch", "Ledger refunds differ from the escrow's totals.", order_id)
        )
    balance = escrow["held"] - release - refund_escrow
    if balance < 0:
        out.append(Discrepancy("negative_balance", f"Escrow balance is {balance}.", order_id))
    if refund_escrow + refund_seller > escrow["order__amount"]:
        out.append(Discrepancy("over_refunded", "Refunds exceed what the buyer paid.", order_id))
    if escrow["order__state"] == Order.State.COMPLETED and balance != 0:
        out.append(Discrepancy("completed_with_balance", f"Completed order still holds {balance}.", order_id))
    if escrow["order__state"] != Order.State.COMPLETED and (release or refund_escrow or refund_seller):
        out.append(
            Discrepancy("moved_before_settlement", "Money left escrow of an unsettled order.", order_id)
        )
    return out
