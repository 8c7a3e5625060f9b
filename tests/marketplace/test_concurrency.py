"""Money under concurrency (R-ESC-3, R-REF-1, R-REF-2, R-SEC-4), on PostgreSQL with real threads.

Every test starts its threads together at a barrier, each with its own connection, and checks
both what the callers were told and what the database holds afterwards, including a full
reconciliation (R-JOB-4) of the ledger.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from marketplace import services
from marketplace.actors import scheduler_user
from marketplace.errors import DomainError
from marketplace.models import ExtensionRequest, LedgerEntry, Order, Refund, SimulatedPayout
from marketplace.scheduling import run_job
from marketplace.selectors.reconciliation import ledger_reconcile
from tests.marketplace.factories import (
    DAY,
    SECOND,
    START,
    at,
    disputed_order,
    escrow_of,
    fresh,
    ledger_of,
    make_arbiter,
    make_buyer,
    make_seller,
    refunds_of,
    resolved_order,
    run_concurrently,
    shipped_order,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DECIDED_AT = START + 30 * DAY


@pytest.fixture
def people():
    return {"buyer": make_buyer(), "seller": make_seller(), "arbiter": make_arbiter()}


def _assert_books_balance():
    problems = ledger_reconcile().discrepancies
    assert problems == []


def _only_refusals(outcomes):
    """Every failed call was refused by a rule (DomainError), not broken by the race."""
    unexpected = [o.error for o in outcomes if not o.ok and not isinstance(o.error, DomainError)]
    assert unexpected == []


def _resolve(order, actor, amount, key):
    return lambda: services.escrow_resolve(
        order=order, refund_amount=amount, actor=actor, reason="Decided by arbitration", idempotency_key=key
    )


def test_fifty_concurrent_full_refund_resolutions_of_one_order_make_one_refund(people):
    """R-REF-2, R-SEC-4: the same 'resolve with full refund' submitted 50 times at once."""
    order = disputed_order(buyer=people["buyer"], seller=people["seller"], amount="250.00")

    with at(DECIDED_AT):
        outcomes = run_concurrently(
            [_resolve(order, people["arbiter"], "250.00", f"dispute:{order.pk}:resolution")] * 50
        )

    assert [o.error for o in outcomes if not o.ok] == []
    assert {o.value.refund.pk for o in outcomes} == {refunds_of(order).get().pk}
    assert ledger_of(order, LedgerEntry.Kind.REFUND).count() == 1
    assert not ledger_of(order, LedgerEntry.Kind.RELEASE).exists()
    escrow = escrow_of(order)
    assert (escrow.refunded, escrow.released, escrow.balance) == (Decimal("250.00"), 0, 0)
    assert fresh(order).state == Order.State.COMPLETED
    assert SimulatedPayout.objects.count() == 1  # sent once, after the one commit
    _assert_books_balance()


def test_concurrent_resolutions_with_different_amounts_let_exactly_one_win(people):
    """R-REF-1, R-SEC-4: two arbiters (or twenty) deciding at once; one decision moves the money."""
    order = disputed_order(buyer=people["buyer"], seller=people["seller"], amount="100.00")
    amounts = [Decimal(5 * n) for n in range(20)]  # 0.00 (claim rejected) … 95.00

    with at(DECIDED_AT):
        outcomes = run_concurrently(
            [_resolve(order, people["arbiter"], amount, f"decision:{n}") for n, amount in enumerate(amounts)]
        )

    _only_refusals(outcomes)
    winners = [(amount, o.value) for amount, o in zip(amounts, outcomes, strict=True) if o.ok]
    assert len(winners) == 1
    amount, resolution = winners[0]
    escrow = escrow_of(order)
    assert (escrow.refunded, escrow.released) == (amount, Decimal("100.00") - amount)
    assert resolution.released == Decimal("100.00") - amount
    assert refunds_of(order).count() == (1 if amount else 0)
    _assert_books_balance()


@pytest.mark.parametrize(
    ("escrow_refund", "share", "expected_winners"),
    [
        ("0.00", "30.00", 3),  # ten complaints each refunding 30% of 100.00: three fit
        ("50.00", "20.00", 2),  # half refunded from escrow already: two more of 20% fit
        ("0.00", "33.34", 2),
    ],
)
def test_concurrent_partial_refunds_never_exceed_what_the_buyer_paid(
    people, escrow_refund, share, expected_winners
):
    """R-ESC-3, R-SEC-4: concurrent refunds from the seller's balance, each a different cause."""
    order = resolved_order(
        buyer=people["buyer"],
        seller=people["seller"],
        decided_by=people["arbiter"],
        refund_amount=escrow_refund,
        amount="100.00",
    )

    outcomes = run_concurrently(
        [
            lambda n=n: services.refund_create_from_seller(
                order=order,
                amount=share,
                actor=people["arbiter"],
                reason="Complaint upheld",
                idempotency_key=f"complaint:{n}",
            )
            for n in range(10)
        ]
    )

    _only_refusals(outcomes)
    assert sum(o.ok for o in outcomes) == expected_winners
    escrow = escrow_of(order)
    assert escrow.refunded_by_seller == expected_winners * Decimal(share)
    assert escrow.refunded + escrow.refunded_by_seller <= escrow.held
    assert sum(r.amount for r in refunds_of(order)) == escrow.refunded + escrow.refunded_by_seller
    # No refusal was wrong: the smallest refused refund would not have fitted.
    assert escrow.held - escrow.refunded - escrow.refunded_by_seller < Decimal(share)
    _assert_books_balance()


