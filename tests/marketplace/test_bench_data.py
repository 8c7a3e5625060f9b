"""The benchmark data set is data the system accepts: bench/generate.py writes by COPY, around
the services, so this proves its rows pass every database constraint and reconcile (R-ESC-3,
R-JOB-4). Without it a new column or constraint breaks the benchmarks unnoticed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from arbitration.models import Decision, Dispute, ReturnShipment
from marketplace.models import EscrowHold, LedgerEntry, Order, Refund
from marketplace.scheduling import run_job
from marketplace.selectors.reconciliation import ledger_reconcile

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_orders_pass_every_constraint_and_reconcile_R_ESC_3_R_JOB_4(scheduler):
    load_generator().generate(2000, 0.3, 7)

    assert Order.objects.count() == EscrowHold.objects.count() == 2000
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.HOLD).count() == 2000
    states = set(Dispute.objects.values_list("state", flat=True))
    assert {Dispute.State.OPEN, Dispute.State.ESCALATED, Dispute.State.CLOSED} <= states
    assert Refund.objects.exists()
    result = ledger_reconcile(check_gateway=False)
    assert result.orders_checked == 2000
    assert result.discrepancies == []


def test_generated_disputes_have_the_rows_their_state_needs_and_the_return_jobs_run_clean_R_JOB_4(
    scheduler, arbiter
):
    """Issue 13 item 10: return-stage disputes came without a return record, so the hourly
    reminder job failed on each of them every run, and reconciliation did not notice."""
    arbiter.groups.add(Group.objects.get(name="Arbiters"))  # who decides the generated arbitrations
    load_generator().generate(3000, 0.4, 11)

    returns = Dispute.objects.filter(
        state__in=[Dispute.State.AWAITING_RETURN, Dispute.State.RETURN_IN_TRANSIT]
    )
    assert returns.count() > 0
    assert ReturnShipment.objects.filter(dispute__in=returns).count() == returns.count()
    in_transit = ReturnShipment.objects.filter(dispute__state=Dispute.State.RETURN_IN_TRANSIT)
    assert not in_transit.filter(shipped_at__isnull=True).exists()
    decided = Dispute.objects.filter(outcome=Dispute.Outcome.DECIDED_REJECTED)
    assert decided.count() > 0
    assert Decision.objects.filter(dispute__in=decided).count() == decided.count()
    assert ledger_reconcile(check_gateway=False).discrepancies == []
    for job in ("remind_returns_due", "close_unshipped_returns", "refund_unconfirmed_returns"):
        assert run_job(job).failed == 0, job
