"""The benchmark data set is data the system accepts: bench/generate.py writes by COPY, around
the services, so this proves its rows pass every database constraint and reconcile (R-ESC-3,
R-JOB-4). Without it a new column or constraint breaks the benchmarks unnoticed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from arbitration.models import Dispute
from marketplace.models import EscrowHold, LedgerEntry, Order, Refund
from marketplace.selectors import ledger_reconcile

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
