"""R-OPS-3: a Prometheus endpoint with request latency, Celery task outcomes and the figures an
operations lead watches, per scheduled job the sweep lag; readable only with the token or by
verified staff."""

from __future__ import annotations

import re

import pytest
import time_machine

from marketplace import scheduling
from marketplace.tasks import run_job_task
from tests.marketplace.factories import DAY, delivered_order, make_buyer, make_seller

pytestmark = pytest.mark.django_db

TOKEN = "scrape-me-0123456789"


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


def value(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{key}="{val}"' for key, val in labels.items())
    pattern = rf"^{re.escape(name)}(\{{{re.escape(wanted)}\}})? (\S+)$" if wanted else rf"^{name} (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{name} {labels} not in the scrape"
    return float(match.groups()[-1])


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_R_OPS_3_metrics_need_the_token_or_a_verified_staff_session(client, staff):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.force_login(staff.buyer)
    assert client.get("/metrics").status_code == 403
    client.force_login(staff.supervisor)  # verified (tests/conftest.py)
    assert client.get("/metrics").status_code == 200


def test_R_OPS_3_the_scrape_shows_latency_task_outcomes_and_the_domain_figures(client):
    client.get("/accounts/login/")
    run_job_task.delay("verify_audit")
    text = scrape(client)
    assert value(
        text, "http_request_duration_seconds_count", method="GET", route="accounts/login/", status="200"
    )
    assert value(
        text, "celery_task_outcomes_total", outcome="succeeded", task="marketplace.tasks.run_job_task"
    )
    assert value(text, "arbitration_disputes_waiting", state="escalated") == 0
    assert value(text, "arbitration_cases_overdue") == 0
    assert value(text, "refunds_overdue") == 0
    assert value(text, "reconciliation_discrepancies") == 0


def test_R_OPS_3_sweep_lag_grows_while_due_orders_wait_and_falls_after_the_sweep(client):
    order = delivered_order(buyer=make_buyer(), seller=make_seller())
    due = order.dispute_deadline
    with time_machine.travel(due + DAY, tick=False):
        one_day = value(scrape(client), "job_sweep_lag_seconds", job="release_escrow")
    with time_machine.travel(due + 3 * DAY, tick=False):
        three_days = value(scrape(client), "job_sweep_lag_seconds", job="release_escrow")
        scheduling.run_job("release_escrow")
        after = value(scrape(client), "job_sweep_lag_seconds", job="release_escrow")
    assert 0 < one_day < three_days
    assert after == 0
