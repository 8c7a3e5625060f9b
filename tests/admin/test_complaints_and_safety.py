"""Complaints after closure (R-CMP-1) and dangerous-product reports (R-SAF-1) in the admin:
their queues, take/release, decisions with a confirmation step, and closing a report only
with an outcome and a reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from arbitration import services
from arbitration.models import Complaint, SafetyReport
from marketplace.models import LedgerEntry, Refund
from tests.admin.conftest import DAY, ago, png
from tests.support import fresh

pytestmark = pytest.mark.django_db

COMPLAINTS = reverse("admin:arbitration_complaint_changelist")
REPORTS = reverse("admin:arbitration_safetyreport_changelist")


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def rows(response) -> list:
    return list(response.context["cl"].result_list)


@pytest.fixture
def complaint(cases, people) -> Complaint:
    """The buyer complains that the refund the arbiter decided has not arrived."""
    dispute = cases.decided(refund_amount="40.00")
    with ago(timedelta(hours=1)):
        return services.complaint_file(
            dispute=dispute,
            actor=people.buyer,
            kind="refund_not_received",
            description="Ten days and nothing on my card.",
            files=[png("statement.png", (5, 5, 5))],
        )


def test_the_complaints_queue_lists_open_complaints_oldest_first_R_CMP_1(cases, people, arbiter_client):
    first = services.complaint_file(
        dispute=cases.decided(),
        actor=people.buyer,
        kind="agreement_broken",
        description="The seller promised a replacement.",
    )
    second = services.complaint_file(
        dispute=cases.decided(), actor=people.buyer, kind="refund_not_received", description="No money."
    )

    response = arbiter_client.get(COMPLAINTS)

    assert [c.pk for c in rows(response)] == [first.pk, second.pk]
    html = response.content.decode()
    assert "The agreed refund has not arrived" in html and "$40.00" in html


def test_take_and_release_complaints_call_the_services(complaint, people, arbiter_client):
    with mock.patch("arbitration.backoffice.cases.services.case_take", wraps=services.case_take) as take:
        arbiter_client.post(COMPLAINTS, {"action": "take_complaints", "_selected_action": [complaint.pk]})
    take.assert_called_once()
    assert fresh(complaint).assigned_arbiter == people.arbiter

    with mock.patch(
        "arbitration.backoffice.cases.services.case_release", wraps=services.case_release
    ) as release:
        arbiter_client.post(COMPLAINTS, {"action": "release_complaints", "_selected_action": [complaint.pk]})
    release.assert_called_once()
    assert fresh(complaint).state == Complaint.State.OPEN


def test_taking_a_complaint_another_arbiter_holds_is_refused(complaint, people, client_for):
    services.case_take(case=complaint, actor=people.arbiter2)

    response = client_for(people.arbiter).post(
        COMPLAINTS, {"action": "take_complaints", "_selected_action": [complaint.pk]}, follow=True
    )

    assert any("has already taken this complaint" in t for t in texts(response))
    assert fresh(complaint).assigned_arbiter == people.arbiter2


def test_the_complaint_page_shows_refund_evidence_and_buttons(complaint, people, arbiter_client):
    response = arbiter_client.get(reverse("admin:arbitration_complaint_change", args=[complaint.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ten days and nothing on my card." in html
    assert "statement.png" in html
    assert f"Refund #{complaint.refund_id}</strong>" in html and "$40.00" in html
    assert [name for name, _l in response.context["buttons"]] == ["take"]


def decide(client, complaint, data):
    url = reverse("admin:arbitration_complaint_decide", args=[complaint.pk])
    review = client.post(url, data)
    assert review.context["step"] == "confirm", review.context["form"].errors
    return review, client.post(url, {**data, "confirmed": "1"}, follow=True)


def test_refund_from_the_sellers_balance_confirms_then_creates_the_refund_R_CMP_1(
    complaint, people, cases, arbiter_client
):
    services.case_take(case=complaint, actor=people.arbiter)
    data = {
        "outcome": "refund_from_seller",
        "refund_amount": "20.00",
        "rationale": "The seller owes the rest.",
        "penalty_amount": "5.00",
        "penalty_reason": "Ignored the decision.",
    }

    with mock.patch(
        "arbitration.backoffice.complaints.services.complaint_decide", wraps=services.complaint_decide
    ) as call:
        review, response = decide(arbiter_client, complaint, data)

    assert "A new refund of 20.00 USD" in review.content.decode()
    assert "Penalty of 5.00 USD against the seller." in review.content.decode()
    call.assert_called_once()
    complaint = fresh(complaint)
    assert complaint.state == Complaint.State.DECIDED and complaint.outcome == "refund_from_seller"
    assert complaint.new_refund.amount == Decimal("20.00") and complaint.new_refund.source == "seller_balance"
    assert LedgerEntry.objects.filter(order=complaint.dispute.order, kind="penalty").get().amount == Decimal(
        "5.00"
    )
    assert "Complaint decided: Refund from the seller's balance." in texts(response)


def test_the_review_step_changes_nothing(complaint, people, arbiter_client):
    services.case_take(case=complaint, actor=people.arbiter)
    url = reverse("admin:arbitration_complaint_decide", args=[complaint.pk])

    arbiter_client.post(url, {"outcome": "rejected", "rationale": "Paid on the 3rd."})

    assert fresh(complaint).state == Complaint.State.UNDER_REVIEW


def test_re_issuing_a_pending_refund_sends_it(complaint, people, arbiter_client):
    services.case_take(case=complaint, actor=people.arbiter)

    decide(arbiter_client, complaint, {"outcome": "reissue_refund", "rationale": "Send it now."})

    assert Refund.objects.get(pk=complaint.refund_id).state == Refund.State.SENT


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "refund_from_seller", "rationale": "x"}, "refund_amount", "Enter the amount"),
        (
            {"outcome": "refund_from_seller", "refund_amount": "100.00", "rationale": "x"},
            "refund_amount",
            "at most 60.00",
        ),
        ({"outcome": "confirmed_paid", "rationale": "x"}, "outcome", "not recorded as paid"),
        ({"outcome": "rejected", "rationale": ""}, "rationale", "Write the rationale"),
        ({"outcome": "rejected", "rationale": "x", "penalty_amount": "3"}, "penalty_reason", "reason"),
    ],
)
def test_a_bad_complaint_decision_re_renders_with_a_clear_message(
    complaint, people, arbiter_client, data, field, message
):
    services.case_take(case=complaint, actor=people.arbiter)

    response = arbiter_client.post(reverse("admin:arbitration_complaint_decide", args=[complaint.pk]), data)

    assert response.context["step"] == "form"
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    assert fresh(complaint).state == Complaint.State.UNDER_REVIEW


def test_deciding_a_complaint_not_taken_is_refused(complaint, arbiter_client):
    response = arbiter_client.get(
        reverse("admin:arbitration_complaint_decide", args=[complaint.pk]), follow=True
    )

    assert any("take it first" in t for t in texts(response))


def test_the_scheduler_opens_complaints_for_overdue_refunds_and_they_show_as_such_R_REF_4(
    cases, people, arbiter_client, settings
):
    dispute = cases.decided()
    refund = cases.refund_of(dispute)
    from marketplace.actors import scheduler_user

    with ago(-timedelta(days=settings.REFUND_DEADLINE_DAYS + 1)):  # the future: the refund is overdue
        services.refund_overdue_open_complaint(refund=refund, actor=scheduler_user())

    html = arbiter_client.get(COMPLAINTS).content.decode()

    assert "Refund overdue (opened automatically)" in html


# --- Safety reports (R-SAF-1) ----------------------------------------------------------------


@pytest.fixture
def report(cases, people) -> SafetyReport:
    order = cases.order(shipped_ago=80 * DAY, title="18650 batteries")
    with ago(DAY):
        return services.safety_report_file(
            order=order,
            actor=people.buyer,
            description="Two batteries swelled while charging.",
            files=[png("swollen.png", (250, 200, 0))],
        )


def test_the_safety_queue_lists_open_reports_oldest_first(report, cases, people, arbiter_client):
    later = services.safety_report_file(order=cases.order(), actor=people.buyer, description="Sparks.")

    response = arbiter_client.get(REPORTS)

    assert [r.pk for r in rows(response)] == [report.pk, later.pk]
    assert "18650 batteries" in response.content.decode()


def test_the_report_page_shows_the_report_evidence_and_the_close_form(report, arbiter_client):
    response = arbiter_client.get(reverse("admin:arbitration_safetyreport_change", args=[report.pk]))

    html = response.content.decode()
    assert "Two batteries swelled while charging." in html and "swollen.png" in html
    assert response.context["can_close"] is True
    assert reverse("admin:arbitration_safetyreport_close", args=[report.pk]) in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "", "reason": "Recalled."}, "outcome"),
        ({"outcome": "listing_blocked", "reason": "  "}, "reason"),
        ({}, "outcome"),
    ],
)
def test_a_report_cannot_be_closed_without_an_outcome_and_a_reason_R_SAF_1(
    report, arbiter_client, data, field
):
    url = reverse("admin:arbitration_safetyreport_close", args=[report.pk])

    response = arbiter_client.post(url, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert fresh(report).state == SafetyReport.State.OPEN
    if data.get("reason", "").strip():
        assert data["reason"] in response.content.decode()  # the arbiter's text is kept


def test_closing_a_report_calls_the_service_and_records_the_outcome_R_SAF_1(report, people, arbiter_client):
    url = reverse("admin:arbitration_safetyreport_close", args=[report.pk])

    with mock.patch(
        "arbitration.backoffice.safety.services.safety_report_close", wraps=services.safety_report_close
    ) as close:
        response = arbiter_client.post(
            url, {"outcome": "listing_blocked", "reason": "Counterfeit cells."}, follow=True
        )

    close.assert_called_once()
    report = fresh(report)
    assert (report.state, report.outcome, report.outcome_reason, report.closed_by) == (
        "closed",
        "listing_blocked",
        "Counterfeit cells.",
        people.arbiter,
    )
    assert "Report closed: Listing blocked. The buyer sees the outcome." in texts(response)


def test_a_closed_report_offers_no_close_form(report, people, arbiter_client):
    services.safety_report_close(
        report=report, actor=people.arbiter, outcome="seller_warned", reason="Warned."
    )

    response = arbiter_client.get(reverse("admin:arbitration_safetyreport_change", args=[report.pk]))

    assert response.context["form"] is None
    assert "Seller warned" in response.content.decode()


def test_closing_twice_shows_the_services_refusal(report, people, arbiter_client):
    services.safety_report_close(report=report, actor=people.arbiter, outcome="no_action", reason="Fine.")

    response = arbiter_client.post(
        reverse("admin:arbitration_safetyreport_close", args=[report.pk]),
        {"outcome": "listing_blocked", "reason": "Changed my mind."},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert fresh(report).outcome == "no_action"
