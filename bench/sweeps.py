"""Benchmark: the scheduler's sweeps against bare SQL doing the same writes (issue 5, R-JOB-2).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arb_helper_sched python bench/sweeps.py
    python bench/sweeps.py --disputes 100000 --orders 100000 --profile 2000

For each sweep it prints:

- the sweep's throughput with one worker (items/s of wall-clock time): ``run_job`` exactly as
  Celery runs it — each item locked with SKIP LOCKED and moved in its own transaction by the
  same service a person uses, audit rows, ledger rows and notification rows included;
- the same figure per CPU-second of the worker process and of its PostgreSQL backend (on a
  shared machine the wall clock also counts other people's processes; CPU time does not);
- bare SQL doing the same writes in one statement each, in one transaction, on an equal
  second set of due rows, and the sweep's time as a multiple of it.

Targets (issue 5): at least 1,000 disputes/s per worker, and at most 5x the bare-SQL time.

The data live in a fresh database, ``<DATABASE_URL's name>_bench``, created with the
migrations and dropped at the end (``--keep`` keeps it). Rows are generated with
``bulk_create`` (tests/scheduler/bulk.py): setup only, services are bypassed. Notification
emails are queued to an in-memory broker and not sent: sending mail is another task.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
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

from arbitration.models import Dispute  # noqa: E402
from marketplace.actors import scheduler_user  # noqa: E402
from marketplace.models import Order  # noqa: E402
from marketplace.scheduling import run_job  # noqa: E402
from tests.scheduler import bulk  # noqa: E402

TARGET_PER_SECOND = 1000
TARGET_RATIO = 5.0


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


def run(scenario: Scenario, n: int, profile: int) -> None:
    print(f"\n== {scenario.title}: {n:,} {scenario.unit} ==")
    buyer, seller = bulk.people("bench")
    started = time.perf_counter()
    scenario.make_due(n, buyer=buyer, seller=seller)
    _vacuum()
    print(
        f"setup: {n:,} due {scenario.unit} written with bulk_create in {time.perf_counter() - started:.1f}s"
    )

    before = _now()
    moved, runs = 0, 0
    while True:  # as beat does: a run that used up its time budget is followed by another
        result = run_job(scenario.job)
        moved, runs = moved + result.moved, runs + 1
        assert result.failed == 0, result.summary()
        if not result.stopped_reason:
            break
    sweep = _now() - before
    assert moved == n, f"moved {moved} of {n}"

    scenario.make_due(n, buyer=buyer, seller=seller)
    _vacuum()
    before = _now()
    scenario.in_sql(timezone.now())
    bare = _now() - before

    rate = n / sweep.wall
    ratio = sweep.wall / bare.wall
    print(
        f"sweep ({scenario.job}, one worker, {runs} run{'s' if runs > 1 else ''}): "
        f"{sweep.wall:8.1f}s  {rate:8,.0f} {scenario.unit}/s"
        f"   [target >= {TARGET_PER_SECOND:,}/s: {'met' if rate >= TARGET_PER_SECOND else 'MISSED'}]"
    )
    print(
        f"  CPU: worker {sweep.worker_cpu:.1f}s ({n / sweep.worker_cpu:,.0f}/s), "
        f"database backend {sweep.db_cpu:.1f}s; per item {1000 * sweep.wall / n:.2f} ms wall, "
        f"{1000 * (sweep.worker_cpu + sweep.db_cpu) / n:.2f} ms CPU"
    )
    print(
        f"bare SQL (same writes, one statement each): {bare.wall:8.2f}s  "
        f"{n / bare.wall:8,.0f} {scenario.unit}/s"
    )
    print(
        f"sweep / bare SQL: {ratio:.1f}x   [target <= {TARGET_RATIO:.0f}x: "
        f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}]"
    )
    if profile:
        scenario.make_due(profile, buyer=buyer, seller=seller)
        profiler = cProfile.Profile()
        profiler.enable()
        run_job(scenario.job)
        profiler.disable()
        print(f"profile of {profile:,} items, top functions by own time:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--disputes", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--profile", type=int, default=0, help="also profile a sweep of this many items")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
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
                run(scenario, n, args.profile)
        print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
