"""Refunds: R-REF-1 (refund and release atomically), R-REF-2 (lifecycle, once per cause),
R-REF-3 (payouts through the gateway adapter; finance marks payouts)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_fsm_log.models import StateLog

from marketplace import services
from marketplace.errors import DomainError
from marketplace.gateways import GatewayUnavailable, PayoutResult, SimulatedGateway
from marketplace.models import LedgerEntry, Order, Refund, SimulatedPayout
from marketplace.scheduling import run_job
from tests.marketplace.factories import (
    DAY,
    SECOND,
    START,
    at,
    disputed_order,
    escrow_of,
    fresh,
    ledger_of,
    refunds_of,
    resolved_order,
    shipped_order,
)

DECIDED_AT = START + 30 * DAY


def _resolve(order, arbiter, amount, key="dispute:1:resolution", reason="Decided by arbitration"):
    with at(DECIDED_AT):
        return services.escrow_resolve(
            order=order, refund_amount=amount, actor=arbiter, reason=reason, idempotency_key=key
        )


# --- R-REF-1: refund the agreed amount, release the rest, atomically -----------------------------


@pytest.mark.parametrize(
    ("refund", "released"),
    [
        ("100.00", "0.00"),
        ("37.50", "62.50"),
        ("0.01", "99.99"),
        ("0", "100.00"),
    ],
)
def test_closing_a_dispute_refunds_the_agreed_amount_and_releases_the_rest(
    buyer, seller, arbiter, refund, released
):
    """R-REF-1"""
    order = disputed_order(buyer=buyer, seller=seller, amount="100.00")

    resolution = _resolve(order, arbiter, refund)

    assert resolution.released == Decimal(released)
    order = fresh(order)
    assert (order.state, order.completed_at) == (Order.State.COMPLETED, DECIDED_AT)
    escrow = escrow_of(order)
    assert (escrow.refunded, escrow.released, escrow.balance, escrow.settled_at) == (
        Decimal(refund),
        Decimal(released),
        0,
        DECIDED_AT,
    )
    refunds = list(refunds_of(order))
    if Decimal(refund):
        assert [(r.amount, r.source, r.destination, r.state) for r in refunds] == [
            (Decimal(refund), LedgerEntry.Source.ESCROW, order.payment_method, Refund.State.PENDING)
        ]
        assert resolution.refund == refunds[0]
    else:
        assert refunds == [] and resolution.refund is None
    moved = {(e.kind, e.amount, e.party_id) for e in ledger_of(order).exclude(kind=LedgerEntry.Kind.HOLD)}
    expected = {("refund", Decimal(refund), buyer.pk), ("release", Decimal(released), seller.pk)}
    assert moved == {line for line in expected if line[1]}


def test_a_dispute_resolution_is_all_or_nothing(buyer, seller, arbiter, monkeypatch):
    """R-REF-1: if the release fails, the refund is not made either."""
    order = disputed_order(buyer=buyer, seller=seller)

    def failing_release(*args, **kwargs):
        raise RuntimeError("database went away mid-resolution")

    monkeypatch.setattr("marketplace.services.escrow._release", failing_release)
    with pytest.raises(RuntimeError):
        _resolve(order, arbiter, "40.00")

    assert fresh(order).state == Order.State.DISPUTED
    assert not refunds_of(order).exists()
    assert list(ledger_of(order).values_list("kind", flat=True)) == ["hold"]
    assert escrow_of(order).balance == order.amount


@pytest.mark.parametrize(
    "make_order", [shipped_order, resolved_order], ids=["not-disputed", "already-settled"]
)
def test_only_a_disputed_order_is_resolved(buyer, seller, arbiter, make_order):
    """R-REF-1, R-ESC-4: a resolution needs an open dispute."""
    extra = {"decided_by": arbiter, "refund_amount": "10.00"} if make_order is resolved_order else {}
    order = make_order(buyer=buyer, seller=seller, **extra)
    entries_before = ledger_of(order).count()

    with pytest.raises(DomainError, match="already been settled"):
        _resolve(order, arbiter, "50.00", key="another-cause")

    assert ledger_of(order).count() == entries_before
    assert not refunds_of(order).filter(idempotency_key="another-cause").exists()


# --- R-REF-2: lifecycle, due date, once per cause ------------------------------------------------


def test_a_refund_is_due_sixty_days_after_it_is_created(buyer, seller, arbiter):
    """R-REF-2"""
    order = disputed_order(buyer=buyer, seller=seller)
    refund = _resolve(order, arbiter, "40.00").refund

    assert refund.created_at == DECIDED_AT
    assert refund.due_at == DECIDED_AT + 60 * DAY


def test_the_refund_deadline_comes_from_settings(buyer, seller, arbiter, settings):
    """R-REF-2: REFUND_DEADLINE_DAYS"""
    settings.REFUND_DEADLINE_DAYS = 14
    order = disputed_order(buyer=buyer, seller=seller)

    assert _resolve(order, arbiter, "40.00").refund.due_at == DECIDED_AT + 14 * DAY


def test_replaying_a_resolution_returns_the_first_refund(buyer, seller, arbiter):
    """R-REF-2, R-SEC-4: the same request submitted twice refunds once."""
    order = disputed_order(buyer=buyer, seller=seller)
    first = _resolve(order, arbiter, "40.00", key="dispute:9:resolution")
    again = _resolve(order, arbiter, "40.00", key="dispute:9:resolution")

    assert again.refund.pk == first.refund.pk
    assert again.released == first.released == Decimal("60.00")
    assert refunds_of(order).count() == 1
    assert ledger_of(order, LedgerEntry.Kind.REFUND).count() == 1


def test_replaying_a_rejected_claim_releases_once(buyer, seller, arbiter):
    """R-REF-2, R-SEC-4: a resolution without a refund is also idempotent."""
    order = disputed_order(buyer=buyer, seller=seller)
    first = _resolve(order, arbiter, "0", key="dispute:9:resolution")
    again = _resolve(order, arbiter, "0", key="dispute:9:resolution")

    assert (first.refund, again.refund) == (None, None)
    assert again.released == first.released == order.amount
    assert ledger_of(order, LedgerEntry.Kind.RELEASE).count() == 1


def test_a_second_cause_cannot_refund_a_settled_order_from_escrow(buyer, seller, arbiter):
    """R-REF-2: a different key is a different refund, and escrow has nothing left for it."""
    order = disputed_order(buyer=buyer, seller=seller)
    _resolve(order, arbiter, "40.00", key="dispute:9:resolution")

    with pytest.raises(DomainError, match="already been settled"):
        _resolve(order, arbiter, "40.00", key="dispute:9:second-click")
    assert refunds_of(order).count() == 1


def test_replaying_a_refund_from_the_seller_returns_the_first_refund(buyer, seller, arbiter):
    """R-REF-2"""
    order = resolved_order(buyer=buyer, seller=seller, decided_by=arbiter, refund_amount="0")
    first = services.refund_create_from_seller(
        order=order, amount="25.00", actor=arbiter, reason="Complaint", idempotency_key="complaint:3:refund"
    )
    again = services.refund_create_from_seller(
        order=order, amount="25.00", actor=arbiter, reason="Complaint", idempotency_key="complaint:3:refund"
    )

    assert again.pk == first.pk
    assert escrow_of(order).refunded_by_seller == Decimal("25.00")
    assert ledger_of(order, LedgerEntry.Kind.REFUND).count() == 1


def test_the_database_allows_one_refund_per_cause(buyer, seller, arbiter):
    """R-REF-2: the unique constraint behind the idempotency key."""
    order = disputed_order(buyer=buyer, seller=seller)
    refund = _resolve(order, arbiter, "40.00", key="dispute:9:resolution").refund

    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(
            order=order,
            amount=Decimal("1.00"),
            currency="USD",
            destination="Visa",
            idempotency_key=refund.idempotency_key,
            reason="again",
            created_by=arbiter,
            due_at=refund.due_at,
        )


def test_a_refund_goes_pending_sent_completed_through_the_gateway(
    buyer, seller, arbiter, scheduler, settings, django_capture_on_commit_callbacks
):
    """R-REF-2, R-REF-3: sent as soon as it is committed, completed when the payout settles."""
    order = disputed_order(buyer=buyer, seller=seller)
    with at(DECIDED_AT), django_capture_on_commit_callbacks(execute=True):
        services.escrow_resolve(
            order=order,
            refund_amount="40.00",
            actor=arbiter,
            reason="r",
            idempotency_key="dispute:1:resolution",
        )
    refund = refunds_of(order).get()
    assert (refund.state, refund.via_gateway, refund.sent_at) == (Refund.State.SENT, True, DECIDED_AT)
    assert refund.payout_reference.startswith("SIM-")

    settles_at = DECIDED_AT + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS)
    with at(settles_at - SECOND):
        assert run_job("sync_payouts").moved == 0
    assert fresh(refund).state == Refund.State.SENT
    with at(settles_at + SECOND):
        assert run_job("sync_payouts").moved == 1
        assert run_job("sync_payouts").moved == 0

    refund = fresh(refund)
    assert (refund.state, refund.completed_at) == (Refund.State.COMPLETED, settles_at + SECOND)
    logs = StateLog.objects.for_(refund).order_by("timestamp", "id")
    assert [(log.source_state, log.state, log.by) for log in logs] == [
        ("pending", "sent", scheduler),
        ("sent", "completed", scheduler),
    ]


def test_a_declined_payout_fails_and_is_retried_as_a_new_attempt(
    buyer, seller, arbiter, finance, scheduler, settings, django_capture_on_commit_callbacks
):
    """R-REF-2: sent → failed → retried; R-REF-3: the simulated gateway declines cards ending 0002."""
    order = disputed_order(buyer=buyer, seller=seller, payment_method="Visa •••• 0002")
    with at(DECIDED_AT), django_capture_on_commit_callbacks(execute=True):
        services.escrow_resolve(
            order=order,
            refund_amount="40.00",
            actor=arbiter,
            reason="r",
            idempotency_key="dispute:1:resolution",
        )
    refund = refunds_of(order).get()
    first_reference = refund.payout_reference
    with at(DECIDED_AT + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS) + SECOND):
        assert run_job("sync_payouts").moved == 1
    refund = fresh(refund)
    assert (refund.state, refund.failure_reason) == (Refund.State.FAILED, "Declined by the card issuer")

    with at(DECIDED_AT + DAY), django_capture_on_commit_callbacks(execute=True):
        services.refund_retry(refund=refund, actor=finance)

    refund = fresh(refund)
    assert (refund.state, refund.attempts) == (Refund.State.SENT, 1)
    assert refund.payout_reference != first_reference
    assert SimulatedPayout.objects.filter(amount=Decimal("40.00")).count() == 2
    assert [log.state for log in StateLog.objects.for_(refund).order_by("timestamp", "id")] == [
        "sent",
        "failed",
        "pending",
        "sent",
    ]
    assert ledger_of(order, LedgerEntry.Kind.REFUND).count() == 1  # one refund, two payout attempts


def test_only_a_failed_refund_is_retried(buyer, seller, arbiter, finance):
    """R-REF-2"""
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "40.00").refund
    with pytest.raises(DomainError, match="Only a failed refund"):
        services.refund_retry(refund=refund, actor=finance)


# --- R-REF-3: the gateway adapter, and finance marking payouts by hand ---------------------------


def test_finance_records_a_payout_made_outside_the_gateway(buyer, seller, arbiter, finance):
    """R-REF-3: marked sent with the bank's reference, then completed."""
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "40.00").refund
    with at(DECIDED_AT + DAY):
        services.refund_mark_sent(refund=refund, actor=finance, reference="  BANK-2025-0042 ")
    with at(DECIDED_AT + 2 * DAY):
        services.refund_mark_completed(refund=refund, actor=finance)

    refund = fresh(refund)
    assert (refund.state, refund.payout_reference, refund.via_gateway) == (
        Refund.State.COMPLETED,
        "BANK-2025-0042",
        False,
    )
    assert (refund.sent_at, refund.completed_at) == (DECIDED_AT + DAY, DECIDED_AT + 2 * DAY)
    assert [log.by for log in StateLog.objects.for_(refund)] == [finance, finance]


