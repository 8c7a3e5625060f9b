"""Renditions whose after-commit task was lost are made by the ``process_evidence`` sweep (R-EVD-4).

Issue 13 item 3: after a Redis crash within a second of an upload, the task message was gone and
the other party saw "still being prepared" for good. The backstop finds the files still
unprocessed two minutes after upload and makes their renditions. The last test loses the
message for real: a private ``redis-server`` takes the task, is killed with ``kill -9`` before
any worker read it, and comes back empty.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.models import Evidence
from config.celery import app
from config.metrics import DomainCollector
from config.schedule import SCHEDULE
from marketplace.scheduling import run_job, sweep_lag
from tests.evidence import files
from tests.evidence.files import upload
from tests.evidence.test_serving import body, client_for, has_gps

PRIVATE_REDIS_PORT = 6391  # this suite's own redis-server, started and killed by the test


def _upload_without_its_task(dispute, buyer, django_capture_on_commit_callbacks, name="lost.jpg"):
    """Commit an upload whose after-commit task never runs (what a lost broker message leaves)."""
    with django_capture_on_commit_callbacks(execute=False):
        arbitration.dispute_post_message(
            dispute=dispute, actor=buyer, body="Photo", files=[upload(name, files.jpeg(gps=True))]
        )
    return Evidence.objects.get(dispute=dispute, original_name=name)


def _later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_r_evd_4_the_backstop_is_on_the_beat_schedule():
    """Every after-commit task has a sweep on beat; this one runs every two minutes."""
    entries = [entry for entry in SCHEDULE.values() if entry["args"] == ("process_evidence",)]
    assert len(entries) == 1
    assert entries[0]["schedule"] <= 120


def test_r_evd_4_a_lost_rendition_task_is_made_by_the_backstop_and_the_other_party_sees_it(
    open_dispute, buyer, seller, django_capture_on_commit_callbacks
):
    evidence = _upload_without_its_task(open_dispute, buyer, django_capture_on_commit_callbacks)
    url = reverse("evidence-file", args=[evidence.pk])
    assert client_for(seller).get(url).status_code == 202  # "still being prepared"

    with _later(3):
        assert sweep_lag()["process_evidence"] >= 120
        result = run_job("process_evidence")
        assert sweep_lag()["process_evidence"] == 0
    assert (result.moved, result.failed) == (1, 0)

    evidence.refresh_from_db()
    assert evidence.processed_at is not None and evidence.rendition.name
    response = client_for(seller).get(url)
    assert response.status_code == 200
    assert not has_gps(body(response))  # the rendition, not the original


def test_r_evd_4_the_backstop_leaves_a_fresh_upload_to_its_task(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    """Within two minutes the task is still expected to run: the sweep does not race it."""
    evidence = _upload_without_its_task(open_dispute, buyer, django_capture_on_commit_callbacks)
    with _later(1):
        assert run_job("process_evidence").moved == 0
    evidence.refresh_from_db()
    assert evidence.processed_at is None


def test_r_evd_4_r_job_2_the_backstop_runs_twice_and_makes_each_rendition_once(
    open_dispute, buyer, django_capture_on_commit_callbacks
):
    evidence = _upload_without_its_task(open_dispute, buyer, django_capture_on_commit_callbacks)
    with _later(3):
        first, second = run_job("process_evidence"), run_job("process_evidence")
    assert (first.moved, second.moved) == (1, 0)
    rendition = Evidence.objects.get(pk=evidence.pk).rendition.name
    with _later(6):
        run_job("process_evidence")
    assert Evidence.objects.get(pk=evidence.pk).rendition.name == rendition


def test_r_evd_4_a_file_that_cannot_be_decoded_is_failed_for_good_and_the_other_party_is_told(
    open_dispute, buyer, seller, django_capture_on_commit_callbacks, monkeypatch
):
    """Not retried every two minutes for ever: failed at once, out of the sweep, and the seller
    reads why instead of "being prepared" (the buyer who sent it still sees it)."""
    evidence = _upload_without_its_task(open_dispute, buyer, django_capture_on_commit_callbacks)

    def undecodable(evidence):
        raise ValueError("a library changed")

    monkeypatch.setattr("arbitration.evidence.renditions._image_renditions", undecodable)
    with _later(3):
        first = run_job("process_evidence")
        second = run_job("process_evidence")
        assert sweep_lag()["process_evidence"] == 0

    assert (first.moved, first.failed) == (0, 1)
    assert (second.moved, second.failed, second.skipped) == (0, 0, 0)
    evidence.refresh_from_db()
    assert (evidence.processing_attempts, evidence.processed_at) == (1, None)
    assert evidence.processing_failed_at is not None
    url = reverse("evidence-file", args=[evidence.pk])
    refused = client_for(seller).get(url)
    assert refused.status_code == 410
    assert "could not be prepared" in refused.content.decode()
    assert client_for(buyer).get(url).status_code == 200
    page = client_for(seller).get(reverse("dispute-detail", args=[open_dispute.pk])).content.decode()
    assert "the arbiter sees the original" in page
    figures = {family.name: family for family in DomainCollector().collect()}
    assert figures["evidence_renditions_failed"].samples[0].value == 1  # operations see it (R-OPS-3)


def test_r_evd_4_a_storage_error_is_retried_on_each_run_until_the_fifth_then_failed_for_good(
    open_dispute, buyer, django_capture_on_commit_callbacks, monkeypatch
):
    evidence = _upload_without_its_task(open_dispute, buyer, django_capture_on_commit_callbacks)

    def unreachable(evidence):
        raise OSError("storage unreachable")

    monkeypatch.setattr("arbitration.evidence.renditions._image_renditions", unreachable)
    tries = []
    for run in range(1, 7):
        with _later(3 * run):
            result = run_job("process_evidence")
        evidence.refresh_from_db()
        tries.append((result.failed, evidence.processing_attempts, evidence.processing_failed_at is not None))

    assert tries == [(1, 1, False), (1, 2, False), (1, 3, False), (1, 4, False), (1, 5, True), (0, 5, True)]


def test_r_evd_4_a_try_that_failed_before_does_not_stop_a_later_success(
    open_dispute, buyer, django_capture_on_commit_callbacks, monkeypatch
):
    evidence = _upload_without_its_task(open_dispute, buyer, django_capture_on_commit_callbacks)
    with monkeypatch.context() as patch:
        patch.setattr(
            "arbitration.evidence.renditions._image_renditions",
            lambda evidence: (_ for _ in ()).throw(OSError("storage unreachable")),
        )
        with _later(3):
            run_job("process_evidence")
    with _later(6):
        result = run_job("process_evidence")

    evidence.refresh_from_db()
    assert result.moved == 1
    assert evidence.processed_at is not None and evidence.processing_failed_at is None
    assert evidence.processing_attempts == 1


# --- A real broker crash ------------------------------------------------------------------------


def _wait_for_port(port: int, *, up: bool, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if (s.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.05)
    raise AssertionError(f"redis-server on {port} did not come {'up' if up else 'down'}")


class PrivateRedis:
    """A redis-server on its own port with no persistence: a crash loses every queued message."""

    def __init__(self, tmp_path, port: int = PRIVATE_REDIS_PORT) -> None:
        self.port, self.dir, self.process = port, tmp_path, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, up=True)

    def crash(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: nothing is written anywhere
        self.process.wait(10)
        _wait_for_port(self.port, up=False)

    def queued(self) -> int:
        import redis

        return int(redis.Redis.from_url(self.url).llen("celery"))


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.process.kill()
        server.process.wait(10)


@pytest.fixture
def real_broker(private_redis):
    """Queue tasks for real (not eagerly) on the private Redis, as a web process does."""
    names = ("task_always_eager", "broker_url", "broker_read_url", "broker_write_url")
    saved = {name: app.conf[name] for name in names}
    app.conf.update(dict.fromkeys(names[1:], private_redis.url), task_always_eager=False)
    _forget_connections()
    yield private_redis
    app.conf.update(saved)
    _forget_connections()


def _forget_connections() -> None:
    """The app caches its broker connections and producers: make it connect to the new URL."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.redis
