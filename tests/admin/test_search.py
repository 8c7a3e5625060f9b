"""Search that finds things (issue 14): any part of an order number, a buyer's or seller's name,
username or e-mail, an item title, a tracking number or a payout reference, in the arbitration
queue (R-ARB-1), the complaints (R-CMP-1), the safety reports (R-SAF-1) and finance's refunds
worklist (R-REF-3) — one helper (``marketplace.search``), a trigram index behind each column."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from arbitration import services
from arbitration.backoffice.filters import DISPUTE_SEARCH
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.models import Order, User
from tests.admin.conftest import ago

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:arbitration_dispute_changelist")
COMPLAINTS = reverse("admin:arbitration_complaint_changelist")
REPORTS = reverse("admin:arbitration_safetyreport_changelist")
REFUNDS = reverse("admin:marketplace_refund_changelist")


def found(client, url: str, term: str, **params) -> set[int]:
    response = client.get(url, {"q": term, **params})
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


@pytest.fixture
def vera(people) -> User:
    return User.objects.create_user(
        "vkuznetsova", first_name="Vera", last_name="Kuznetsova", email="vera.k@mail.example"
    )


@pytest.mark.parametrize(
    "term",
    [
        "Kuznets",  # part of the buyer's last name
        "vera kuz",  # first name and the start of the last, any case
        "KUZNETSOVA VERA",  # words in any order
        "vkuzn",  # part of the username
        "k@mail.exa",  # part of the e-mail
        "Thermos",  # part of the item title
        "555000",  # the middle of the tracking number
    ],
)
def test_R_ARB_1_the_queue_finds_a_case_by_any_part_of_what_an_arbiter_knows(
    cases, people, arbiter_client, vera, term
):
    target = cases.escalated(buyer=vera, title="Steel thermos flask 1 l", tracking="RR555000111CN")
    cases.escalated()  # Boris buys a power bank from Sam

    assert found(arbiter_client, QUEUE, term) == {target.pk}


def test_R_ARB_1_the_queue_finds_a_case_by_the_middle_of_its_order_number(cases, arbiter_client):
    target = cases.escalated()
    other = cases.escalated()
    middle = target.order.number[3:9]
    Order.objects.filter(pk=other.order_id).update(number="9" * 12)  # nothing in common

    assert found(arbiter_client, QUEUE, middle) == {target.pk}


def test_R_ARB_1_the_queue_finds_a_case_by_the_return_s_tracking_number(cases, people, arbiter_client):
    dispute = cases.taken()
    services.dispute_decide(
        dispute=dispute,
        actor=people.arbiter,
        outcome="return_then_refund",
        return_days=7,
        return_address="Sam Seller, Returns desk",
        rationale="Return the item first.",
    )
    services.return_ship(
        dispute=Dispute.objects.get(pk=dispute.pk),
        actor=people.buyer,
        carrier="Russian Post",
        tracking_number="RA777123456RU",
    )
    cases.escalated()

    assert found(arbiter_client, QUEUE, "777123") == {dispute.pk}


def test_a_term_of_one_or_two_characters_must_be_a_whole_value(cases, people, arbiter_client):
    """A trigram index narrows a search down from three characters: "ra" does not list every
    order whose tracking number holds "RR"; a two-letter username still finds its person."""
    shortname = User.objects.create_user("li", first_name="Li", last_name="Wei")
    theirs = cases.escalated(buyer=shortname)
    cases.escalated()

    assert found(arbiter_client, QUEUE, "rr") == set()
    assert found(arbiter_client, QUEUE, "li") == {theirs.pk}


def test_R_CMP_1_complaints_are_found_by_what_finds_their_dispute(cases, people, arbiter_client, vera):
    mine = cases.decided(buyer=vera, title="Steel thermos flask 1 l")
    with ago(timedelta(hours=1)):
        complaint = services.complaint_file(
            dispute=mine, actor=vera, kind="refund_not_received", description="Nothing arrived."
        )
        services.complaint_file(
            dispute=cases.decided(), actor=people.buyer, kind="refund_not_received", description="No."
        )

    assert found(arbiter_client, COMPLAINTS, "thermos") == {complaint.pk}
    assert found(arbiter_client, COMPLAINTS, "Kuznetsova") == {complaint.pk}
    assert found(arbiter_client, COMPLAINTS, f"#{complaint.pk}") == {complaint.pk}


def test_R_SAF_1_safety_reports_are_found_by_item_reporter_or_seller(cases, people, arbiter_client, vera):
    report = services.safety_report_file(
        order=cases.order(buyer=vera, title="USB hand warmer"), actor=vera, description="It melted."
    )
    services.safety_report_file(order=cases.order(), actor=people.buyer, description="Sparks.")

    assert found(arbiter_client, REPORTS, "hand warm") == {report.pk}
    assert found(arbiter_client, REPORTS, "kuznetsova") == {report.pk}
    assert found(arbiter_client, REPORTS, "Sam Sel") == {report.pk} | {
        r.pk for r in report.__class__.objects.exclude(pk=report.pk)
    }  # both items are Sam's


def test_R_REF_3_finance_finds_a_refund_by_part_of_its_payout_reference_or_the_buyer(
    cases, people, client_for, vera
):
    finance = client_for(people.finance)
    hers = cases.refund_of(cases.decided(buyer=vera))
    money.refund_mark_sent(refund=hers, actor=people.finance, reference="SEPA-2026-0042-XK")
    other = cases.refund_of(cases.decided())
    money.refund_mark_sent(refund=other, actor=people.finance, reference="SEPA-2026-0077-QQ")

    assert found(finance, REFUNDS, "0042", state="all") == {hers.pk}
    assert found(finance, REFUNDS, "vera.k@", state="all") == {hers.pk}
    assert found(finance, REFUNDS, "sepa-2026", state="all") == {hers.pk, other.pk}
    assert found(finance, REFUNDS, hers.order.number[2:10], state="all") == {hers.pk}


def test_R_REF_3_a_search_finds_a_paid_refund_without_choosing_a_state(cases, people, client_for):
    finance = client_for(people.finance)
    paid = cases.refund_of(cases.decided())
    money.refund_mark_sent(refund=paid, actor=people.finance, reference="SEPA-PAID-9911")
    money.refund_mark_completed(refund=paid, actor=people.finance)

    assert found(finance, REFUNDS, "PAID-99") == {paid.pk}
    assert found(finance, REFUNDS, "") == set()  # the worklist itself: not paid yet


def test_an_empty_or_unmatched_term_changes_nothing_or_finds_nothing(cases, arbiter_client):
    case = cases.escalated()

    assert found(arbiter_client, QUEUE, "   ") == {case.pk}
    assert found(arbiter_client, QUEUE, "no such thing anywhere") == set()
    assert found(arbiter_client, QUEUE, "#99999999999999999999999") == set()  # not an id: text


# --- The indexes behind it ---------------------------------------------------------------------


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def many_orders(cases):
    """50,000 more buyers, orders, shipments and escalated disputes, copied by INSERT … SELECT
    (history triggers off for the copy), then ANALYZE: enough rows that reading a table costs more
    than an index."""
    template = cases.escalated().order
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO marketplace_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined, preferred_language, is_system,
                return_address, account, external_id)
            SELECT '!', false, 'user' || g, 'First' || g, 'Last' || g, 'user' || g || '@example.com',
                false, true, now(), 'en', false, '', '', ''
            FROM generate_series(1, 50000) g
            """
        )
        columns = [
            f.column
            for f in Order._meta.concrete_fields
            if f.column not in ("id", "number", "item_title", "buyer_id")
        ]
        listed = ", ".join(columns)
        copied = ", ".join(f"t.{column}" for column in columns)
        cursor.execute(
            f"""
            INSERT INTO marketplace_order (number, item_title, buyer_id, {listed})
            SELECT (200000000000 + g)::text, 'Item number ' || g, u.id, {copied}
            FROM generate_series(1, 50000) g
            JOIN marketplace_user u ON u.username = 'user' || g
            CROSS JOIN (SELECT {listed} FROM marketplace_order WHERE id = %s) t
            """,
            [template.pk],
        )
        cursor.execute(
            """
            INSERT INTO marketplace_shipment (order_id, carrier, tracking_number, shipped_at)
            SELECT o.id, 'China Post', 'LX' || o.number || 'CN', now()
            FROM marketplace_order o WHERE o.number LIKE '2%%' AND o.id <> %s
            """,
            [template.pk],
        )
        columns = [
            f.column for f in Dispute._meta.concrete_fields if f.column not in ("id", "order_id", "buyer_id")
        ]
        dispute_columns = ", ".join(columns)
        copied = ", ".join(f"t.{column}" for column in columns)
        cursor.execute(
            f"""
            INSERT INTO arbitration_dispute (order_id, buyer_id, {dispute_columns})
            SELECT o.id, o.buyer_id, {copied}
            FROM marketplace_order o
            CROSS JOIN (SELECT {dispute_columns} FROM arbitration_dispute WHERE order_id = %s) t
            WHERE o.number LIKE '2%%' AND o.id <> %s
            """,
            [template.pk, template.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE")


def scale_terms(row: int) -> list[tuple[str, str]]:
    """The index each kind of term must be read through, for the copied row number ``row``."""
    return [
        ("order_number_trgm", f"{row:08d}"),  # the middle of an order number
        ("order_item_title_trgm", f"number {row}"),  # part of an item title
        ("user_search_trgm", f"Last{row}"),  # a buyer's or seller's name
        ("user_search_trgm", f"first{row} last{row}"),  # both names
        ("shipment_tracking_trgm", f"{row:08d}CN"),  # part of a tracking number
    ]


def unsampled_row() -> int:
    """A copied row none of whose search words matches a value ANALYZE sampled as a histogram
    bound. A word matching one of the ~100 bounds of a column (or of an index expression) is
    estimated at 1% of the table, and for 500 rows a sequential scan *is* the planner's right
    choice; which values are sampled is random, so without this the test failed about one run
    in twenty (CI, stop 18). Any row from 4217 on whose words no bound contains will do."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT upper(histogram_bounds::text) FROM pg_stats
            WHERE tablename LIKE 'marketplace_%%' OR tablename LIKE '%%_trgm'
            """
        )
        bounds = [row[0] for row in cursor.fetchall() if row[0]]
    for row in range(4217, 4417):
        words = {word.upper() for _, term in scale_terms(row) for word in term.split() if str(row) in word}
        if not any(word in bound for word in words for bound in bounds):
            return row
    raise AssertionError("every candidate row is a sampled histogram bound")


def test_each_search_branch_reads_its_trigram_index_at_scale(many_orders):
    """EXPLAIN of the queue's search over 50,000 disputes: the planner picks the trigram index for
    each kind of term (a sequential scan of the order table would show here as ``Seq Scan``)."""
    for index, term in scale_terms(unsampled_row()):
        explained = plan(DISPUTE_SEARCH.filter(Dispute.objects.all(), term))

        assert index in explained, explained
        assert "Seq Scan on marketplace_order" not in explained, explained
        assert "Seq Scan on marketplace_user" not in explained, explained


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # sqlmigrate of a non-atomic migration: no test transaction
@pytest.mark.parametrize(
    ("app", "migration", "count"),
    [("marketplace", "0010_uxs_search_trigram", 5), ("arbitration", "0015_uxs_search_trigram", 1)],
)
def test_the_trigram_indexes_are_built_while_writes_go_on(app, migration, count):
    """Adding search to a live marketplace does not stop its orders: every trigram index is built
    CONCURRENTLY (outside a transaction), never with a plain CREATE INDEX that holds writes."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    sql = out.getvalue()

    assert sql.count("CREATE INDEX CONCURRENTLY") == count, sql
    assert "BEGIN;" not in sql
