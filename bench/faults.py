"""Fault runs against real services: PostgreSQL, a private redis-server, Celery workers and beats as
separate processes (issue 13, the Proof). Prints what was lost (must be zero) and how long the
backstops took to recover.

    createdb arb_faults   # any empty or migrated PostgreSQL database; the script migrates it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arb_faults .venv/bin/python bench/faults.py

Four runs, each on items of its own:

1. **worker kill -9 mid-sweep**: orders past their dispute deadline; a worker runs
   ``release_escrow`` in small batches and its whole process group is killed with SIGKILL
   partway; a new worker and beat finish the sweep.
2. **terminated database connections**: the same sweep while every other connection to the
   database is ended with ``pg_terminate_backend`` several times a second for some seconds.
3. **two beats at once**: two beat processes and two workers sweep one backlog together.
4. **broker crash after uploads and form posts**: with no worker running, buyers upload photos
   and sellers accept claims through the web forms (the test client, the real views); their
   after-commit tasks (renditions, refunds, emails) sit in Redis, which is then killed with
   SIGKILL (no persistence) and restarted empty. Only the backstop sweeps can finish the work;
   they leave each item alone for its grace period first (two minutes for refunds and
   renditions, five for emails), so this run takes over five minutes by design.

"Lost" is an item still not done when the run ends; "twice" is an item done more than once
(two release ledger rows, two refunds, two renditions recorded). Exit status 1 if anything was
lost or done twice.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure_environment(redis_port: int, var_dir: Path) -> dict[str, str]:
    """The settings every process of the run shares (this one, the workers, the beats)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "APP_VAR_DIR": str(var_dir),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var_dir / "mail"),
        "JOB_INTERVAL_SECONDS": "2",
        "JOB_BATCH_SIZE": "25",  # many small batches: a kill lands mid-sweep
        "SIMULATED_GATEWAY_SETTLE_SECONDS": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    return env


class RedisServer:
    """A private redis-server without persistence: SIGKILL loses every queued message."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder, self.process = port, folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, up=True)

    def crash(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        _wait_for_port(self.port, up=False)

    def queued(self) -> int:
        import redis

        return int(redis.Redis(port=self.port).llen("celery"))


def _wait_for_port(port: int, *, up: bool, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if (s.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.05)
    raise SystemExit(f"redis-server on port {port} did not come {'up' if up else 'down'}")


class Celery:
    """A ``celery -A config worker`` or ``beat`` in its own process group (killed as a whole)."""

    def __init__(self, role: str, name: str, env: dict[str, str], folder: Path) -> None:
        command = [sys.executable, "-m", "celery", "-A", "config", role, "--loglevel=WARNING"]
        if role == "worker":
            command += ["--pool=prefork", "--concurrency=2", "-n", f"{name}@%h", "--without-gossip",
                        "--without-mingle", "--without-heartbeat"]  # fmt: skip
        else:
            command += ["-s", str(folder / f"{name}-schedule"), "--pidfile="]
        self.log = folder / f"{name}.log"
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def wait_until(done, *, timeout: float, every: float = 0.5) -> float | None:
    """Seconds until ``done()`` is true, or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if done():
            return time.monotonic() - started
        time.sleep(every)
    return None


# --- Items -------------------------------------------------------------------------------------


RUN = f"{int(time.time()) % 10**6:06d}"  # this run's names: the database may hold earlier runs