def test_r_evd_4_redis_killed_after_an_upload_loses_the_task_and_the_backstop_makes_the_rendition(
    open_dispute, buyer, seller, real_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        arbitration.dispute_post_message(
            dispute=open_dispute, actor=buyer, body="Photo", files=[upload("crash.jpg", files.jpeg(gps=True))]
        )
    assert real_broker.queued() == 2  # the rendition and the email tasks, not read by any worker yet
    real_broker.crash()
    real_broker.start()
    assert real_broker.queued() == 0  # the message died with the server

    evidence = Evidence.objects.get(original_name="crash.jpg")
    url = reverse("evidence-file", args=[evidence.pk])
    assert client_for(seller).get(url).status_code == 202
    with _later(3):
        assert run_job("process_evidence").moved == 1
    assert client_for(seller).get(url).status_code == 200


@pytest.mark.redis
def test_r_evd_4_an_upload_with_redis_down_is_kept_and_made_by_the_backstop(
    open_dispute, buyer, seller, real_broker, django_capture_on_commit_callbacks, caplog
):
    real_broker.crash()
    with django_capture_on_commit_callbacks(execute=True):
        arbitration.dispute_post_message(
            dispute=open_dispute, actor=buyer, body="Photo", files=[upload("down.jpg", files.jpeg())]
        )
    assert "a backstop sweep will do the work" in caplog.text
    evidence = Evidence.objects.get(original_name="down.jpg")  # the upload stands
    with _later(3):
        assert run_job("process_evidence").moved == 1
    assert client_for(seller).get(reverse("evidence-file", args=[evidence.pk])).status_code == 200