def test_finance_marks_a_sent_payout_failed_with_a_reason(buyer, seller, arbiter, finance):
    """R-REF-3, R-REF-2"""
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "40.00").refund
    services.refund_mark_sent(refund=refund, actor=finance, reference="BANK-1")
    with pytest.raises(DomainError, match="why"):
        services.refund_mark_failed(refund=refund, actor=finance, reason=" ")

    services.refund_mark_failed(refund=refund, actor=finance, reason="Account closed")

    assert (fresh(refund).state, fresh(refund).failure_reason) == (Refund.State.FAILED, "Account closed")


@pytest.mark.parametrize("who", ["buyer", "seller", "arbiter"])
def test_marking_payouts_needs_the_finance_permission(buyer, seller, arbiter, who):
    """R-REF-3, R-SEC-2"""
    person = {"buyer": buyer, "seller": seller, "arbiter": arbiter}[who]
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "40.00").refund

    for mark in (
        lambda: services.refund_mark_sent(refund=refund, actor=person, reference="X"),
        lambda: services.refund_mark_completed(refund=refund, actor=person, reference="X"),
        lambda: services.refund_mark_failed(refund=refund, actor=person, reason="X"),
        lambda: services.refund_retry(refund=refund, actor=person),
    ):
        with pytest.raises(DomainError, match="finance permission"):
            mark()
    assert fresh(refund).state == Refund.State.PENDING


