"""Server CPU per request of the buyer's pages, in-process (no gunicorn, no load): "my orders" and
the dispute page, for one buyer with a few hundred orders, on PostgreSQL.

    .venv/bin/python bench/web_cpu.py                    # 200 requests per page, after a warm-up
    .venv/bin/python bench/web_cpu.py --profile          # and the top of a cProfile of each page
    .venv/bin/python bench/web_cpu.py --lang ru          # the pages in Russian

Figures go to stdout (``2> /dev/null`` hides the request log).

What ``bench/load_web.py`` measures under 50 users is mostly this figure times the request rate:
on a shared 2-core machine the in-process CPU per request (``time.process_time``: the Python
process only, not PostgreSQL) is the figure that does not depend on what else runs.

Database ``arb_bench_webcpu`` (``--db``): created, migrated and filled by ``bench/generate.py``
(``--orders``, default 4,000) the first time; then ``--buyer-orders`` orders (and their disputes)
are given to one buyer, who has disputes in several states. Later runs reuse it; ``--reset``
starts over. Production settings: DEBUG off (cached templates), the Redis cache when REDIS_URL
is set. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="arb_bench_webcpu")
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--buyer-orders", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lang", default="en", choices=["en", "ru"])
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of each page")
    parser.add_argument("--reset", action="store_true", help="drop the database and fill it again")
    return parser.parse_args()


def psql(sql: str, db: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def prepare(args: argparse.Namespace, env: dict) -> None:
    if args.reset:
        psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'"):
        psql(f'CREATE DATABASE "{args.db}"')
    if psql("SELECT to_regclass('marketplace_order') IS NOT NULL", args.db) != "t" or not int(
        psql("SELECT count(*) FROM marketplace_order", args.db)
    ):
        sys.stderr.write(f"{args.db}: migrating and generating {args.orders:,} orders …\n")
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [PYTHON, "bench/generate.py", "--orders", str(args.orders)],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        psql("ANALYZE", args.db)


def the_buyer(buyer_orders: int):
    """The buyer with a dispute in the most states, given ``buyer_orders`` orders in all."""
    from django.db import connection, transaction

    from arbitration.models import Dispute
    from marketplace.models import Order

    buyer_id = (
        Dispute.objects.filter(buyer__username__startswith="bench-buyer-")
        .order_by("buyer_id")
        .values_list("buyer_id", flat=True)
        .first()
    )
    have = Order.objects.filter(buyer_id=buyer_id).count()
    if have < buyer_orders:
        with transaction.atomic(), connection.cursor() as cursor:
            # Other buyers' orders (and their disputes) become this buyer's: one person's list.
            cursor.execute(
                "WITH moved AS (UPDATE marketplace_order SET buyer_id = %s WHERE id IN ("
                " SELECT id FROM marketplace_order WHERE buyer_id <> %s AND seller_id <> %s"
                " ORDER BY id LIMIT %s) RETURNING id)"
                " UPDATE arbitration_dispute SET buyer_id = %s WHERE order_id IN (SELECT id FROM moved)",
                [buyer_id, buyer_id, buyer_id, buyer_orders - have, buyer_id],
            )
    dispute = (
        Dispute.objects.filter(buyer_id=buyer_id, state=Dispute.State.OPEN).order_by("-opened_at").first()
        or Dispute.objects.filter(buyer_id=buyer_id).order_by("-opened_at").first()
    )
    return buyer_id, dispute


def measure(client, url: str, n: int, expect: str) -> tuple[float, float, int]:
    """Mean and median CPU ms of one request (after 20 warm-up requests) and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(20):
        response = client.get(url)
        ok = response.status_code == 200 and expect in response.content.decode()
        assert ok, (url, response.status_code)
    times = []
    for _ in range(n):
        start = time.process_time()
        client.get(url)
        times.append((time.process_time() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return statistics.mean(times), statistics.median(times), len(captured)


def profile(client, url: str, n: int) -> str:
    """The top of a cProfile of ``n`` requests, timed in this process's CPU time (the figure this
    script measures): a query's wait for PostgreSQL counts only for what Python does around it."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    calls = {
        "template variable lookups": ("django/template/base.py", "_resolve_lookup"),
        "translation calls (gettext)": ("django/utils/translation/trans_real.py", "gettext"),
        "template nodes rendered": ("django/template/base.py", "render_annotated"),
    }
    for label, (path, name) in calls.items():
        total = sum(
            stat[1]
            for (file, _line, func), stat in stats.stats.items()
            if file.endswith(path) and func == name
        )
        out.write(f"  {label}: {total / n:.0f} per request\n")
    stats.sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def say(text: str = "") -> None:
    """Figures go to stdout: stderr carries the request log, as in production."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    args = parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    prepare(args, env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from marketplace.models import Order, User

    buyer_id, dispute = the_buyer(args.buyer_orders)
    buyer = User.objects.get(pk=buyer_id)
    User.objects.filter(pk=buyer_id).update(preferred_language=args.lang)
    client = Client(HTTP_ACCEPT_LANGUAGE=args.lang)
    client.force_login(buyer)
    orders = Order.objects.filter(buyer=buyer).count()
    dispute_url = reverse("dispute-detail", args=[dispute.pk])
    pages = [
        (f"my orders (20 rows of {orders})", reverse("order-list"), "<table"),
        (f"dispute page (#{dispute.pk}, {dispute.state})", dispute_url, "<h1"),
    ]
    say(f"\n{args.requests} requests per page, in-process (Django test client), language {args.lang}")
    say(f"{'page':<44} {'cpu ms mean':>11} {'median':>7} {'queries':>8}")
    for label, url, expect in pages:
        mean, median, queries = measure(client, url, args.requests, expect)
        say(f"{label:<44} {mean:>11.2f} {median:>7.2f} {queries:>8}")
    if args.profile:
        for label, url, _expect in pages:
            say(f"\n=== profile: {label}, {args.requests} requests ===")
            say(profile(client, url, args.requests))


if __name__ == "__main__":
    main()