def make_people(tag: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    tag = f"{tag}-{RUN}"
    buyer = User.objects.create_user(
        username=f"buyer-{tag}", email=f"buyer-{tag}@example.com", first_name="Boris"
    )
    seller = User.objects.create_user(
        username=f"seller-{tag}", email=f"seller-{tag}@example.com", first_name="Sam", return_address="1 Road"
    )
    return buyer, seller


def orders_due_for_release(count: int, tag: str) -> list[int]:
    """Orders shipped long ago whose protection and dispute deadline have passed."""
    import time_machine
    from django.conf import settings
    from django.utils import timezone

    from marketplace import services as money

    buyer, seller = make_people(tag)
    ids = []
    with time_machine.travel(timezone.now() - timedelta(days=settings.BUYER_PROTECTION_DAYS + 5), tick=False):
        for n in range(count):
            order = money.order_pay(
                buyer=buyer,
                seller=seller,
                item_title=f"Fault run {tag} #{n}",
                amount=Decimal("25.00"),
                currency="USD",
                payment_method="Visa •••• 4242",
            )
            money.order_ship(
                order=order, actor=seller, carrier="China Post", tracking_number=f"FR{tag}{n:06d}"
            )
            ids.append(order.pk)
    return ids


def release_counts(order_ids: list[int]) -> tuple[int, int]:
    """(orders released, orders with more than one release ledger row)."""
    from django.db.models import Count

    from marketplace.models import LedgerEntry

    per_order = (
        LedgerEntry.objects.filter(order_id__in=order_ids, kind=LedgerEntry.Kind.RELEASE)
        .values("order_id")
        .annotate(n=Count("id"))
    )
    counts = [row["n"] for row in per_order]
    return len(counts), sum(1 for n in counts if n > 1)


def send_job(env: dict[str, str], name: str) -> None:
    from celery import Celery as App
    from kombu import Connection

    producer = App("faults-producer", set_as_current=False)
    try:
        with Connection(env["CELERY_BROKER_URL"]) as connection:
            producer.send_task("marketplace.tasks.run_job_task", args=(name,), connection=connection)
    finally:
        producer.close()


# --- The runs ----------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, int, str]] = []

    def add(
        self, run: str, items: int, lost: int, twice: int, recovery: float | None, note: str = ""
    ) -> None:
        took = "never" if recovery is None else f"{recovery:.1f}s"
        self.rows.append((run, items, lost, twice, f"{took}{'; ' + note if note else ''}"))
        print(
            f"  -> {run}: {items} items, lost {lost}, done twice {twice}, recovered in {took} {note}",
            flush=True,
        )

    def print(self) -> bool:
        print("\nrun                                   items  lost  twice  recovery")
        for run, items, lost, twice, recovery in self.rows:
            print(f"{run:<38}{items:>5}{lost:>6}{twice:>7}  {recovery}")
        bad = sum(r[2] + r[3] for r in self.rows)
        print(f"\nTOTAL LOST OR DONE TWICE: {bad}")
        return bad == 0


def run_worker_kill(env, folder, report, count: int, timeout: float) -> None:
    print(f"[1] worker kill -9 mid-sweep: {count} orders due for release", flush=True)
    ids = orders_due_for_release(count, "kill")
    worker = Celery("worker", "kill-w1", env, folder)
    time.sleep(3)
    send_job(env, "release_escrow")
    started = time.monotonic()
    while time.monotonic() - started < 60 and release_counts(ids)[0] < max(1, count // 10):
        time.sleep(0.02)
    worker.kill()
    at_kill = release_counts(ids)[0]
    print(f"    killed the worker (SIGKILL, whole group) with {at_kill}/{count} released", flush=True)
    killed_at = time.monotonic()
    worker, beat = Celery("worker", "kill-w2", env, folder), Celery("beat", "kill-beat", env, folder)
    try:
        recovery = wait_until(lambda: release_counts(ids)[0] == count, timeout=timeout)
        if recovery is not None:
            recovery = time.monotonic() - killed_at
    finally:
        beat.kill(signal.SIGTERM)
        worker.kill(signal.SIGTERM)
    released, twice = release_counts(ids)
    report.add(
        "worker kill -9 mid-sweep",
        count,
        count - released,
        twice,
        recovery,
        f"{at_kill} moved before the kill",
    )


def run_terminated_connections(env, folder, report, count: int, timeout: float, seconds: float) -> None:
    from django.db import connection

    print(
        f"[2] terminated database connections: {count} orders due, connections ended for {seconds}s",
        flush=True,
    )
    ids = orders_due_for_release(count, "term")
    connection.close()
    worker, beat = Celery("worker", "term-w", env, folder), Celery("beat", "term-beat", env, folder)
    terminated = 0
    try:
        import psycopg

        dsn = _dsn()
        wait_until(lambda: release_counts(ids)[0] > 0, timeout=60, every=0.05)  # the sweep has begun
        connection.close()
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            with psycopg.connect(dsn, autocommit=True) as killer:
                row = killer.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ).fetchone()
                terminated += row[0] if row else 0
            time.sleep(0.2)
        stopped = time.monotonic()
        print(f"    {release_counts(ids)[0]}/{count} released when the terminations stopped", flush=True)
        recovery = wait_until(lambda: release_counts(ids)[0] == count, timeout=timeout)
        if recovery is not None:
            recovery = time.monotonic() - stopped
    finally:
        beat.kill(signal.SIGTERM)
        worker.kill(signal.SIGTERM)
    released, twice = release_counts(ids)
    report.add(
        "terminated DB connections", count, count - released, twice, recovery,
        f"{terminated} connections terminated; time after the terminations stopped",
    )  # fmt: skip


def run_two_beats(env, folder, report, count: int, timeout: float) -> None:
    print(f"[3] two beats at once, two workers: {count} orders due for release", flush=True)
    ids = orders_due_for_release(count, "beats")
    processes = [
        Celery("worker", "beats-w1", env, folder),
        Celery("worker", "beats-w2", env, folder),
        Celery("beat", "beat-a", env, folder),
        Celery("beat", "beat-b", env, folder),
    ]
    started = time.monotonic()
    try:
        recovery = wait_until(lambda: release_counts(ids)[0] == count, timeout=timeout)
        if recovery is not None:
            recovery = time.monotonic() - started
        time.sleep(6)  # a few more ticks of both beats: nothing may move twice
    finally:
        for process in reversed(processes):
            process.kill(signal.SIGTERM)
    released, twice = release_counts(ids)
    report.add(
        "two beats at once", count, count - released, twice, recovery, "time from start to all released"
    )


def _jpeg(n: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (n % 256, 80, 160)).save(out, "JPEG")
    return out.getvalue()


def run_broker_crash(env, folder, report, redis: RedisServer, count: int, timeout: float) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from arbitration import services
    from arbitration.models import Dispute, Evidence
    from marketplace import services as money
    from marketplace.models import Notification, Refund

    print(f"[4] broker crash after uploads and form posts: {count} disputes, no worker running", flush=True)
    buyer, seller = make_people("crash")
    since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    disputes = []
    for n in range(count):
        order = money.order_pay(
            buyer=buyer, seller=seller, item_title=f"Crash #{n}", amount=Decimal("30.00"), currency="USD",
            payment_method="Visa •••• 4242",
        )  # fmt: skip
        order = money.order_ship(
            order=order, actor=seller, carrier="China Post", tracking_number=f"CR{n:06d}"
        )
        disputes.append(
            services.dispute_open(
                order=order,
                actor=buyer,
                reason="damaged",
                resolution="full_refund",
                description="Arrived broken.",
            )  # fmt: skip
        )
    as_buyer, as_seller = Client(), Client()
    as_buyer.force_login(buyer)
    as_seller.force_login(seller)
    refused = 0
    for n, dispute in enumerate(disputes):
        photo = SimpleUploadedFile(f"photo-{n}.jpg", _jpeg(n), content_type="image/jpeg")
        posted = as_buyer.post(
            reverse("dispute-message", args=[dispute.pk]), {"body": "A photo", "files": [photo]}, secure=True
        )
        accepted = as_seller.post(reverse("dispute-accept-claim", args=[dispute.pk]), {}, secure=True)
        refused += posted.status_code >= 400 or accepted.status_code >= 400
    ids = [d.pk for d in disputes]
    evidence = Evidence.objects.filter(dispute_id__in=ids)
    refunds = Refund.objects.filter(order_id__in=[d.order_id for d in disputes])
    notifications = Notification.objects.filter(pk__gt=since)
    closed = Dispute.objects.filter(pk__in=ids, state=Dispute.State.CLOSED).count()
    print(
        f"    {evidence.count()} photos, {closed} claims accepted ({refunds.count()} refunds), "
        f"{notifications.count()} emails committed; {redis.queued()} tasks waiting in Redis; "
        f"{refused} posts refused",
        flush=True,
    )
    redis.crash()
    redis.start()
    crashed_at = time.monotonic()
    print(f"    redis-server killed (SIGKILL) and restarted: {redis.queued()} tasks left in it", flush=True)
    worker, beat = Celery("worker", "crash-w", env, folder), Celery("beat", "crash-beat", env, folder)
    done = {
        "renditions": lambda: not evidence.filter(processed_at__isnull=True).exists(),
        "refunds sent": lambda: not refunds.filter(state=Refund.State.PENDING).exists(),
        "emails sent": lambda: not notifications.filter(sent_at__isnull=True).exists(),
    }
    recovered: dict[str, float] = {}
    try:
        while time.monotonic() - crashed_at < timeout and len(recovered) < len(done):
            for what, check in done.items():
                if what not in recovered and check():
                    recovered[what] = time.monotonic() - crashed_at
            time.sleep(1)
    finally:
        beat.kill(signal.SIGTERM)
        worker.kill(signal.SIGTERM)
    twice_renditions = 0  # one rendition field per row: a second run deletes its copy (see evidence_process)
    report.add(
        "broker crash: renditions", evidence.count(), evidence.filter(processed_at__isnull=True).count(),
        twice_renditions, recovered.get("renditions"),
    )  # fmt: skip
    per_dispute = refunds.values("order_id").distinct().count()
    report.add(
        "broker crash: refunds", refunds.count(), refunds.filter(state=Refund.State.PENDING).count(),
        refunds.count() - per_dispute, recovered.get("refunds sent"),
    )  # fmt: skip
    report.add(
        "broker crash: emails", notifications.count(), notifications.filter(sent_at__isnull=True).count(),
        0, recovered.get("emails sent"), "twice not counted here (each row is marked sent under its lock)",
    )  # fmt: skip


def _dsn() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis-port", type=int, default=6391, help="port of the private redis-server")
    parser.add_argument("--orders", type=int, default=400, help="items per sweep run")
    parser.add_argument("--disputes", type=int, default=20, help="uploads and form posts in the crash run")
    parser.add_argument("--timeout", type=float, default=120, help="seconds each sweep run may take")
    parser.add_argument("--crash-timeout", type=float, default=480, help="seconds the crash run may take")
    parser.add_argument("--terminate-seconds", type=float, default=8)
    parser.add_argument("--only", choices=["kill", "terminate", "beats", "crash"], action="append")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench/faults.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    if shutil.which("redis-server") is None:
        raise SystemExit("bench/faults.py needs redis-server on PATH")
    folder = Path(tempfile.mkdtemp(prefix="faults-"))
    env = _configure_environment(args.redis_port, folder / "var")
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]

    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("django_structlog").setLevel(logging.WARNING)  # one line per queued task otherwise

    from marketplace.actors import scheduler_user

    call_command("migrate", verbosity=0)
    scheduler_user()
    redis = RedisServer(args.redis_port, folder)
    redis.start()
    report = Report()
    chosen = args.only or ["kill", "terminate", "beats", "crash"]
    print(f"fault runs in {folder} (logs of every worker and beat there)", flush=True)
    try:
        if "kill" in chosen:
            run_worker_kill(env, folder, report, args.orders, args.timeout)
        if "terminate" in chosen:
            run_terminated_connections(env, folder, report, args.orders, args.timeout, args.terminate_seconds)
        if "beats" in chosen:
            run_two_beats(env, folder, report, args.orders, args.timeout)
        if "crash" in chosen:
            run_broker_crash(env, folder, report, redis, args.disputes, args.crash_timeout)
    finally:
        redis.crash()
    sys.exit(0 if report.print() else 1)


if __name__ == "__main__":
    main()