def test_a_concurrent_release_and_full_refund_of_one_order_have_one_winner(people):
    """R-REF-1, R-ESC-3, R-SEC-4: 'claim rejected' (all to the seller) races 'full refund'."""
    orders = [
        disputed_order(buyer=people["buyer"], seller=people["seller"], amount="60.00") for _ in range(10)
    ]

    outcomes = []
    with at(DECIDED_AT):
        for order in orders:
            outcomes.append(
                run_concurrently(
                    [
                        _resolve(order, people["arbiter"], "60.00", f"dispute:{order.pk}:refund"),
                        _resolve(order, people["arbiter"], "0", f"dispute:{order.pk}:reject"),
                    ]
                )
            )

    for order, (refund, release) in zip(orders, outcomes, strict=True):
        _only_refusals([refund, release])
        assert refund.ok != release.ok, "exactly one decision wins"
        escrow = escrow_of(order)
        if refund.ok:
            assert (escrow.refunded, escrow.released) == (Decimal("60.00"), 0)
            assert list(ledger_of(order).values_list("kind", flat=True)) == ["hold", "refund"]
        else:
            assert (escrow.refunded, escrow.released) == (0, Decimal("60.00"))
            assert list(ledger_of(order).values_list("kind", flat=True)) == ["hold", "release"]
        assert escrow.balance == 0
    _assert_books_balance()


def test_a_concurrent_release_never_pays_out_a_dispute_opened_one_second_before_the_deadline(people):
    """R-ESC-4, R-PRT-2, R-SEC-4: the dispute is still committing when the deadline passes and the
    release job (which skips the locked order) and a direct release (which waits for it) run."""
    order = shipped_order(buyer=people["buyer"], seller=people["seller"])
    deadline = order.protection_deadline
    scheduler = scheduler_user()
    frozen, job_done = threading.Event(), threading.Event()

    def open_dispute_slowly():
        with transaction.atomic():
            services.escrow_freeze(order=order, actor=people["buyer"])
            frozen.set()
            assert job_done.wait(30)  # hold the order's lock while the job runs

    def release_job_after_the_deadline():
        assert frozen.wait(30)
        traveller.move_to(deadline + SECOND)
        try:
            return run_job("release_escrow")
        finally:
            job_done.set()

    def release_directly_after_the_deadline():
        assert frozen.wait(30)
        return services.order_release_if_due(order=order, actor=scheduler)

    with at(deadline - SECOND) as traveller:
        dispute, job, direct = run_concurrently(
            [open_dispute_slowly, release_job_after_the_deadline, release_directly_after_the_deadline]
        )
        assert dispute.ok and job.ok and direct.ok, (dispute.error, job.error, direct.error)
        assert (job.value.moved, job.value.failed, direct.value) == (0, 0, False)
        assert run_job("release_escrow").moved == 0  # and after the dispute committed

    assert fresh(order).state == Order.State.DISPUTED
    assert escrow_of(order).balance == order.amount
    assert not ledger_of(order, LedgerEntry.Kind.RELEASE).exists()