def test_payouts_are_marked_in_order(buyer, seller, arbiter, finance):
    """R-REF-2: pending → sent → completed; no step is skipped or repeated."""
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "40.00").refund
    with pytest.raises(DomainError, match="Only a sent refund"):
        services.refund_mark_completed(refund=refund, actor=finance, reference="X")
    services.refund_mark_sent(refund=refund, actor=finance, reference="BANK-1")
    with pytest.raises(DomainError, match="Only a pending refund"):
        services.refund_mark_sent(refund=refund, actor=finance, reference="BANK-2")
    with pytest.raises(DomainError, match="already been sent"):
        services.refund_send(refund=refund, actor=finance)
    assert fresh(refund).payout_reference == "BANK-1"


def test_the_simulated_gateway_pays_once_per_idempotency_key(db, settings):
    """R-REF-3: a retried call with the same key returns the first payout."""
    gateway = SimulatedGateway()
    with at(START):
        first = gateway.send_payout(
            idempotency_key="r1#0", amount=Decimal("9.99"), currency="EUR", destination="Visa •••• 4242"
        )
        again = gateway.send_payout(
            idempotency_key="r1#0", amount=Decimal("9.99"), currency="EUR", destination="Visa •••• 4242"
        )
        other = gateway.send_payout(
            idempotency_key="r1#1", amount=Decimal("9.99"), currency="EUR", destination="Visa •••• 4242"
        )

    assert again == first
    assert other.reference != first.reference
    assert SimulatedPayout.objects.count() == 2


