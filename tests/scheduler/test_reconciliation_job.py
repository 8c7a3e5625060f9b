"""The daily money check (R-JOB-4): every discrepancy reaches staff, healthy books report zero.

The checks themselves (R-ESC-3 over ledger, escrow and gateway) are proven in
tests/marketplace/test_reconciliation.py; this proves the scheduled job around them: it runs
daily, records a ReconciliationRun that the admin shows, and emails staff when money is off.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from arbitration.models import Dispute
from config.celery import app
from marketplace import services as money
from marketplace.models import Order, ReconciliationRun, SimulatedPayout
from marketplace.scheduling import run_job
from tests.arbitration.conftest import SECOND, awaiting_return, closed_by_seller, open_dispute, shipped
from tests.marketplace.factories import at
from tests.support import fresh

User = get_user_model()


@pytest.fixture
def books(people):
    """Orders in escrow, released, and refunded through the gateway: everything balanced."""
    in_escrow = shipped(people)
    released = shipped(people)
    with at(released.protection_deadline + SECOND):
        money.order_release_if_due(order=released, actor=people.scheduler)
    refund = fresh(closed_by_seller(people)).refund
    with at(refund.created_at + SECOND):
        money.refund_send(refund=refund, actor=people.scheduler)
    return {"in_escrow": in_escrow, "released": released, "refund": fresh(refund)}


def _insert_ledger_row_behind_the_services_back(order: Order, amount: str) -> None:
    """Someone with database access books a release on an order whose money is still in escrow."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO marketplace_ledgerentry (order_id, kind, source, amount, currency, party_id,"
            " actor_id, reason, idempotency_key, created_at)"
            " VALUES (%s, 'release', 'escrow', %s, %s, %s, %s, %s, %s, %s)",
            [
                order.pk,
                Decimal(amount),
                order.currency,
                order.seller_id,
                order.seller_id,
                "manual fix",
                f"manual:{order.pk}",
                timezone.now(),
            ],
        )


def test_the_reconciliation_job_is_scheduled_daily():
    """R-JOB-4"""
    entries = [e for e in app.conf.beat_schedule.values() if e["args"] == ("reconcile_ledger",)]
    assert len(entries) == 1
    assert entries[0]["schedule"] == crontab(hour=3, minute=17)


def test_healthy_books_report_zero_discrepancies_and_email_nobody(books, mailoutbox, settings):
    """R-JOB-4: on healthy data it reports zero."""
    settings.STAFF_ALERT_EMAILS = ["money-alerts@marketplace.example"]

    result = run_job("reconcile_ledger")

    run = ReconciliationRun.objects.get()
    assert (run.orders_checked, run.refunds_checked, run.discrepancy_count) == (3, 1, 0)
    assert run.discrepancies == [] and run.finished_at is not None
    assert f"0 discrepancies in 3 orders and 1 refunds (reconciliation run #{run.pk})" in result.summary()
    assert mailoutbox == []


def test_a_ledger_row_written_behind_the_services_back_is_reported_to_staff(books, mailoutbox, settings):
    """R-JOB-4, R-ESC-3: an injected release on an order still in escrow."""
    settings.STAFF_ALERT_EMAILS = ["money-alerts@marketplace.example"]
    order = books["in_escrow"]
    _insert_ledger_row_behind_the_services_back(order, "10.00")

    run_job("reconcile_ledger")

    run = ReconciliationRun.objects.get()
    codes = {(d["code"], d["order_id"]) for d in run.discrepancies}
    assert ("release_mismatch", order.pk) in codes
    assert ("moved_before_settlement", order.pk) in codes
    assert {d["order_id"] for d in run.discrepancies} == {order.pk}  # only the corrupted order
    assert run.discrepancy_count == len(run.discrepancies)
    [email] = mailoutbox
    assert email.to == ["money-alerts@marketplace.example"]
    assert f"{run.discrepancy_count} discrepancies need attention" in email.subject
    assert f"/admin/marketplace/reconciliationrun/{run.pk}/change/" in email.body
    assert f"release_mismatch: order {order.pk}" in email.body


