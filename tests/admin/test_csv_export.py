"""CSV exports of the queue, the refunds and the penalties, with the filters on the page
(issue 14): streamed, one row per item, in the reader's spreadsheet as text it can trust."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from arbitration import services
from marketplace import services as money
from marketplace.models import Refund

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:arbitration_dispute_changelist")
QUEUE_CSV = reverse("admin:arbitration_dispute_export")
REFUNDS_CSV = reverse("admin:marketplace_refund_export")
LEDGER_CSV = reverse("admin:marketplace_ledgerentry_export")


def table(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming  # rows go out as they are read, never the whole table in memory
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_R_ARB_1_the_queue_exports_with_its_filters_and_search(cases, people, arbiter_client):
    first = cases.escalated(days_ago=3, title="=HYPERLINK(evil)")
    second = cases.escalated(days_ago=1)
    talking = cases.open()  # not in the queue

    queue = table(arbiter_client.get(QUEUE_CSV))
    everything = table(arbiter_client.get(QUEUE_CSV, {"state": "all"}))
    searched = table(arbiter_client.get(QUEUE_CSV, {"q": second.order.number[2:9]}))

    assert [row["dispute"] for row in queue] == [str(first.pk), str(second.pk)]  # the queue's order
    assert {row["dispute"] for row in everything} == {str(first.pk), str(second.pk), str(talking.pk)}
    assert [row["dispute"] for row in searched] == [str(second.pk)]
    row = queue[0]
    assert row["amount"] == "100.00" and row["currency"] == "USD"
    assert row["buyer"] == "Boris Buyer" and row["seller"] == "Sam Seller"
    assert row["item"] == "'=HYPERLINK(evil)"  # kept as text, never run as a formula


def test_the_queue_page_links_to_its_export_with_the_same_filters(cases, arbiter_client):
    cases.escalated()

    html = arbiter_client.get(QUEUE, {"overdue": "yes", "q": "sam"}).content.decode()

    assert f"{QUEUE_CSV}?" in html and "Download CSV" in html
    link = html[html.index(QUEUE_CSV) :].split('"')[0].replace("&amp;", "&")
    assert "overdue=yes" in link and "q=sam" in link


def test_R_REF_3_finance_exports_the_refunds_worklist_as_filtered(cases, people, client_for):
    finance = client_for(people.finance)
    unpaid = cases.refund_of(cases.decided())
    paid = cases.refund_of(cases.decided())
    money.refund_mark_sent(refund=paid, actor=people.finance, reference="BANK-77")
    money.refund_mark_completed(refund=paid, actor=people.finance)

    worklist = table(finance.get(REFUNDS_CSV))  # default: not paid yet
    completed = table(finance.get(REFUNDS_CSV, {"state": Refund.State.COMPLETED}))

    assert [row["refund"] for row in worklist] == [str(unpaid.pk)]
    assert [row["refund"] for row in completed] == [str(paid.pk)]
    assert completed[0]["payout reference"] == "BANK-77" and completed[0]["amount"] == "40.00"


def test_R_ARB_5_penalties_export_from_the_ledger_filtered_to_penalties(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)
    services.dispute_decide(
        dispute=dispute,
        actor=people.arbiter,
        outcome="rejected",
        rationale="As described.",
        penalty_amount="15.00",
        penalty_reason="Abusive messages.",
    )

    rows = table(client_for(people.supervisor).get(LEDGER_CSV, {"kind": "penalty"}))

    assert len(rows) == 1
    assert rows[0]["amount"] == "15.00" and rows[0]["reason"].startswith("Abusive messages")
    assert rows[0]["whose money"] == "Sam Seller"


def test_an_export_needs_the_list_s_view_permission(people, client_for):
    assert client_for(people.finance).get(QUEUE_CSV).status_code == 403
    assert client_for(people.staff).get(REFUNDS_CSV).status_code == 403