@pytest.mark.parametrize(
    ("destination", "outcome"), [("Visa •••• 4242", "paid"), ("Visa •••• 0002", "failed")]
)
def test_the_simulated_gateway_settles_after_the_configured_seconds(db, settings, destination, outcome):
    """R-REF-3"""
    settings.SIMULATED_GATEWAY_SETTLE_SECONDS = 90
    gateway = SimulatedGateway()
    with at(START):
        gateway.send_payout(
            idempotency_key="r1#0", amount=Decimal("9.99"), currency="EUR", destination=destination
        )
    with at(START + timedelta(seconds=90) - SECOND):
        assert gateway.get_payout(idempotency_key="r1#0").status == "processing"
    with at(START + timedelta(seconds=90) + SECOND):
        assert gateway.get_payout(idempotency_key="r1#0").status == outcome
    assert gateway.get_payout(idempotency_key="unknown") is None


class RecordingGateway:
    """A stand-in provider plugged in by setting, as a real one would be."""

    calls: list[dict] = []
    unavailable = False

    def send_payout(self, *, idempotency_key, amount, currency, destination):
        if RecordingGateway.unavailable:
            raise GatewayUnavailable("provider timed out")
        RecordingGateway.calls.append(
            {"key": idempotency_key, "amount": amount, "currency": currency, "destination": destination}
        )
        return PayoutResult(
            reference=f"REC-{len(RecordingGateway.calls)}",
            status="processing",
            amount=amount,
            currency=currency,
        )

    def get_payout(self, *, idempotency_key):
        return None


@pytest.fixture
def recording_gateway(settings):
    settings.PAYOUT_GATEWAY = "tests.marketplace.test_refunds.RecordingGateway"
    RecordingGateway.calls, RecordingGateway.unavailable = [], False
    return RecordingGateway


def test_a_real_provider_plugs_in_by_setting(buyer, seller, arbiter, scheduler, recording_gateway):
    """R-REF-3: refunds are paid through whichever adapter PAYOUT_GATEWAY names."""
    order = disputed_order(buyer=buyer, seller=seller, currency="EUR", payment_method="SEPA DE89 3704")
    refund = _resolve(order, arbiter, "12.34").refund

    services.refund_send(refund=refund, actor=scheduler)

    assert recording_gateway.calls == [
        {
            "key": f"{refund.idempotency_key}#0",
            "amount": Decimal("12.34"),
            "currency": "EUR",
            "destination": "SEPA DE89 3704",
        }
    ]
    assert (fresh(refund).state, fresh(refund).payout_reference) == (Refund.State.SENT, "REC-1")
    assert not SimulatedPayout.objects.exists()


def test_a_provider_outage_leaves_the_refund_pending_for_the_next_try(
    buyer, seller, arbiter, scheduler, recording_gateway
):
    """R-REF-3: a transient error changes nothing; the task retries with the same key."""
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "12.34").refund
    recording_gateway.unavailable = True
    with pytest.raises(GatewayUnavailable):
        services.refund_send(refund=refund, actor=scheduler)
    assert (fresh(refund).state, fresh(refund).payout_reference) == (Refund.State.PENDING, "")

    recording_gateway.unavailable = False
    services.refund_send(refund=refund, actor=scheduler)
    assert fresh(refund).state == Refund.State.SENT


