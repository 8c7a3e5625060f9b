"""Reading orders, disputes, refunds, complaints and safety reports, page by page and since a
time (R-API-4); a dispute says what each party may do now (R-DSP-10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arbitration import services
from arbitration.presentation import available_actions
from marketplace.models import Refund
from tests.admin.conftest import Cases, people  # noqa: F401  (the people fixture)
from tests.api.conftest import api_for, make_client, problem, scoped_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(people):  # noqa: F811
    return Cases(people)


@pytest.fixture
def default_api(db):
    """The default account "" (the demo's and these cases'), every scope."""
    return api_for(make_client(account="", name="Default marketplace"))


def test_R_API_4_R_DSP_10_a_dispute_lists_each_partys_allowed_actions(cases, default_api):
    dispute = cases.open()
    services.dispute_make_offer(dispute=dispute, actor=dispute.seller, kind="partial_refund", amount="30.00")
    services.dispute_post_message(dispute=dispute, actor=dispute.buyer, body="Half the set is missing.")

    response = default_api.get(f"/disputes/{dispute.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "open"
    assert body["allowed_actions"] == {
        "buyer": available_actions(dispute, dispute.buyer).actions,
        "seller": available_actions(dispute, dispute.seller).actions,
    }
    assert "accept_offer" in body["allowed_actions"]["buyer"]
    assert [offer["amount"] for offer in body["offers"]] == ["30.00"]
    assert [message["body"] for message in body["messages"]] == ["Half the set is missing."]
    assert body["claim_versions"][0]["number"] == 0
    assert body["turn"]["who"] == "buyer"
    assert body["next_deadline"]["at"] is not None


def test_R_API_1_another_accounts_dispute_is_404(cases, api):
    dispute = cases.open()

    response = api.get(f"/disputes/{dispute.pk}")

    assert response.status_code == 404
    assert problem(response)["status"] == 404
    assert api.get("/disputes").json()["results"] == []


def test_R_API_1_disputes_need_the_disputes_read_scope(cases):
    dispute = cases.open()

    assert scoped_api("orders:write", account="").get(f"/disputes/{dispute.pk}").status_code == 403
    assert scoped_api("orders:write", account="").get("/disputes").status_code == 403


def test_R_API_4_disputes_come_page_by_page_with_a_cursor(cases, default_api):
    opened = [cases.open(card=f"Visa •••• {n:04d}") for n in range(5)]

    first = default_api.get("/disputes", {"limit": 2}).json()
    second = default_api.get("/disputes", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = default_api.get("/disputes", {"limit": 2, "cursor": second["next_cursor"]}).json()

    seen = [item["id"] for page in (first, second, third) for item in page["results"]]
    assert sorted(seen) == sorted(dispute.pk for dispute in opened)
    assert len(set(seen)) == 5
    assert third["next_cursor"] is None


def test_R_API_4_updated_since_lists_only_what_changed_after_it(cases, default_api):
    quiet = cases.open()
    busy = cases.open(card="Visa •••• 9999")
    mark = timezone.now() + timedelta(minutes=1)
    with time_machine.travel(mark + timedelta(minutes=1)):
        services.dispute_make_offer(dispute=busy, actor=busy.seller, kind="partial_refund", amount="10.00")

    changed = default_api.get("/disputes", {"updated_since": mark.isoformat()}).json()["results"]

    assert [item["id"] for item in changed] == [busy.pk]
    assert quiet.pk not in [item["id"] for item in changed]


def test_R_API_6_a_forged_cursor_answers_422_naming_it(default_api):
    response = default_api.get("/disputes", {"cursor": "not-a-cursor"})

    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("moment", ["0.5", "2026-12-06T09:00:00", "0001-01-01T00:00+23:59", "tomorrow", ""])
@pytest.mark.parametrize("path", ["/disputes", "/refunds", "/safety-reports", "/orders"])
def test_R_API_6_updated_since_takes_only_an_iso_time_with_a_zone(default_api, path, moment):
    """Found by schemathesis: a bare number was read as seconds since 1970, and a zone offset at
    the calendar's edge answered 500."""
    response = default_api.get(path, {"updated_since": moment})

    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "updated_since"


def test_R_API_6_a_huge_id_answers_422_or_404_never_500(default_api):
    assert default_api.get(f"/disputes/{10**30}").status_code in (404, 422)
    assert default_api.get(f"/refunds/{10**30}").status_code in (404, 422)
    assert default_api.get(f"/orders/{10**30}").status_code == 404


def test_R_API_4_refunds_read_with_their_order(cases, default_api):
    dispute = cases.decided(refund_amount="40.00")
    refund = Refund.objects.get(pk=dispute.refund_id)

    listed = default_api.get("/refunds").json()["results"]
    one = default_api.get(f"/refunds/{refund.pk}").json()

    assert [item["id"] for item in listed] == [refund.pk]
    assert (one["amount"], one["state"], one["order"]["id"]) == ("40.00", refund.state, refund.order_id)
    assert scoped_api("disputes:read", account="").get(f"/refunds/{refund.pk}").status_code == 403


def test_R_API_4_complaints_and_safety_reports_read(cases, default_api, people):  # noqa: F811
    decided = cases.decided()
    complaint = services.complaint_file(
        dispute=decided, actor=people.buyer, kind="refund_not_received", description="Nothing yet."
    )
    report = services.safety_report_file(order=cases.order(), actor=people.buyer, description="It smokes.")

    complaints = default_api.get("/complaints").json()["results"]
    reports = default_api.get("/safety-reports").json()["results"]

    assert [item["id"] for item in complaints] == [complaint.pk]
    assert default_api.get(f"/complaints/{complaint.pk}").json()["dispute"]["id"] == decided.pk
    assert [item["id"] for item in reports] == [report.pk]
    assert default_api.get(f"/safety-reports/{report.pk}").json()["description"] == "It smokes."


def test_R_API_4_orders_list_with_updated_at(cases, default_api):
    order = cases.order()

    results = default_api.get("/orders").json()["results"]

    assert [item["id"] for item in results] == [order.pk]
    assert results[0]["updated_at"] is not None
    assert results[0]["tracking_number"]


def test_R_API_4_a_dispute_read_costs_the_same_queries_however_long_its_thread(cases, default_api):
    """The dispute read is the hot path of a marketplace's app (issue 12's benchmark): a fixed
    number of queries, not one per message, offer or file."""
    short, long = cases.open(), cases.open(card="Visa •••• 0001")
    for n in range(6):
        services.dispute_post_message(dispute=long, actor=long.buyer, body=f"Message {n}")
    for dispute in (short, long):
        services.dispute_make_offer(
            dispute=dispute, actor=dispute.seller, kind="partial_refund", amount="30.00"
        )
    default_api.get(f"/disputes/{short.pk}")  # the key's last_used_at is written once a minute

    counts = []
    for dispute in (short, long):
        with CaptureQueriesContext(connection) as queries:
            response = default_api.get(f"/disputes/{dispute.pk}")
        assert response.status_code == 200
        counts.append(len(queries))

    # The key, the dispute, its offers, open requests and claim versions (prefetched: the FSM
    # conditions behind allowed_actions answer from them), evidence, requests, people, messages.
    assert counts[0] == counts[1] <= 9, counts
    assert len(response.json()["messages"]) == 6


def test_R_API_4_a_page_of_disputes_costs_the_same_few_queries_however_many_rows(
    cases, default_api, django_assert_max_num_queries
):
    for n in range(4):
        cases.open(card=f"Visa •••• {n:04d}")

    with django_assert_max_num_queries(4):
        response = default_api.get("/disputes")

    assert len(response.json()["results"]) == 4
