"""Small defects arbiters noticed (issue 14): each a test that failed before its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from arbitration import services
from tests.admin.conftest import FLAGGED_TEXT, ago, fresh

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:arbitration_dispute_changelist")
REPORTS = reverse("admin:arbitration_safetyreport_changelist")


def timeline_texts(response) -> list[str]:
    return [f"{row.subject}: {row.text}" for row in response.context["timeline"]]


def test_R_ARB_3_the_case_timeline_starts_with_the_order_being_paid(cases, people, arbiter_client):
    dispute = cases.decided()
    with ago(timedelta(hours=1)):
        complaint = services.complaint_file(
            dispute=dispute, actor=people.buyer, kind="refund_not_received", description="Nothing came."
        )
    report = services.safety_report_file(order=cases.order(), actor=people.buyer, description="Sparks.")

    for url in (
        reverse("admin:arbitration_dispute_change", args=[dispute.pk]),
        reverse("admin:arbitration_complaint_change", args=[complaint.pk]),
        reverse("admin:arbitration_safetyreport_change", args=[report.pk]),
    ):
        entries = timeline_texts(arbiter_client.get(url))
        assert entries[0] == "Order: Paid", (url, entries)


def test_R_SAF_1_the_safety_report_state_filter_lists_each_state_once(cases, people, arbiter_client):
    services.safety_report_file(order=cases.order(), actor=people.buyer, description="Sparks.")

    response = arbiter_client.get(REPORTS)

    (state_filter,) = [
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "state"
    ]
    shown = [str(choice["display"]) for choice in state_filter.choices(response.context["cl"])]
    assert len(shown) == len(set(shown)), shown
    assert shown[0] == "Being reviewed" and "All" in shown


def test_R_SAF_1_the_open_state_link_is_the_queue(cases, people, arbiter_client):
    report = services.safety_report_file(order=cases.order(), actor=people.buyer, description="Sparks.")

    response = arbiter_client.get(REPORTS, {"state": "open"})

    assert [r.pk for r in response.context["cl"].result_list] == [report.pk]


def test_R_DSP_8_the_flagged_messages_filter_finds_flagged_disputes_in_any_state(
    cases, people, arbiter_client
):
    between_the_parties = cases.open()
    services.dispute_post_message(dispute=between_the_parties, actor=people.seller, body=FLAGGED_TEXT)
    in_the_queue = cases.escalated(flagged=True)
    cases.escalated()  # nothing flagged

    flagged = arbiter_client.get(QUEUE, {"flagged": "yes"})
    flagged_in_queue = arbiter_client.get(QUEUE, {"flagged": "yes", "state": "queue"})
    unflagged_queue = arbiter_client.get(QUEUE, {"flagged": "no"})

    assert {d.pk for d in flagged.context["cl"].result_list} == {between_the_parties.pk, in_the_queue.pk}
    assert [d.pk for d in flagged_in_queue.context["cl"].result_list] == [in_the_queue.pk]
    assert between_the_parties.pk not in {d.pk for d in unflagged_queue.context["cl"].result_list}


def test_R_DSP_9_the_withdraw_page_counts_the_flagged_messages(cases, people, client_for):
    dispute = cases.open()
    for body in (FLAGGED_TEXT, "Close the dispute please and I refund you by PayPal directly, friend."):
        services.dispute_post_message(dispute=dispute, actor=people.seller, body=body)
    assert fresh(dispute).solicitation_flags == 2

    page = client_for(people.buyer).get(reverse("dispute-withdraw", args=[dispute.pk])).content.decode()

    assert "The seller's 2 messages that were flagged" in page
    assert "The seller's message that was flagged" not in page


def test_R_DSP_5_the_seller_s_own_offer_speaks_to_the_seller(cases, people, client_for):
    dispute = cases.open()
    services.dispute_make_offer(dispute=dispute, actor=people.seller, kind="partial_refund", amount="25.00")
    url = reverse("dispute-detail", args=[dispute.pk])

    seller_page = client_for(people.seller).get(url).content.decode()
    buyer_page = client_for(people.buyer).get(url).content.decode()

    assert "The buyer keeps the item and is refunded $25.00" in seller_page
    assert "You keep the item" not in seller_page and "Your offer" in seller_page
    assert "You keep the item and are refunded $25.00" in buyer_page
    assert "The seller's offer" in buyer_page
