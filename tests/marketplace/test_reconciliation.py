"""The money check (R-JOB-4 over the R-ESC-3 invariants and R-REF-3 payouts): zero on healthy
books, and every kind of corruption reported against the order or refund it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F

from marketplace import services
from marketplace.actors import scheduler_user
from marketplace.models import EscrowHold, LedgerEntry, Order, Refund, SimulatedPayout
from marketplace.selectors.reconciliation import ledger_reconcile
from tests.marketplace.factories import (
    DAY,
    SECOND,
    START,
    at,
    confirmed_order,
    delivered_order,
    disputed_order,
    fresh,
    paid_order,
    shipped_order,
)

DECIDED_AT = START + 30 * DAY
RECONCILE_AT = START + 31 * DAY


@dataclass
class Books:
    """Orders and refunds in every money state, made by the services."""

    orders: dict[str, Order] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)


def _settle(order, arbiter, amount, *, send_at=None):
    with at(DECIDED_AT):
        refund = services.escrow_resolve(
            order=order,
            refund_amount=amount,
            actor=arbiter,
            reason="Decided",
            idempotency_key=f"dispute:{order.pk}:resolution",
        ).refund
    if refund is not None and send_at is not None:
        with at(send_at):
            refund = services.refund_send(refund=refund, actor=scheduler_user())
    return refund


@pytest.fixture
def books(buyer, seller, arbiter, finance, scheduler, settings) -> Books:
    settle = timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS)
    books = Books()
    o = books.orders
    o["paid"] = paid_order(buyer=buyer, seller=seller)
    o["shipped"] = shipped_order(buyer=buyer, seller=seller)
    o["delivered"] = delivered_order(buyer=buyer, seller=seller)
    o["confirmed"] = confirmed_order(buyer=buyer, seller=seller)
    o["disputed"] = disputed_order(buyer=buyer, seller=seller)

    o["released"] = shipped_order(buyer=buyer, seller=seller, shipped_at=START - 70 * DAY)
    with at(o["released"].protection_deadline + SECOND):
        assert services.order_release_if_due(order=o["released"], actor=scheduler)

    # Fully refunded, paid by the gateway.
    o["refunded"] = disputed_order(buyer=buyer, seller=seller)
    books.refunds["paid"] = _settle(o["refunded"], arbiter, "100.00", send_at=DECIDED_AT + 5 * SECOND)
    with at(DECIDED_AT + settle + DAY):
        services.refund_sync_with_gateway(refund=books.refunds["paid"], actor=scheduler)
    assert fresh(books.refunds["paid"]).state == Refund.State.COMPLETED

    # Partly refunded, the payout still processing at the gateway when the check runs.
    o["partial"] = disputed_order(buyer=buyer, seller=seller)
    books.refunds["processing"] = _settle(o["partial"], arbiter, "37.50", send_at=RECONCILE_AT - 5 * SECOND)

    # Claim rejected, later a complaint refund from the seller paid by finance outside the gateway.
    o["complaint"] = disputed_order(buyer=buyer, seller=seller)
    _settle(o["complaint"], arbiter, "0")
    with at(DECIDED_AT + DAY):
        refund = services.refund_create_from_seller(
            order=o["complaint"],
            amount="20.00",
            actor=arbiter,
            reason="Complaint upheld",
            idempotency_key="complaint:1",
        )
        services.refund_mark_sent(refund=refund, actor=finance, reference="BANK-7")
        services.refund_mark_completed(refund=refund, actor=finance)
        services.seller_penalize(
            order=o["complaint"],
            amount="5.00",
            reason="Ignored the agreement",
            actor=arbiter,
            idempotency_key="complaint:1",
        )
    books.refunds["by_finance"] = refund

    # A declined card: failed, retried, sent again.
    o["declined"] = disputed_order(buyer=buyer, seller=seller, payment_method="Visa •••• 0002")
    refund = _settle(o["declined"], arbiter, "60.00", send_at=DECIDED_AT + 5 * SECOND)
    with at(DECIDED_AT + settle + DAY):
        services.refund_sync_with_gateway(refund=refund, actor=scheduler)
        services.refund_retry(refund=refund, actor=finance)
        services.refund_send(refund=refund, actor=scheduler)
    books.refunds["retried"] = fresh(refund)
    assert books.refunds["retried"].attempts == 1

    # Amounts a float can hold exactly: see test_escrow.exact_on_postgresql_only for SQLite.
    o["euro"] = disputed_order(buyer=buyer, seller=seller, amount="19.50", currency="EUR")
    _settle(o["euro"], arbiter, "9.75", send_at=DECIDED_AT + 5 * SECOND)

    books.refunds = {name: fresh(refund) for name, refund in books.refunds.items()}
    books.orders = {name: fresh(order) for name, order in o.items()}
    return books


def _reconcile(**kwargs):
    with at(RECONCILE_AT):
        return ledger_reconcile(**kwargs)


def test_healthy_books_reconcile_with_zero_discrepancies(books):
    """R-JOB-4, R-ESC-3: every order and every sent refund checked, nothing reported."""
    result = _reconcile()

    assert result.discrepancies == []
    assert result.orders_checked == len(books.orders) == Order.objects.count()
    assert result.refunds_checked == Refund.objects.filter(state__in=["sent", "completed"]).count() == 5


def test_healthy_books_reconcile_in_small_batches(books):
    """R-JOB-4: batching neither skips nor repeats an order."""
    result = _reconcile(batch_size=2)

    assert result.discrepancies == []
    assert result.orders_checked == Order.objects.count()


# Each corruption: what it does to the healthy books, and what the check must say about it.


def _raw_order(books: Books) -> Order:
    template = books.orders["paid"]
    return Order.objects.create(
        buyer=template.buyer,
        seller=template.seller,
        item_title="Forged",
        amount=Decimal("10.00"),
        currency="USD",
        payment_method="Visa",
    )


def _forged_refund(
    order: Order, *, amount: str, source: str, with_entry: bool = True, kind_source: str | None = None
) -> Refund:
    refund = Refund.objects.create(
        order=order,
        amount=Decimal(amount),
        currency=order.currency,
        source=source,
        destination=order.payment_method,
        idempotency_key=f"forged:{order.pk}",
        reason="forged",
        created_by=order.seller,
        due_at=RECONCILE_AT + 60 * DAY,
    )
    if with_entry:
        LedgerEntry.objects.create(
            order=order,
            kind=LedgerEntry.Kind.REFUND,
            source=kind_source or source,
            amount=Decimal(amount),
            currency=order.currency,
            party=order.buyer,
            actor=order.seller,
            reason="forged",
            idempotency_key=f"forged:{order.pk}",
            refund=refund,
        )
    return refund


def escrow_missing(books):
    order = _raw_order(books)
    return order.pk, None


def hold_mismatch(books):
    order = _raw_order(books)
    EscrowHold.objects.create(order=order, currency="USD", held=order.amount)  # held, but no ledger entry
    return order.pk, None


def held_not_paid(books):
    order = books.orders["shipped"]
    Order.objects.filter(pk=order.pk).update(amount=F("amount") + Decimal("1.00"))
    return order.pk, None


def release_mismatch(books):
    order = books.orders["released"]
    EscrowHold.objects.filter(order=order).update(released=F("released") - Decimal("0.01"))
    return order.pk, None


def refund_mismatch(books):
    order = books.orders["partial"]
    EscrowHold.objects.filter(order=order).update(refunded_by_seller=Decimal("1.00"))
    return order.pk, None


def negative_balance(books):
    order = books.orders["released"]  # everything already released; a forged escrow refund overdraws it
    _forged_refund(order, amount="10.00", source=LedgerEntry.Source.ESCROW)
    return order.pk, None


def over_refunded(books):
    order = books.orders["refunded"]  # already refunded in full
    _forged_refund(order, amount="0.01", source=LedgerEntry.Source.SELLER_BALANCE)
    return order.pk, None


def completed_with_balance(books):
    order = books.orders["shipped"]
    Order.objects.filter(pk=order.pk).update(state=Order.State.COMPLETED)
    return order.pk, None


def moved_before_settlement(books):
    order = books.orders["released"]
    Order.objects.filter(pk=order.pk).update(state=Order.State.CONFIRMED)
    return order.pk, None


def currency_mismatch_in_escrow(books):
    order = books.orders["confirmed"]
    EscrowHold.objects.filter(order=order).update(currency="EUR")
    return order.pk, None


def currency_mismatch_in_ledger(books):
    order = books.orders["euro"]
    LedgerEntry.objects.create(
        order=order,
        kind=LedgerEntry.Kind.PENALTY,
        source=LedgerEntry.Source.SELLER_BALANCE,
        amount=Decimal("5.00"),
        currency="USD",
        party=order.seller,
        actor=order.seller,
        reason="Penalty in the wrong currency",
        idempotency_key="penalty:usd",
    )
    return order.pk, None


def refund_without_ledger_entry(books):
    order = books.orders["complaint"]
    refund = _forged_refund(order, amount="1.00", source=LedgerEntry.Source.SELLER_BALANCE, with_entry=False)
    return order.pk, refund.pk


def refund_differs_from_its_ledger_entry(books):
    refund = books.refunds["by_finance"]
    Refund.objects.filter(pk=refund.pk).update(amount=F("amount") + Decimal("1.00"))
    return refund.order_id, refund.pk


def payout_missing(books):
    refund = books.refunds["paid"]
    SimulatedPayout.objects.filter(reference=refund.payout_reference).delete()
    return refund.order_id, refund.pk


def payout_amount_mismatch(books):
    refund = books.refunds["processing"]
    SimulatedPayout.objects.filter(reference=refund.payout_reference).update(
        amount=F("amount") - Decimal("0.50")
    )
    return refund.order_id, refund.pk


def payout_not_paid(books):
    refund = books.refunds["paid"]  # the provider reversed a payout after it was recorded as paid
    SimulatedPayout.objects.filter(reference=refund.payout_reference).update(
        status=SimulatedPayout.Status.FAILED
    )
    return refund.order_id, refund.pk


def payout_duplicated(books):
    refund = books.refunds["retried"]  # the first attempt, declined, turns out to have been paid after all
    SimulatedPayout.objects.filter(idempotency_key=f"{refund.idempotency_key}#0").update(
        status=SimulatedPayout.Status.PAID
    )
    return refund.order_id, refund.pk


@pytest.mark.parametrize(
    ("corrupt", "code"),
    [
        (escrow_missing, "escrow_missing"),
        (hold_mismatch, "hold_mismatch"),
        (held_not_paid, "held_not_paid"),
        (release_mismatch, "release_mismatch"),
        (refund_mismatch, "refund_mismatch"),
        (negative_balance, "negative_balance"),
        (over_refunded, "over_refunded"),
        (completed_with_balance, "completed_with_balance"),
        (moved_before_settlement, "moved_before_settlement"),
        (currency_mismatch_in_escrow, "currency_mismatch"),
        (currency_mismatch_in_ledger, "currency_mismatch"),
        (refund_without_ledger_entry, "refund_ledger_mismatch"),
        (refund_differs_from_its_ledger_entry, "refund_ledger_mismatch"),
        (payout_missing, "payout_missing"),
        (payout_amount_mismatch, "payout_amount_mismatch"),
        (payout_not_paid, "payout_not_paid"),
        (payout_duplicated, "payout_duplicated"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_kind_of_corruption_is_reported_against_what_it_concerns(books, corrupt, code):
    """R-JOB-4, R-ESC-3: the corruption is named, and nothing healthy is reported with it."""
    assert _reconcile().discrepancies == []

    order_id, refund_id = corrupt(books)
    problems = _reconcile().discrepancies

    assert code in {p.code for p in problems}, problems
    assert {p.order_id for p in problems} == {order_id}, problems
    if refund_id is not None:
        assert refund_id in {p.refund_id for p in problems if p.code == code}
    assert all(p.detail for p in problems)


def test_refunds_are_not_compared_with_the_gateway_when_asked_not_to(books):
    """R-JOB-4: the ledger check runs on its own, e.g. when the provider is down."""
    payout_missing(books)

    assert _reconcile(check_gateway=False).discrepancies == []
