"""Generate a large, consistent data set on PostgreSQL for the benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arb_bench python bench/generate.py --orders 1000000

Creates buyers and sellers, N orders in realistic proportions of every money state, their
escrow holds, ledger entries, shipments, and disputes (``--dispute-rate``, default 20%) in every
dispute state, with refunds for the closed ones. Rows go in with COPY, so a million orders take
a few minutes; the data satisfies every constraint and the reconciliation check
(``--check`` runs it at the end). The database must be migrated (``manage.py migrate``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402

ORDER_STATES = [  # (state, weight) for orders without a dispute
    ("paid", 8),
    ("shipped", 30),
    ("delivered", 17),
    ("confirmed", 10),
    ("completed", 35),
]
DISPUTE_STATES = [
    ("open", 30),
    ("escalated", 10),
    ("under_review", 5),
    ("awaiting_return", 3),
    ("return_in_transit", 2),
    ("closed", 50),
]
REASONS = [
    "not_received",
    "not_as_described",
    "damaged",
    "counterfeit",
    "wrong_item",
    "missing_parts",
    "unsafe",
]
ITEMS = [
    "Bluetooth headphones",
    "Phone case",
    "LED lamp",
    "Winter jacket",
    "Power bank",
    "Smartwatch",
    "Kitchen scale",
    "Robot vacuum",
    "Camping tent",
    "Hair dryer",
    "Keyboard",
    "USB cable",
]


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.done % 20000 == 0 or self.done == self.total:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            rate = self.done / max(time.monotonic() - self.started, 1e-9)
            sys.stderr.write(
                f"\r{self.label:<10} [{'#' * filled}{'.' * (width - filled)}] "
                f"{self.done:>9,}/{self.total:,} {rate:>9,.0f}/s"
            )
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def reset_sequences(cursor, tables: list[str]) -> None:
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def generate(orders: int, dispute_rate: float, seed: int) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("bench/generate.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    rng = random.Random(seed)
    now = datetime.now(UTC)
    n_buyers, n_sellers = max(10, orders // 20), max(5, orders // 200)
    password = make_password(None)
    with connection.cursor() as cur:
        raw = cur.connection  # psycopg connection, for COPY
        user0 = next_id(cur, "marketplace_user")
        cur.execute("SELECT id FROM marketplace_user WHERE username = 'scheduler'")
        row = cur.fetchone()
        scheduler_id = row[0] if row else None
        cur.execute(
            "SELECT u.id FROM marketplace_user u JOIN marketplace_user_groups ug ON ug.user_id = u.id "
            "JOIN auth_group g ON g.id = ug.group_id WHERE g.name = 'Arbiters' LIMIT 1"
        )
        row = cur.fetchone()
        arbiter_id = row[0] if row else None

        users = Progress("users", n_buyers + n_sellers + 2)
        with raw.cursor().copy(
            "COPY marketplace_user (id, password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined, preferred_language, is_system, return_address) FROM STDIN"
        ) as copy:
            for i in range(n_buyers):
                copy.write_row(
                    (
                        user0 + i,
                        password,
                        False,
                        f"bench-buyer-{user0 + i}",
                        "Buyer",
                        str(i),
                        f"b{user0 + i}@bench.example",
                        False,
                        True,
                        now,
                        rng.choice(["en", "ru"]),
                        False,
                        "",
                    )
                )
                users.step()
            for j in range(n_sellers):
                uid = user0 + n_buyers + j
                copy.write_row(
                    (
                        uid,
                        password,
                        False,
                        f"bench-seller-{uid}",
                        "Seller",
                        str(j),
                        f"s{uid}@bench.example",
                        False,
                        True,
                        now,
                        "en",
                        False,
                        f"Seller {j}, 1 Warehouse Road, Shenzhen",
                    )
                )
                users.step()
            extra = user0 + n_buyers + n_sellers
            if scheduler_id is None:
                scheduler_id = extra
                copy.write_row(
                    (
                        extra,
                        password,
                        False,
                        "scheduler",
                        "Scheduler",
                        "",
                        "",
                        False,
                        False,
                        now,
                        "en",
                        True,
                        "",
                    )
                )
            if arbiter_id is None:
                arbiter_id = extra + 1
                copy.write_row(
                    (
                        extra + 1,
                        password,
                        False,
                        f"bench-arbiter-{extra + 1}",
                        "Bench",
                        "Arbiter",
                        "",
                        True,
                        True,
                        now,
                        "en",
                        False,
                        "",
                    )
                )
            users.step(2)
        buyers = range(user0, user0 + n_buyers)
        sellers = range(user0 + n_buyers, user0 + n_buyers + n_sellers)

        order0 = next_id(cur, "marketplace_order")
        escrow0 = next_id(cur, "marketplace_escrowhold")
        ledger0 = next_id(cur, "marketplace_ledgerentry")
        ship0 = next_id(cur, "marketplace_shipment")
        dispute0 = next_id(cur, "arbitration_dispute")
        claim0 = next_id(cur, "arbitration_claimversion")
        refund0 = next_id(cur, "marketplace_refund")
        return0 = next_id(cur, "arbitration_returnshipment")
        decision0 = next_id(cur, "arbitration_decision")
        return_rows: list[tuple] = []
        decision_rows: list[tuple] = []

        orders_rows, escrow_rows, ledger_rows, ship_rows = [], [], [], []
        dispute_rows, claim_rows, refund_rows = [], [], []
        ledger_id, dispute_id, refund_id = ledger0, dispute0, refund0
        protection = timedelta(days=settings.BUYER_PROTECTION_DAYS)
        progress = Progress("orders", orders)
        for k in range(orders):
            oid = order0 + k
            buyer, seller = rng.choice(buyers), rng.choice(sellers)
            amount = Decimal(rng.randint(199, 49999)) / 100
            currency = rng.choice(["USD", "USD", "EUR", "RUB"])
            disputed = rng.random() < dispute_rate
            paid_at = now - timedelta(days=rng.uniform(1, 55), seconds=rng.randint(0, 86400))
            shipped_at = delivered_at = confirmed_at = completed_at = None
            protection_deadline = dispute_deadline = None
            if disputed:
                d_state = rng.choices([s for s, _ in DISPUTE_STATES], [w for _, w in DISPUTE_STATES])[0]
                state = "completed" if d_state == "closed" else "disputed"
            else:
                d_state = None
                state = rng.choices([s for s, _ in ORDER_STATES], [w for _, w in ORDER_STATES])[0]
                if state == "completed":
                    paid_at = now - timedelta(days=rng.uniform(25, 115))
            if state != "paid":
                shipped_at = paid_at + timedelta(days=rng.uniform(0.5, 4))
                protection_deadline = shipped_at + protection
                dispute_deadline = protection_deadline
            if state == "delivered" or (state in ("confirmed", "completed") and rng.random() < 0.7):
                delivered_at = shipped_at + timedelta(days=rng.uniform(5, 25))
            if state in ("confirmed",) or (state == "completed" and not disputed):
                confirmed_at = min((delivered_at or shipped_at) + timedelta(days=1), now - timedelta(hours=1))
                dispute_deadline = min(
                    protection_deadline,
                    confirmed_at + timedelta(days=settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS),
                )
                if state == "completed":
                    confirmed_at = now - timedelta(days=settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS + 2)
                    dispute_deadline = confirmed_at + timedelta(
                        days=settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS
                    )
                    protection_deadline = max(protection_deadline, dispute_deadline)
            if state == "completed":
                completed_at = (dispute_deadline or now) + timedelta(minutes=1)
            orders_rows.append(
                (
                    oid,
                    f"B{oid:011d}",
                    buyer,
                    seller,
                    rng.choice(ITEMS),
                    amount,
                    currency,
                    f"Visa •••• {rng.randint(1000, 9999)}",
                    state,
                    paid_at,
                    shipped_at,
                    delivered_at,
                    confirmed_at,
                    completed_at,
                    protection_deadline,
                    dispute_deadline,
                )
            )
            released = refunded = Decimal("0")
            ledger_rows.append(
                (
                    ledger_id,
                    oid,
                    "hold",
                    "buyer_payment",
                    amount,
                    currency,
                    buyer,
                    None,
                    buyer,
                    "Payment held in escrow",
                    f"order:{oid}:hold",
                    paid_at,
                )
            )
            ledger_id += 1
            if shipped_at:
                ship_rows.append((ship0 + len(ship_rows), oid, "China Post", f"LP{oid:09d}CN", shipped_at))
            if disputed:
                opened = shipped_at + timedelta(days=rng.uniform(3, 20))
                opened = min(opened, now - timedelta(hours=rng.uniform(1, 200)))
                deadline, escalated_at, assigned, outcome, closed_at, ref = None, None, None, "", None, None
                if d_state == "open":
                    deadline = opened + timedelta(days=settings.ESCALATION_AFTER_DAYS)
                elif d_state in ("escalated", "under_review"):
                    escalated_at = opened + timedelta(days=settings.ESCALATION_AFTER_DAYS)
                    escalated_at = min(escalated_at, now - timedelta(minutes=5))
                    deadline = escalated_at + timedelta(days=settings.ARBITER_DECISION_DAYS)
                    assigned = arbiter_id if d_state == "under_review" else None
                elif d_state in ("awaiting_return", "return_in_transit"):
                    # A return agreed with the seller: the row the return's jobs and pages need
                    # (R-RET-1, R-RET-2); in transit once the buyer shipped it.
                    deadline = now + timedelta(days=rng.uniform(1, 10))
                    agreed = max(
                        opened, min(opened + timedelta(days=rng.uniform(0.5, 3)), now - timedelta(hours=2))
                    )
                    sent = agreed + (now - agreed) / 2 if d_state == "return_in_transit" else None
                    return_rows.append(
                        (
                            return0 + len(return_rows),
                            dispute_id,
                            "Generated seller, returns desk, 1 Warehouse Road",
                            amount,
                            agreed,
                            None,
                            "China Post" if sent else "",
                            f"RR{dispute_id:09d}CN" if sent else "",
                            sent,
                            "",
                            "",
                            None,
                        )
                    )
                else:
                    closed_at = min(opened + timedelta(days=rng.uniform(1, 6)), now - timedelta(minutes=1))
                    if rng.random() < 0.6:
                        outcome, refunded = "seller_accepted", amount
                        ref = refund_id
                        refund_rows.append(
                            (
                                refund_id,
                                oid,
                                amount,
                                currency,
                                "escrow",
                                orders_rows[-1][7],
                                "completed",
                                f"dispute:{dispute_id}:resolution",
                                "The seller accepted the buyer's claim",
                                seller,
                                closed_at,
                                closed_at + timedelta(days=settings.REFUND_DEADLINE_DAYS),
                                0,
                                f"SIM-{refund_id:010d}",
                                False,
                                closed_at,
                                closed_at + timedelta(days=2),
                                "",
                            )
                        )
                        ledger_rows.append(
                            (
                                ledger_id,
                                oid,
                                "refund",
                                "escrow",
                                amount,
                                currency,
                                buyer,
                                refund_id,
                                seller,
                                "The seller accepted the buyer's claim",
                                f"refund:dispute:{dispute_id}:resolution",
                                closed_at,
                            )
                        )
                        refund_id += 1
                    elif arbiter_id is None:  # no arbiter to have decided: the buyer withdrew
                        outcome, released = "withdrawn", amount
                    else:
                        # Rejected in arbitration: escalated, decided, with the decision's row.
                        outcome, released = "decided_rejected", amount
                        escalated_at = opened + (closed_at - opened) / 2
                        assigned = arbiter_id
                        decision_rows.append(
                            (
                                decision0 + len(decision_rows),
                                dispute_id,
                                1,
                                "rejected",
                                Decimal("0"),
                                None,
                                "",
                                "Generated decision: the evidence does not support the claim.",
                                None,
                                "",
                                arbiter_id,
                                closed_at,
                            )
                        )
                        ledger_rows.append(
                            (
                                ledger_id,
                                oid,
                                "release",
                                "escrow",
                                amount,
                                currency,
                                seller,
                                None,
                                arbiter_id if outcome == "decided_rejected" else buyer,
                                "Arbitration decision: Claim rejected"
                                if outcome == "decided_rejected"
                                else "The buyer withdrew the dispute",
                                f"order:{oid}:release",
                                closed_at,
                            )
                        )
                    ledger_id += 1
                    orders_rows[-1] = orders_rows[-1][:13] + (closed_at,) + orders_rows[-1][14:]
                reason = rng.choice(REASONS)
                dispute_rows.append(
                    (
                        dispute_id,
                        oid,
                        buyer,
                        seller,
                        d_state,
                        reason,
                        "full_refund",
                        None,
                        "Generated claim for the benchmark.",
                        opened,
                        deadline,
                        None,
                        "",
                        None,
                        escalated_at,
                        1 if escalated_at else 0,
                        assigned,
                        escalated_at if assigned else None,
                        None,
                        rng.randint(0, 1) if rng.random() < 0.05 else 0,
                        closed_at,
                        outcome,
                        ref,
                    )
                )
                claim_rows.append(
                    (
                        claim0 + len(claim_rows),
                        dispute_id,
                        0,
                        reason,
                        "full_refund",
                        None,
                        "Generated claim for the benchmark.",
                        buyer,
                        opened,
                    )
                )
                dispute_id += 1
            elif state == "completed":
                released = amount
                ledger_rows.append(
                    (
                        ledger_id,
                        oid,
                        "release",
                        "escrow",
                        amount,
                        currency,
                        seller,
                        None,
                        scheduler_id,
                        "Dispute deadline passed without a dispute",
                        f"order:{oid}:release",
                        completed_at,
                    )
                )
                ledger_id += 1
            settled = completed_at if state == "completed" else orders_rows[-1][13]
            escrow_rows.append(
                # resolution_key: the key of escrow_resolve's settlement, kept for its replays;
                # generated disputes were not settled through it, so none is recorded.
                (escrow0 + k, oid, currency, amount, released, refunded, Decimal("0"), paid_at, settled, "")
            )
            progress.step()
            if len(orders_rows) >= 50000 or k == orders - 1:
                _flush(
                    raw,
                    orders_rows,
                    escrow_rows,
                    ledger_rows,
                    ship_rows,
                    dispute_rows,
                    claim_rows,
                    refund_rows,
                    return_rows,
                    decision_rows,
                )
                orders_rows, escrow_rows, ledger_rows, ship_rows = [], [], [], []
                dispute_rows, claim_rows, refund_rows, return_rows, decision_rows = [], [], [], [], []
                ship0 = next_id(cur, "marketplace_shipment")
                claim0 = next_id(cur, "arbitration_claimversion")
                return0 = next_id(cur, "arbitration_returnshipment")
                decision0 = next_id(cur, "arbitration_decision")
        reset_sequences(
            cur,
            [
                "marketplace_user",
                "marketplace_order",
                "marketplace_escrowhold",
                "marketplace_ledgerentry",
                "marketplace_shipment",
                "arbitration_dispute",
                "arbitration_claimversion",
                "marketplace_refund",
                "arbitration_returnshipment",
                "arbitration_decision",
            ],
        )
        sys.stderr.write("analyze…\n")
        cur.execute("ANALYZE")
    print(
        f"created {orders:,} orders, {dispute_id - dispute0:,} disputes, {refund_id - refund0:,} refunds, "
        f"{n_buyers:,} buyers, {n_sellers:,} sellers"
    )


def _flush(
    raw,
    orders_rows,
    escrow_rows,
    ledger_rows,
    ship_rows,
    dispute_rows,
    claim_rows,
    refund_rows,
    return_rows,
    decision_rows,
) -> None:
    tables = [
        (
            "marketplace_order",
            "id, number, buyer_id, seller_id, item_title, amount, currency, payment_method, state, "
            "paid_at, shipped_at, delivered_at, confirmed_at, completed_at, protection_deadline, "
            "dispute_deadline",
            orders_rows,
        ),
        (
            "marketplace_escrowhold",
            "id, order_id, currency, held, released, refunded, refunded_by_seller, created_at, settled_at, "
            "resolution_key",
            escrow_rows,
        ),
        (
            "marketplace_refund",
            "id, order_id, amount, currency, source, destination, state, idempotency_key, reason, "
            "created_by_id, created_at, due_at, attempts, payout_reference, via_gateway, sent_at, "
            "completed_at, failure_reason",
            refund_rows,
        ),
        (
            "marketplace_ledgerentry",
            "id, order_id, kind, source, amount, currency, party_id, refund_id, actor_id, "
            "reason, idempotency_key, created_at",
            ledger_rows,
        ),
        ("marketplace_shipment", "id, order_id, carrier, tracking_number, shipped_at", ship_rows),
        (
            "arbitration_dispute",
            "id, order_id, buyer_id, seller_id, state, reason, resolution, requested_amount, "
            "description, opened_at, deadline_at, seller_rejected_at, "
            "seller_rejection, buyer_declined_offer_at, escalated_at, escalation_count, "
            "assigned_arbiter_id, assigned_at, overdue_flagged_at, solicitation_flags, closed_at, "
            "outcome, refund_id",
            dispute_rows,
        ),
        (
            "arbitration_claimversion",
            "id, dispute_id, number, reason, resolution, requested_amount, description, "
            "created_by_id, created_at",
            claim_rows,
        ),
        (
            "arbitration_returnshipment",
            "id, dispute_id, address, refund_amount, created_at, reminded_at, carrier, tracking_number, "
            "shipped_at, acknowledgement, acknowledgement_note, acknowledged_at",
            return_rows,
        ),
        (
            "arbitration_decision",
            "id, dispute_id, round, outcome, refund_amount, return_deadline, return_address, rationale, "
            "penalty_amount, penalty_reason, decided_by_id, decided_at",
            decision_rows,
        ),
    ]
    with raw.transaction():
        # Setup only: the row-history triggers (R-OPS-2: an event row and its SHA-256 link per row,
        # about half a millisecond each) and the constraint triggers are off for the copy, which
        # satisfies the constraints by construction. With them on, a million orders (five million
        # rows) take most of an hour; what a live write costs with them is bench/sweeps.py's figure.
        # ``LOCAL``: back on when the transaction ends.
        raw.execute("SET LOCAL session_replication_role = replica")
        for table, columns, rows in tables:
            if not rows:
                continue
            with raw.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--dispute-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--check", action="store_true", help="run the ledger reconciliation afterwards")
    args = parser.parse_args()
    started = time.monotonic()
    generate(args.orders, args.dispute_rate, args.seed)
    print(f"generated in {time.monotonic() - started:.1f}s")
    if args.check:
        from marketplace.selectors.reconciliation import ledger_reconcile

        started = time.monotonic()
        result = ledger_reconcile(check_gateway=False)
        print(
            f"reconciliation: {result.orders_checked:,} orders, {len(result.discrepancies)} discrepancies "
            f"in {time.monotonic() - started:.1f}s"
        )
        for problem in result.discrepancies[:10]:
            print("  ", problem)


if __name__ == "__main__":
    main()
