"""Benchmark: the scheduler's sweeps against bare SQL doing the same writes (issue 15, R-JOB-2).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arb_bench python bench/sweeps.py
    python bench/sweeps.py --disputes 100000 --orders 100000 --profile 2000 --million

For each sweep (escalation of disputes, release of escrow) it prints, in one run:

- one worker process sweeping N due rows exactly as Celery runs it (``run_job`` until nothing is
  due): batches claimed with ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)
  RETURNING``, audit rows, ledger rows, notifications and webhook events written with one bulk
  insert each, by the same service a person's action uses; items/s of wall-clock time, and the CPU
  seconds of the worker and of its PostgreSQL backend (the machine is shared: CPU time is the
  figure that doesn't count other people's processes);
- bare SQL doing the same writes in one statement per table, in one transaction, on an equal
  second set of due rows, and the sweep's time as a multiple of it;
- two worker processes sweeping a third equal set together, the speed-up over one worker, and
  each worker's CPU and database CPU (2 cores are shared with PostgreSQL: a cap shows there);
- with ``--million``, one worker sweeping 1,000,000 due rows and its peak memory growth.

Targets (issue 15): >= 2,000 items/s with one worker, <= 5x bare SQL, two workers >= 1.4x one.

The data live in a fresh database, ``<DATABASE_URL's name>_bench``, created with the
migrations and dropped at the end (``--keep`` keeps it). Rows are generated with
``bulk_create`` (arbitration/bulk.py): setup only, services are bypassed. Notification
emails are queued to an in-memory broker and not sent: sending mail is another task.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import time
import timeit
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # queued emails go nowhere
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from arbitration import bulk  # noqa: E402
from arbitration.models import Dispute  # noqa: E402
from marketplace.actors import scheduler_user  # noqa: E402
from marketplace.models import Order  # noqa: E402
from marketplace.scheduling import run_job  # noqa: E402

TARGET_PER_SECOND = 2000
TARGET_RATIO = 5.0
TARGET_SCALE = 1.4


@dataclass
class Timing:
    wall: float
    worker_cpu: float
    db_cpu: float

    def __sub__(self, other: Timing) -> Timing:
        return Timing(self.wall - other.wall, self.worker_cpu - other.worker_cpu, self.db_cpu - other.db_cpu)


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same host only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")  # the database runs on another host
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _now() -> Timing:
    return Timing(time.perf_counter(), time.process_time(), _backend_cpu())


def _calibrate() -> float:
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def _vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- Bare SQL: the same writes as the services, one statement each --------------------------


ESCALATE_SQL = [
    """
    UPDATE arbitration_dispute
    SET state = 'escalated', escalated_at = %(now)s, escalation_count = escalation_count + 1,
        deadline_at = %(due)s, assigned_arbiter_id = NULL, assigned_at = NULL, overdue_flagged_at = NULL
    WHERE state = 'open' AND deadline_at <= %(now)s
    """,
    """
    UPDATE arbitration_offer o SET status = 'withdrawn', answered_at = %(now)s
    FROM arbitration_dispute d
    WHERE o.dispute_id = d.id AND o.status = 'pending' AND d.state = 'escalated' AND d.escalated_at = %(now)s
    """,
    """
    INSERT INTO django_fsm_log_statelog
        (timestamp, by_id, source_state, state, transition, content_type_id, object_id, description)
    SELECT %(now)s, %(by)s, 'open', 'escalated', 'escalate_overdue', %(ct)s, id,
           'No agreement within the time allowed'
    FROM arbitration_dispute WHERE state = 'escalated' AND escalated_at = %(now)s
    """,
    """
    INSERT INTO marketplace_notification (recipient_id, event, context, created_at, attempts, last_error)
    SELECT CASE r.role WHEN 'buyer' THEN d.buyer_id ELSE d.seller_id END, 'dispute_escalated',
           jsonb_build_object('order_id', o.id, 'order_number', o.number, 'item_title', o.item_title,
                              'amount', o.amount::text, 'currency', o.currency,
                              'protection_deadline', o.protection_deadline, 'dispute_id', d.id,
                              'decision_due', d.deadline_at, 'role', r.role),
           %(now)s, 0, ''
    FROM arbitration_dispute d
    JOIN marketplace_order o ON o.id = d.order_id
    CROSS JOIN (VALUES ('buyer'), ('seller')) AS r(role)
    WHERE d.state = 'escalated' AND d.escalated_at = %(now)s
    """,
]

RELEASE_SQL = [
    """
    UPDATE marketplace_extensionrequest SET status = 'lapsed', answered_at = %(now)s, answered_by_id = %(by)s
    WHERE status = 'pending' AND order_id IN (
        SELECT id FROM marketplace_order
        WHERE state IN ('shipped', 'delivered') AND protection_deadline <= %(now)s)
    """,
    """
    UPDATE marketplace_order
    SET state = 'completed', confirmed_at = %(now)s, completed_at = %(now)s,
        dispute_deadline = protection_deadline
    WHERE state IN ('shipped', 'delivered') AND protection_deadline <= %(now)s
    """,
    """
    UPDATE marketplace_escrowhold e SET released = e.held - e.refunded, settled_at = %(now)s
    FROM marketplace_order o WHERE o.id = e.order_id AND o.completed_at = %(now)s
    """,
    """
    INSERT INTO marketplace_ledgerentry
        (order_id, kind, source, amount, currency, party_id, actor_id, reason, idempotency_key, created_at)
    SELECT o.id, 'release', 'escrow', e.released, o.currency, o.seller_id, %(by)s,
           'Dispute deadline passed without a dispute', 'order:' || o.id || ':release', %(now)s
    FROM marketplace_order o JOIN marketplace_escrowhold e ON e.order_id = o.id
    WHERE o.completed_at = %(now)s
    """,
    """
    INSERT INTO django_fsm_log_statelog
        (timestamp, by_id, source_state, state, transition, content_type_id, object_id, description)
    SELECT %(now)s, %(by)s, t.source, t.target, t.name, %(ct)s, o.id, t.note
    FROM marketplace_order o
    CROSS JOIN (VALUES
        ('shipped', 'confirmed', 'confirm_receipt', 'Confirmed automatically: buyer protection ended'),
        ('confirmed', 'completed', 'complete', 'Escrow released to the seller')
    ) AS t(source, target, name, note)
    WHERE o.completed_at = %(now)s
    """,
]


def _in_sql(statements: list[str], params: dict) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)


def escalate_in_sql(now) -> None:
    """What escalating every due dispute writes (dispute_escalate_overdue + _escalated + notify)."""
    _in_sql(
        ESCALATE_SQL,
        {
            "now": now,
            "due": now + timedelta(days=settings.ARBITER_DECISION_DAYS),
            "by": scheduler_user().pk,
            "ct": ContentType.objects.get_for_model(Dispute).pk,
        },
    )


def release_in_sql(now) -> None:
    """What releasing every due order writes (order_release_if_due: confirm, release, complete)."""
    _in_sql(
        RELEASE_SQL,
        {"now": now, "by": scheduler_user().pk, "ct": ContentType.objects.get_for_model(Order).pk},
    )


# --- Scenarios -------------------------------------------------------------------------------


@dataclass
class Scenario:
    title: str
    job: str
    make_due: object
    in_sql: object
    unit: str


SCENARIOS = [
    Scenario(
        "Escalation of disputes past ESCALATION_AFTER_DAYS (R-DSP-6)",
        "escalate_disputes",
        bulk.disputes_due_for_escalation,
        escalate_in_sql,
        "disputes",
    ),
    Scenario(
        "Escrow release of orders past their dispute deadline (R-PRT-3, R-ESC-4)",
        "release_escrow",
        bulk.orders_due_for_release,
        release_in_sql,
        "orders",
    ),
]


def _workers(job: str, count: int) -> tuple[float, list[dict]]:
    """Run ``job`` in ``count`` worker processes at once (like Celery workers given the same beat
    tick: each loops run_job until nothing is due); wall time from the common start signal."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "BENCH_WORKER": job}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:  # each prints "ready" once Django is set up and connected
        assert proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = [json.loads(proc.stdout.readline()) for proc in procs]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.wait(60)
    return wall, reports


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def worker(job: str) -> None:
    """One worker process: wait for "go", sweep until nothing is due, report what it did."""
    connection.ensure_connection()
    # A Celery worker has imported its tasks (and run Django's checks) when it started; without
    # this the first queued email pays for it inside the measured sweep (0.3 s here).
    from celery import current_app

    current_app.loader.import_default_modules()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("ready", flush=True)
    sys.stdin.readline()
    before = _now()
    moved = 0
    while True:
        result = run_job(job)
        moved += result.moved
        if not result.stopped_reason:
            break
    spent = _now() - before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "moved": moved,
                "wall": spent.wall,
                "cpu": spent.worker_cpu,
                "db_cpu": spent.db_cpu,
                "rss_growth_mb": (peak - base_rss) / 1024,
            }
        ),
        flush=True,
    )


