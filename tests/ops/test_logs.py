"""R-OPS-4: logs are JSON lines, and a request's id follows the work into the Celery task it
queued (a real worker process, reading the task's headers); Sentry never receives buyers'
personal data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from config.sentry import scrub
from tests.marketplace.factories import make_buyer, make_seller, shipped_order

request_id = "req-ops-7f3a9c"


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def json_lines(path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue  # Celery's banner
    return lines


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R_OPS_4_the_request_id_is_on_the_log_lines_of_the_task_it_queued(client, tmp_path, settings):
    settings.DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # the proxy's X-Request-ID
    if not settings.CELERY_BROKER_URL.startswith(("redis", "filesystem")):
        pytest.skip("needs a broker shared with a worker process")
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-n",
            f"ops-logs-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": _database_url(),
            "LOG_FORMAT": "json",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    app.conf.task_always_eager = False
    try:
        buyer = make_buyer()
        order = shipped_order(
            buyer=buyer, seller=make_seller(), shipped_at=timezone.now() - timedelta(days=2)
        )
        client.force_login(buyer)
        response = client.post(
            reverse("extension-request", args=[order.pk]),
            {"days": 5, "reason": "The parcel is still in transit."},
            HTTP_X_REQUEST_ID=request_id,
        )
        assert response.status_code == 302
        deadline = time.monotonic() + 90
        found = []
        while time.monotonic() < deadline and not found:
            found = [
                line
                for line in json_lines(log)
                if line.get("request_id") == request_id and line.get("event") == "task_succeeded"
            ]
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    started = [line for line in json_lines(log) if line.get("event") == "task_started"]
    assert found, log.read_text()[-3000:]
    assert any(
        line.get("request_id") == request_id and line.get("task") == "marketplace.tasks.send_notifications"
        for line in started
    )


def test_R_OPS_4_errors_sent_to_sentry_carry_no_names_emails_or_addresses():
    event = {
        "message": "Refund failed for boris@example.com",
        "user": {"id": 7, "email": "boris@example.com", "username": "boris", "ip_address": "203.0.113.7"},
        "extra": {"buyer": {"first_name": "Boris", "return_address": "12 Warehouse Road"}, "order_id": 12},
        "exception": {"values": [{"value": "No payout to sam@example.com"}]},
    }
    cleaned = scrub(event)
    text = json.dumps(cleaned)
    assert "boris@example.com" not in text and "sam@example.com" not in text
    assert "Boris" not in text and "Warehouse" not in text and "203.0.113.7" not in text
    assert cleaned["user"] == {"id": 7} and cleaned["extra"]["order_id"] == 12
