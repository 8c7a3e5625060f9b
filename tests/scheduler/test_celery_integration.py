"""The scheduler for real: a Celery worker and beat as separate processes, Redis as the broker,
PostgreSQL as the database (R-JOB-1, R-JOB-2, R-NTF-1). No eager mode.

The worker runs against this test's database (a transactional test, so it sees the data),
a Redis database of its own, beat ticking every second, and the file email backend into a
temporary folder. The process is always killed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from email import message_from_string
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery import Celery
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django_fsm_log.models import StateLog
from kombu import Connection

from arbitration import bulk
from arbitration.models import Dispute
from marketplace.models import Notification
from tests.arbitration.conftest import open_dispute, shipped
from tests.scheduler.conftest import on_postgresql, require
from tests.support import fresh

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

BROKER_DB, CACHE_DB = 5, 6  # this suite's own Redis databases


def _redis_base() -> str:
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "needs a real Redis: set REDIS_URL=redis://127.0.0.1:6379/1")
    require(
        on_postgresql(), "needs PostgreSQL (the worker is another process): set DATABASE_URL=postgres://…"
    )
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


class Worker:
    """``celery -A config worker`` (optionally with embedded beat) in its own process group."""

    def __init__(self, tmp_path: Path, *, beat: bool, pool: str = "solo", **env: str) -> None:
        base = _redis_base()
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.broker = f"{base}/{BROKER_DB}"
        cache = f"{base}/{CACHE_DB}"
        for url in (self.broker, cache):
            _flush(url)  # nothing left over from an earlier run
        self.log = tmp_path / "worker.log"
        self.mail_dir = tmp_path / "mail"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=INFO",
            "-n",
            f"scheduler-test-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            command += ["-B", "-s", str(tmp_path / "celerybeat-schedule")]
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker,
            "REDIS_URL": cache,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "JOB_INTERVAL_SECONDS": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "APP_VAR_DIR": str(tmp_path / "var"),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def send(self, task: str, *args) -> None:
        # An explicit connection: Celery prefers a CELERY_BROKER_URL in the environment (as CI
        # exports) over the app's ``broker`` argument, which would send to another Redis database.
        producer = Celery("scheduler-test-producer", set_as_current=False)
        try:
            with Connection(self.broker) as connection:
                producer.send_task(task, args=args, connection=connection)
        finally:
            producer.close()

    def pool_children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in out.stdout.split()]

    def messages(self) -> list[Message]:
        """The emails the worker sent (the file backend writes one file per connection)."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if raw.strip():
                    found.append(message_from_string(raw.lstrip()))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def wait_for(self, condition, *, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"{what} did not happen within {timeout}s; worker log:\n{self.log.read_text()[-5000:]}")


@pytest.fixture
def worker_factory(tmp_path):
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(tmp_path / f"w{len(started)}", **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_beat_and_a_worker_escalate_a_dispute_past_its_deadline_and_email_both_parties(
    people, worker_factory
):
    """R-DSP-6, R-JOB-1, R-NTF-1: opened 7 days and a minute ago, escalated within seconds of the
    scheduler starting, and both emails are in the outbox afterwards."""
    now = timezone.now()
    order = shipped(people, shipped_at=now - timedelta(days=20))
    dispute = open_dispute(people, order=order, when=now - timedelta(days=7, minutes=1))
    not_yet = open_dispute(
        people, order=shipped(people, shipped_at=now - timedelta(days=20)), when=now - timedelta(days=6)
    )
    assert fresh(dispute).state == Dispute.State.OPEN

    worker = worker_factory(beat=True)
    worker.wait_for(
        lambda: fresh(dispute).state == Dispute.State.ESCALATED,
        timeout=45,
        what="the escalation of the overdue dispute",
    )
    messages = worker.wait_for(
        lambda: len(m := worker.messages()) >= 2 and m, timeout=30, what="the escalation emails"
    )

    subject = f"The dispute about order {order.number} is now with our arbiters"
    assert sorted((m["To"], m["Subject"], m["X-Notification-Event"]) for m in messages) == [
        ("boris@example.com", subject, "dispute_escalated"),
        ("sam@example.com", subject, "dispute_escalated"),
    ]
    escalation = StateLog.objects.get(transition="escalate_overdue", object_id=dispute.pk)
    assert escalation.by == people.scheduler
    assert fresh(not_yet).state == Dispute.State.OPEN  # its deadline is a day away
    time.sleep(2)  # a few more beat ticks change nothing
    assert StateLog.objects.filter(transition="escalate_overdue").count() == 1
    assert Notification.objects.filter(event="dispute_escalated").count() == 2


def test_a_worker_killed_mid_job_loses_nothing_and_the_redelivered_job_finishes_it_once(
    people, worker_factory
):
    """R-JOB-2: the pool process running the escalation job is killed (SIGKILL) after some disputes
    moved; with acks_late + reject_on_worker_lost the task is delivered again, its guard died with
    the killed process's database session, and the rerun escalates the rest: each dispute once."""
    # Enough small batches that the job is still running when the test kills it: the set-based
    # sweep escalates 1,500 disputes in batches of 100 in well under a second, and a pool process
    # that already finished the job may have been replaced by then.
    due = 4000
    ids = set(bulk.disputes_due_for_escalation(due, buyer=people.buyer, seller=people.seller))
    escalations = StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Dispute), transition="escalate_overdue"
    )

    worker = worker_factory(
        beat=False,
        pool="prefork",
        JOB_BATCH_SIZE="20",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    children = worker.wait_for(worker.pool_children, timeout=30, what="the worker's pool process")
    worker.send("marketplace.tasks.run_job_task", "escalate_disputes")
    worker.wait_for(lambda: escalations.count() >= 200, timeout=60, what="the job starting")
    os.kill(children[0], signal.SIGKILL)
    moved_when_killed = escalations.count()

    worker.wait_for(lambda: escalations.count() >= due, timeout=120, what="the redelivered job finishing")
    time.sleep(1)

    assert moved_when_killed < due, "the job finished before it could be killed; raise the number of disputes"
    per_dispute = Counter(escalations.values_list("object_id", flat=True))
    assert set(per_dispute) == ids and set(per_dispute.values()) == {1}
    assert Dispute.objects.filter(pk__in=ids, state=Dispute.State.ESCALATED).count() == due
    told = Counter(
        Notification.objects.filter(event="dispute_escalated").values_list("recipient_id", flat=True)
    )
    assert told == {people.buyer.pk: due, people.seller.pk: due}
    assert "WorkerLostError" in worker.log.read_text() or "signal 9" in worker.log.read_text()