def run(scenario: Scenario, n: int, profile: int, million: bool) -> None:
    print(f"\n== {scenario.title}: {n:,} {scenario.unit} ==")
    buyer, seller = bulk.people("bench")

    def make(count: int) -> None:
        started = time.perf_counter()
        scenario.make_due(count, buyer=buyer, seller=seller)
        _vacuum()
        print(f"setup: {count:,} due {scenario.unit} written in {time.perf_counter() - started:.1f}s")

    # A database in use: the history tables have rows and statistics. Swept while still empty and
    # VACUUMed, they make every backend cache a sequential-scan plan for the chain trigger's lookup
    # (right for an empty table, quadratic as it fills) until autovacuum analyses them again.
    warm = min(n, 2000)
    make(warm)
    _workers(scenario.job, 1)
    _vacuum()
    print(f"warm-up: {warm:,} {scenario.unit} swept first, so no table is measured empty")

    make(n)
    wall, [one] = _workers(scenario.job, 1)
    assert one["moved"] == n, f"moved {one['moved']} of {n}"

    make(n)
    connection.close()  # a new backend, with no plan cached while a table was small
    before = _now()
    scenario.in_sql(timezone.now())
    bare = _now() - before

    make(n)
    wall2, two = _workers(scenario.job, 2)
    assert sum(r["moved"] for r in two) == n, f"moved {[r['moved'] for r in two]} of {n}"

    rate, rate2 = n / wall, n / wall2
    ratio, scale = wall / bare.wall, rate2 / rate
    print(
        f"one worker:   {wall:7.2f}s  {rate:8,.0f} {scenario.unit}/s   "
        f"[target >= {TARGET_PER_SECOND:,}/s: {'met' if rate >= TARGET_PER_SECOND else 'MISSED'}]"
    )
    print(
        f"  CPU: worker {one['cpu']:.2f}s, its database backend {one['db_cpu']:.2f}s "
        f"({1000 * (one['cpu'] + one['db_cpu']) / n:.3f} ms CPU per item); "
        f"peak memory growth {one['rss_growth_mb']:.1f} MB"
    )
    print(
        f"bare SQL (the same writes, one statement each): {bare.wall:7.2f}s  {n / bare.wall:8,.0f}/s  "
        f"(database CPU {bare.db_cpu:.2f}s)"
    )
    print(
        f"one worker / bare SQL: {ratio:.1f}x   "
        f"[target <= {TARGET_RATIO:.0f}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'}]"
    )
    split = ", ".join(
        f"worker {k + 1}: {r['moved']:,} moved, CPU {r['cpu']:.2f}s + database {r['db_cpu']:.2f}s"
        for k, r in enumerate(two)
    )
    print(
        f"two workers:  {wall2:7.2f}s  {rate2:8,.0f} {scenario.unit}/s = {scale:.2f}x one worker   "
        f"[target >= {TARGET_SCALE}x: {'met' if scale >= TARGET_SCALE else 'MISSED'}]"
    )
    print(f"  {split}; {os.cpu_count()} CPUs shared with PostgreSQL")
    if million:
        make(1_000_000)
        wall_m, [big] = _workers(scenario.job, 1)
        print(
            f"1,000,000 due {scenario.unit}, one worker: {wall_m:.1f}s ({1_000_000 / wall_m:,.0f}/s), "
            f"peak memory growth {big['rss_growth_mb']:.1f} MB (flat: batches of {settings.JOB_BATCH_SIZE})"
        )
    if profile:
        scenario.make_due(profile, buyer=buyer, seller=seller)
        profiler = cProfile.Profile()
        profiler.enable()
        run_job(scenario.job)
        profiler.disable()
        print(f"profile of {profile:,} items, top functions by own time:")
        stats = pstats.Stats(profiler).sort_stats("tottime")
        stats.print_stats(15)
        if os.environ.get("BENCH_CALLERS"):  # e.g. BENCH_CALLERS=sub: who calls the hot spots
            stats.print_callers(os.environ["BENCH_CALLERS"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--disputes", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--profile", type=int, default=0, help="also profile a sweep of this many items")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--million", action="store_true", help="also sweep 1,000,000 due rows (memory)")
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("bench/sweeps.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_bench"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"database {name} (PostgreSQL {connection.pg_version // 10000}); {os.cpu_count()} CPUs, "
            f"load average {load}; batch {settings.JOB_BATCH_SIZE}, "
            f"synchronous_commit off in sweeps: {settings.JOB_ASYNC_COMMIT}"
        )
        print(
            f"CPU speed: sum(range(1000)) takes {_calibrate():.1f} µs here "
            "(about 5-8 µs on an idle modern core)"
        )
        for scenario, n in zip(SCENARIOS, (args.disputes, args.orders), strict=True):
            if n:
                run(scenario, n, args.profile, args.million)
        print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    if os.environ.get("BENCH_WORKER"):
        worker(os.environ["BENCH_WORKER"])
    else:
        main()