def test_a_refund_whose_task_was_lost_is_sent_by_the_dispatch_job(buyer, seller, arbiter, scheduler):
    """R-REF-3: the sweep sends refunds left pending (e.g. the broker lost the on-commit task)."""
    refund = _resolve(disputed_order(buyer=buyer, seller=seller), arbiter, "40.00").refund  # no on-commit run
    with at(refund.created_at + timedelta(minutes=2) - SECOND):
        assert run_job("dispatch_refunds").moved == 0
    with at(refund.created_at + timedelta(minutes=2) + SECOND):
        assert run_job("dispatch_refunds").moved == 1
        assert run_job("dispatch_refunds").moved == 0

    assert fresh(refund).state == Refund.State.SENT
    assert SimulatedPayout.objects.count() == 1


def test_refunds_go_to_the_payment_method_the_buyer_paid_with(buyer, seller, arbiter):
    """R-REF-3, R-ESC-5"""
    order = disputed_order(buyer=buyer, seller=seller, payment_method="Mir •••• 2200")
    assert _resolve(order, arbiter, "40.00").refund.destination == "Mir •••• 2200"


def _sent_through_the_gateway(order, arbiter, django_capture_on_commit_callbacks) -> Refund:
    with at(DECIDED_AT), django_capture_on_commit_callbacks(execute=True):
        services.escrow_resolve(
            order=order,
            refund_amount="40.00",
            actor=arbiter,
            reason="r",
            idempotency_key="dispute:1:resolution",
        )
    refund = refunds_of(order).get()
    assert (refund.state, refund.via_gateway) == (Refund.State.SENT, True)
    return refund


def test_finance_cannot_fail_a_gateway_payout_the_provider_is_still_paying(
    buyer, seller, arbiter, finance, settings, django_capture_on_commit_callbacks
):
    """R-REF-2, R-SEC-4: marking it failed and retrying would pay the buyer twice."""
    refund = _sent_through_the_gateway(
        disputed_order(buyer=buyer, seller=seller), arbiter, django_capture_on_commit_callbacks
    )

    with at(DECIDED_AT + SECOND), pytest.raises(DomainError, match="processing"):
        services.refund_mark_failed(refund=refund, actor=finance, reason="Buyer says nothing arrived")

    assert fresh(refund).state == Refund.State.SENT
    with at(DECIDED_AT + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS) + SECOND):
        run_job("sync_payouts")
    assert fresh(refund).state == Refund.State.COMPLETED
    assert SimulatedPayout.objects.count() == 1


def test_finance_cannot_mark_paid_a_gateway_payout_the_provider_has_not_paid(
    buyer, seller, arbiter, finance, settings, django_capture_on_commit_callbacks
):
    """R-REF-2, R-ESC-5: the buyer is never told 'paid' while the provider is still paying (or declines)."""
    order = disputed_order(buyer=buyer, seller=seller, payment_method="Visa •••• 0002")
    refund = _sent_through_the_gateway(order, arbiter, django_capture_on_commit_callbacks)

    with at(DECIDED_AT + SECOND), pytest.raises(DomainError, match="processing"):
        services.refund_mark_completed(refund=refund, actor=finance, reference="X")
    with at(DECIDED_AT + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS) + SECOND):
        with pytest.raises(DomainError, match="failed"):
            services.refund_mark_completed(refund=refund, actor=finance, reference="X")
        services.refund_mark_failed(refund=refund, actor=finance, reason="Declined by the card issuer")

    assert fresh(refund).state == Refund.State.FAILED


def test_finance_records_a_gateway_payout_as_the_provider_reports_it(
    buyer, seller, arbiter, finance, settings, django_capture_on_commit_callbacks
):
    """R-REF-3: once the provider has paid, finance may record it (e.g. before the sync job runs)."""
    refund = _sent_through_the_gateway(
        disputed_order(buyer=buyer, seller=seller), arbiter, django_capture_on_commit_callbacks
    )
    with at(DECIDED_AT + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS) + SECOND):
        with pytest.raises(DomainError, match="paid"):
            services.refund_mark_failed(refund=refund, actor=finance, reason="Buyer says nothing arrived")
        services.refund_mark_completed(refund=refund, actor=finance)

    assert fresh(refund).state == Refund.State.COMPLETED
