"""Benchmark: webhook delivery to a local receiver (issue 12, R-API-5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arb_hooks .venv/bin/python bench/webhooks.py
    .venv/bin/python bench/webhooks.py --events 20000 --workers 2

It prints:

- emitting: ``marketplace.events.emit`` as a service calls it, one event per transaction (the
  event row, the payload's people lookup, the endpoint lookup, the delivery row, the after-commit
  task queued to an in-memory broker): events/s;
- delivering: ``run_job("send_webhooks")`` exactly as beat runs it, in ``--workers`` processes at
  once (each claims batches with SKIP LOCKED, signs every POST with ``standardwebhooks``, POSTs
  WEBHOOK_CONCURRENCY at a time over kept-alive connections, records each outcome): events/s from
  the first claim to the last recorded delivery, and the receiver's own count.

The receiver is ``http.server`` in a separate process on 127.0.0.1 that verifies every signature
with ``standardwebhooks.Webhook.verify`` and answers 204; a delivery it did not verify counts as
lost. Target (issue 12): at least 500 events/s.

The data live in a fresh database, ``<DATABASE_URL's name>_bench_hooks``, created with the
migrations and dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # after-commit tasks go nowhere: the sweep sends
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["WEBHOOK_ALLOW_PRIVATE_URLS"] = "true"  # the receiver is on 127.0.0.1

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from marketplace.events import emit, order_payload  # noqa: E402
from marketplace.models import ApiClient, DomainEvent, Order, User, WebhookDelivery  # noqa: E402
from marketplace.scheduling import run_job  # noqa: E402
from marketplace.services import order_pay  # noqa: E402
from marketplace.webhooks.deliveries import deliveries_create  # noqa: E402
from marketplace.webhooks.services import webhook_endpoint_create  # noqa: E402
from tests.webhooks.receiver import Server  # noqa: E402

TARGET_PER_SECOND = 500


# --- The receiver (its own process, so it does not share the sender's CPU time slice) ----------


def _receive(secret: str, port, verified, refused, ready) -> None:
    from standardwebhooks import Webhook

    webhook = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            try:
                webhook.verify(body, dict(self.headers))
            except Exception:
                with refused.get_lock():
                    refused.value += 1
                status = 400
            else:
                with verified.get_lock():
                    verified.value += 1
                status = 204
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    ready.set()
    server.serve_forever()


def _sweep(profile: bool) -> tuple[int, float, float, float]:
    """One worker: ``send_webhooks`` until nothing is left. (delivered, start, end, CPU seconds)"""
    connections.close_all()  # a forked child opens its own connection
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    delivered = 0
    while True:
        result = run_job("send_webhooks")
        delivered += result.moved
        if result.moved == 0 and result.skipped == 0:
            break
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return delivered, started, time.perf_counter(), time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--emit", type=int, default=2_000, help="events emitted one per transaction")
    parser.add_argument("--workers", type=int, default=1, help="sweeping processes at once")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--profile", action="store_true", help="print the first worker's profile")
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("bench/webhooks.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_bench_hooks"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    receiver = None
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"database {name} (PostgreSQL {connection.pg_version // 10000}); {os.cpu_count()} CPUs, "
            f"load average {load}; WEBHOOK_CONCURRENCY {settings.WEBHOOK_CONCURRENCY}, "
            f"batch {settings.JOB_BATCH_SIZE}"
        )
        buyer = User.objects.create_user("bench-buyer", external_id="b-1")
        seller = User.objects.create_user("bench-seller", external_id="s-1")
        order = order_pay(
            buyer=buyer,
            seller=seller,
            item_title="Bench",
            amount="10.00",
            currency="USD",
            payment_method="card",
        )
        client = ApiClient.objects.create(name="Bench marketplace", account="")

        port, verified, refused = (
            multiprocessing.Value("i", 0),
            multiprocessing.Value("i", 0),
            multiprocessing.Value("i", 0),
        )
        ready = multiprocessing.Event()
        endpoint, secret = webhook_endpoint_create(client=client, url="http://127.0.0.1:1/placeholder")
        receiver = multiprocessing.Process(
            target=_receive, args=(secret, port, verified, refused, ready), daemon=True
        )
        receiver.start()
        ready.wait(10)
        endpoint.url = f"http://127.0.0.1:{port.value}/hooks"
        endpoint.save(update_fields=["url"])

        # Emitting, as the services do: one event per transaction.
        data = order_payload(Order.objects.get(pk=order.pk))
        started = time.perf_counter()
        for _ in range(args.emit):
            with transaction.atomic():
                emit("order.shipped", order=order, data=order_payload(order))
        emitting = time.perf_counter() - started
        print(
            f"\nemit (one event per transaction, 1 endpoint): {args.emit:,} events in {emitting:.2f}s = "
            f"{args.emit / emitting:,.0f} events/s ({1000 * emitting / args.emit:.2f} ms each)"
        )

        # The rest of the backlog, written at once (setup, not measured).
        remaining = args.events - DomainEvent.objects.count()
        DomainEvent.objects.bulk_create(
            [
                DomainEvent(type="order.shipped", account="", order=order, data=data)
                for _ in range(max(0, remaining))
            ],
            batch_size=2000,
        )
        events = list(DomainEvent.objects.filter(deliveries__isnull=True))
        with transaction.atomic():
            deliveries_create(events)
        total = WebhookDelivery.objects.count()
        connections.close_all()

        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            outcomes = pool.map(_sweep, [args.profile] + [False] * (args.workers - 1))
        delivered = sum(outcome[0] for outcome in outcomes)
        wall = max(outcome[2] for outcome in outcomes) - min(outcome[1] for outcome in outcomes)
        cpu = sum(outcome[3] for outcome in outcomes)
        rate = delivered / wall
        left = WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.SUCCEEDED).count()
        print(
            f"deliver (send_webhooks, {args.workers} worker{'s' if args.workers > 1 else ''}): "
            f"{delivered:,} of {total:,} events in {wall:.2f}s = {rate:,.0f} events/s"
            f"   [target >= {TARGET_PER_SECOND}/s: {'met' if rate >= TARGET_PER_SECOND else 'MISSED'}]"
        )
        print(
            f"  CPU: workers {cpu:.1f}s = {delivered / cpu:,.0f} events per CPU-second of the sender "
            f"(its database backend and the receiver use the other core)"
        )
        print(
            f"receiver: {verified.value:,} signatures verified with standardwebhooks, "
            f"{refused.value} refused; deliveries not delivered: {left}"
        )
        print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if receiver is not None:
            receiver.terminate()
        connections.close_all()
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
