"""Benchmark: the integration API under gunicorn + PostgreSQL (issue 12, R-API-2, R-API-4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arb_api .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --orders 2000 --events 20000 --reads 4000 --workers 4 --port 8320

One run prints each figure beside its target, and a baseline measured in the same run:

- order create + pay: ``POST /orders`` (the paid order, escrow held, its events) from
  ``--clients`` concurrent HTTP clients: orders/s (target >= 300/s). Baseline: ``order_pay``
  called in this process, one connection, no HTTP: orders/s.
- tracking events: ``POST /tracking-events`` in batches of ``--batch`` (each event applied or
  refused on its own): events/s (target >= 2,000/s). Baseline: the same rows written with one
  bare ``INSERT`` per batch (``bulk_create``), no rules: events/s.
- dispute read: ``GET /disputes/{id}`` (claim, offers, messages, evidence, deadlines,
  ``allowed_actions`` per party) from 20 concurrent clients: p50 / p95 / p99 in ms (target p95 <=
  50 ms). Baseline: ``dispute_detail_out`` in this process, no HTTP: p95.

Clients are threads with kept-alive connections (``requests.Session``); they share the machine
with gunicorn and PostgreSQL, so the load average is printed. The data live in a fresh database,
``<DATABASE_URL's name>_bench_api``, created with the migrations and dropped at the end
(``--keep`` keeps it). gunicorn listens on 127.0.0.1:``--port`` and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # after-commit work goes nowhere
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from arbitration import services as arbitration  # noqa: E402
from arbitration.api.reads import dispute_detail_out, disputes_of  # noqa: E402
from marketplace.actors import scheduler_user  # noqa: E402
from marketplace.models import ApiClient, Order, Scope, Shipment, TrackingEvent, User  # noqa: E402
from marketplace.services import order_pay, order_ship  # noqa: E402
from marketplace.services.clients import api_key_issue  # noqa: E402

TARGET_ORDERS = 300
TARGET_EVENTS = 2000
TARGET_READ_P95_MS = 50
READ_CLIENTS = 20


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Http:
    """One kept-alive session per thread, with the key."""

    def __init__(self, base: str, key: str, clients: int) -> None:
        self.base, self.key = base, key
        self.pool = ThreadPoolExecutor(max_workers=clients)
        self._local = __import__("threading").local()

    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self.key}"
        return session

    def call(self, method: str, path: str, body=None) -> tuple[int, float]:
        started = time.perf_counter()
        response = self.session().request(method, self.base + path, json=body, timeout=120)
        elapsed = time.perf_counter() - started
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.status_code, elapsed

    def run(self, calls: list[tuple[str, str, object]]) -> tuple[float, list[float]]:
        """All ``calls`` spread over the clients; (wall seconds, each call's latency)."""
        started = time.perf_counter()
        results = list(self.pool.map(lambda call: self.call(*call), calls))
        return time.perf_counter() - started, [elapsed for _status, elapsed in results]


def start_gunicorn(database: str, port: int, workers: int) -> subprocess.Popen:
    url = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{url['USER']}@{url['HOST']}:{url['PORT']}/{database}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=30).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--baseline-orders", type=int, default=500)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=4000)
    parser.add_argument("--disputes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the writes")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8320)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("bench/api.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_bench_api"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    server = None
    try:
        print(
            f"database {name} (PostgreSQL {connection.pg_version // 10000}); {os.cpu_count()} CPUs, "
            f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; gunicorn {args.workers} "
            f"workers; {args.clients} clients for writes, {READ_CLIENTS} for reads"
        )
        client = ApiClient.objects.create(
            name="Bench marketplace", account="bench", scopes=list(Scope.values), rate_limit_per_minute=10**9
        )
        _key, key = api_key_issue(client=client)
        buyer = User.objects.create_user(
            "bench-buyer", account="bench", external_id="b-1", first_name="Boris"
        )
        seller = User.objects.create_user(
            "bench-seller", account="bench", external_id="s-1", return_address="12 Warehouse Road"
        )
        connections.close_all()
        server = start_gunicorn(name, args.port, args.workers)
        http = Http(f"http://127.0.0.1:{args.port}/api/v1", key, args.clients)

        # --- Order create + pay --------------------------------------------------------------
        def order_body(n: int) -> dict:
            return {
                "external_id": f"O-{n}",
                "buyer": "b-1",
                "seller": "s-1",
                "item_title": "Power bank 20000 mAh",
                "amount": "100.00",
                "currency": "USD",
                "payment_method": "Visa •••• 4242",
            }

        http.run([("post", "/orders", order_body(-n)) for n in range(1, 2 * args.clients + 1)])  # warm up
        wall, _latencies = http.run([("post", "/orders", order_body(n)) for n in range(args.orders)])
        rate = args.orders / wall
        started = time.perf_counter()
        for _ in range(args.baseline_orders):
            order_pay(
                buyer=buyer,
                seller=seller,
                item_title="Power bank 20000 mAh",
                amount=Decimal("100.00"),
                currency="USD",
                payment_method="Visa •••• 4242",
            )
        baseline = args.baseline_orders / (time.perf_counter() - started)
        print(
            f"\norder create + pay (POST /orders): {args.orders:,} in {wall:.2f}s = {rate:,.0f} orders/s"
            f"   [target >= {TARGET_ORDERS}/s: {verdict(rate >= TARGET_ORDERS)}]"
        )
        print(f"  baseline: order_pay in-process, one connection, no HTTP: {baseline:,.0f} orders/s")

        # --- Tracking events in batches ------------------------------------------------------
        orders = list(Order.objects.filter(account="bench", external_id__startswith="O-").order_by("pk"))
        for order in orders:
            order_ship(order=order, actor=seller, carrier="China Post", tracking_number=f"RR{order.pk:09d}CN")
        start = timezone.now() - timedelta(days=1)
        items = [
            {
                "order": str(orders[n % len(orders)].pk),
                "status": "in_transit",
                "occurred_at": (start + timedelta(seconds=n)).isoformat(),
                "location": "Sorting centre",
            }
            for n in range(args.events)
        ]
        batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
        before = TrackingEvent.objects.count()
        wall, _latencies = http.run([("post", "/tracking-events", {"events": batch}) for batch in batches])
        recorded = TrackingEvent.objects.count() - before
        rate = args.events / wall
        shipments = dict(Shipment.objects.filter(order__in=orders).values_list("order_id", "pk"))
        actor = scheduler_user()
        started = time.perf_counter()
        for batch in batches:
            TrackingEvent.objects.bulk_create(
                [
                    TrackingEvent(
                        shipment_id=shipments[int(item["order"])],
                        status=item["status"],
                        occurred_at=start + timedelta(days=2, seconds=n),
                        location=item["location"],
                        recorded_by=actor,
                    )
                    for n, item in enumerate(batch)
                ]
            )
        bare = args.events / (time.perf_counter() - started)
        print(
            f"\ntracking events (POST /tracking-events, {args.batch:,} a batch): {args.events:,} in "
            f"{wall:.2f}s = {rate:,.0f} events/s   [target >= {TARGET_EVENTS:,}/s: "
            f"{verdict(rate >= TARGET_EVENTS)}]   ({recorded:,} recorded)"
        )
        print(f"  baseline: the same rows by bare INSERT (bulk_create), no rules: {bare:,.0f} events/s")

        # --- Dispute reads --------------------------------------------------------------------
        disputed = orders[: args.disputes]
        for n, order in enumerate(disputed):
            dispute = arbitration.dispute_open(
                order=order,
                actor=buyer,
                reason="not_as_described",
                resolution="full_refund" if n % 2 else "partial_refund",
                requested_amount=None if n % 2 else "30.00",
                description="It holds 5000 mAh, not 20000.",
            )
            arbitration.dispute_post_message(dispute=dispute, actor=seller, body="Please send a photo.")
            if n % 3 == 0:
                arbitration.dispute_make_offer(
                    dispute=dispute, actor=seller, kind="partial_refund", amount="20.00"
                )
        ids = list(disputes_of(client).values_list("pk", flat=True))
        reader = Http(f"http://127.0.0.1:{args.port}/api/v1", key, READ_CLIENTS)
        reader.run(
            [("get", f"/disputes/{ids[n % len(ids)]}", None) for n in range(2 * READ_CLIENTS)]
        )  # warm up
        wall, latencies = reader.run(
            [("get", f"/disputes/{ids[n % len(ids)]}", None) for n in range(args.reads)]
        )
        ms = [1000 * value for value in latencies]
        p95 = percentile(ms, 95)
        inprocess = []
        for pk in ids[:200]:
            started = time.perf_counter()
            dispute_detail_out(disputes_of(client).select_related("buyer", "seller").get(pk=pk))
            inprocess.append(1000 * (time.perf_counter() - started))
        print(
            f"\ndispute read (GET /disputes/{{id}}, {READ_CLIENTS} clients): {args.reads:,} in {wall:.2f}s = "
            f"{args.reads / wall:,.0f}/s; p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms   [target p95 <= {TARGET_READ_P95_MS} ms: "
            f"{verdict(p95 <= TARGET_READ_P95_MS)}]"
        )
        print(
            f"  baseline: dispute_detail_out in-process, no HTTP: p50 {statistics.median(inprocess):.1f} ms, "
            f"p95 {percentile(inprocess, 95):.1f} ms"
        )
        print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        connections.close_all()
        if not args.keep:
            # gunicorn's workers may still be closing their connections: wait, then drop.
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