def test_a_seller_granting_concurrently_with_the_deadline_jobs_extends_protection_once(people):
    """R-PRT-4, R-SEC-4: sellers answer at the deadline while two workers run the deadline jobs.

    Whoever wins each order's race, the request is answered once and the deadline moves once, to
    9 days from the moment of the answer (every deadline has passed by then): by the seller's grant
    or by the job's, which alone marks the order auto-extended. Three sellers stay silent, so both
    kinds of winner are certainly in the race."""
    buyer, seller = people["buyer"], people["seller"]
    orders = [shipped_order(buyer=buyer, seller=seller, shipped_at=START + n * SECOND) for n in range(10)]
    requests = []
    for order in orders:
        with at(order.protection_deadline - DAY):
            requests.append(
                services.extension_request_create(order=order, actor=buyer, days=9, reason="Customs")
            )
    answering = requests[:7]

    job_ran_at = orders[-1].protection_deadline + SECOND
    with at(job_ran_at):
        outcomes = run_concurrently(
            [
                lambda request=request: services.extension_grant(request=request, actor=seller)
                for request in answering
            ]
            + [lambda: run_job("auto_extend_protection")] * 2
            + [lambda: run_job("release_escrow")] * 2
        )

    _only_refusals(outcomes)
    assert all(o.ok and o.value.failed == 0 for o in outcomes[len(answering) :])
    grants = [o.ok for o in outcomes[: len(answering)]] + [False] * (len(requests) - len(answering))
    statuses = Counter()
    for order, request, granted in zip(orders, requests, grants, strict=True):
        answered, extended = fresh(request), fresh(order)
        statuses[answered.status] += 1
        if answered.status == ExtensionRequest.Status.GRANTED:
            assert granted
            assert extended.protection_deadline == job_ran_at + 9 * DAY
            assert extended.auto_extended_at is None
        else:
            assert answered.status == ExtensionRequest.Status.AUTO_GRANTED
            assert not granted
            assert extended.protection_deadline == job_ran_at + 9 * DAY
            assert extended.auto_extended_at == job_ran_at
        assert extended.state == Order.State.SHIPPED
    assert statuses[ExtensionRequest.Status.AUTO_GRANTED] >= 3
    assert sum(statuses.values()) == len(requests)
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).exists()


def test_concurrent_sends_of_one_refund_pay_the_buyer_once(people, monkeypatch):
    """R-REF-2, R-REF-3, R-SEC-4: the refund task, a retry and two dispatch sweeps meet on one refund."""
    # The on-commit task was lost.
    monkeypatch.setattr("marketplace.services.refunds._dispatch", lambda refund: None)
    order = disputed_order(buyer=people["buyer"], seller=people["seller"])
    with at(DECIDED_AT):
        refund = services.escrow_resolve(
            order=order,
            refund_amount="40.00",
            actor=people["arbiter"],
            reason="r",
            idempotency_key="dispute:1:resolution",
        ).refund
    scheduler = scheduler_user()

    with at(DECIDED_AT + timedelta(minutes=5)):
        outcomes = run_concurrently(
            [lambda: services.refund_send(refund=refund, actor=scheduler)] * 4
            + [lambda: run_job("dispatch_refunds")] * 2
        )

    _only_refusals(outcomes)
    assert sum(o.ok for o in outcomes[:4]) + sum(o.value.moved for o in outcomes[4:]) == 1
    assert SimulatedPayout.objects.count() == 1
    refund = fresh(refund)
    assert refund.state == Refund.State.SENT
    assert refund.payout_reference == SimulatedPayout.objects.get().reference


def test_concurrent_penalties_for_one_cause_are_recorded_once(people):
    """R-ESC-2, R-SEC-4: every penalty happens once, even when two arbiters click at once."""
    order = resolved_order(
        buyer=people["buyer"], seller=people["seller"], decided_by=people["arbiter"], refund_amount="100.00"
    )

    outcomes = run_concurrently(
        [
            lambda: services.seller_penalize(
                order=order,
                amount="10.00",
                reason="Counterfeit",
                actor=people["arbiter"],
                idempotency_key="dispute:1:penalty",
            )
        ]
        * 10
    )

    assert [o.error for o in outcomes if not o.ok] == []
    assert ledger_of(order, LedgerEntry.Kind.PENALTY).count() == 1
    assert len({o.value.pk for o in outcomes}) == 1