def test_a_payout_the_gateway_made_for_another_amount_is_reported(books, mailoutbox, settings):
    """R-JOB-4: refunds are checked against the gateway's own records."""
    settings.STAFF_ALERT_EMAILS = ["money-alerts@marketplace.example"]
    refund = books["refund"]
    SimulatedPayout.objects.filter(idempotency_key=refund.gateway_key).update(amount=Decimal("1000.00"))

    run_job("reconcile_ledger")

    run = ReconciliationRun.objects.get()
    assert [(d["code"], d["refund_id"]) for d in run.discrepancies] == [("payout_amount_mismatch", refund.pk)]
    assert "payout_amount_mismatch" in mailoutbox[0].body


def test_without_a_configured_list_the_superusers_and_finance_operators_are_emailed(
    books, people, mailoutbox, settings
):
    """R-JOB-4: reported to staff even when STAFF_ALERT_EMAILS is not set."""
    settings.STAFF_ALERT_EMAILS = []
    User.objects.create_superuser("root", "root@marketplace.example", "x")
    User.objects.filter(pk=people.finance.pk).update(email="finance@marketplace.example")
    User.objects.filter(pk=people.arbiter.pk).update(email="arbiter@marketplace.example")  # not money staff
    _insert_ledger_row_behind_the_services_back(books["in_escrow"], "5.00")

    run_job("reconcile_ledger")

    [email] = mailoutbox
    assert email.to == ["finance@marketplace.example", "root@marketplace.example"]


def test_each_run_leaves_its_own_record_for_the_admin(books):
    """R-JOB-4: the history of checks stays visible."""
    run_job("reconcile_ledger")
    _insert_ledger_row_behind_the_services_back(books["in_escrow"], "1.00")
    run_job("reconcile_ledger")

    assert list(ReconciliationRun.objects.order_by("pk").values_list("discrepancy_count", flat=True))[0] == 0
    assert ReconciliationRun.objects.order_by("pk").last().discrepancy_count > 0


# --- Disputes whose state lacks the rows it needs (issue 13 item 10) ----------------------------


def test_disputes_in_a_state_without_the_rows_it_needs_are_reported_R_JOB_4(people, mailoutbox, settings):
    """A return-stage dispute without its return record (what bench/generate.py used to write)
    and a decided dispute without its decision are reported; healthy disputes are not."""
    settings.STAFF_ALERT_EMAILS = ["money-alerts@marketplace.example"]
    healthy_return = awaiting_return(people)
    no_return = open_dispute(people)
    Dispute.objects.filter(pk=no_return.pk).update(state=Dispute.State.AWAITING_RETURN)
    no_decision = open_dispute(people)
    Dispute.objects.filter(pk=no_decision.pk).update(
        state=Dispute.State.CLOSED, outcome=Dispute.Outcome.DECIDED_REJECTED, closed_at=timezone.now()
    )
    never_shipped = awaiting_return(people)
    Dispute.objects.filter(pk=never_shipped.pk).update(state=Dispute.State.RETURN_IN_TRANSIT)

    run_job("reconcile_ledger")

    run = ReconciliationRun.objects.get()
    dispute_codes = {
        (d["code"], d["order_id"]) for d in run.discrepancies if d["code"].startswith("dispute_")
    }
    assert dispute_codes == {
        ("dispute_return_missing", no_return.order_id),
        ("dispute_decision_missing", no_decision.order_id),
        ("dispute_return_not_shipped", never_shipped.order_id),
    }
    assert healthy_return.order_id not in {order_id for _, order_id in dispute_codes}
    assert f"dispute_return_missing: order {no_return.order_id}" in mailoutbox[0].body


def test_healthy_disputes_in_every_stage_report_nothing_R_JOB_4(people):
    awaiting_return(people)
    open_dispute(people)
    closed_by_seller(people)

    run_job("reconcile_ledger")

    assert [
        d for d in ReconciliationRun.objects.get().discrepancies if d["code"].startswith("dispute_")
    ] == []
