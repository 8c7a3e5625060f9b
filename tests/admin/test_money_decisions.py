"""Money decisions that finance and arbiters get right the first time (issue 14): a complaint's
re-issued refund may go to a new destination (R-CMP-1, R-REF-3), "refund from the seller's
balance" is offered only when it can refund something (R-CMP-1), and a penalty above the
order's amount needs an explicit yes (R-ARB-5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from arbitration import services
from arbitration.models import Complaint
from marketplace import services as money
from marketplace.models import LedgerEntry, Refund
from tests.admin.conftest import ago, fresh

pytestmark = pytest.mark.django_db


def complaint_decide_url(complaint) -> str:
    return reverse("admin:arbitration_complaint_decide", args=[complaint.pk])


def dispute_decide_url(dispute) -> str:
    return reverse("admin:arbitration_dispute_decide", args=[dispute.pk])


def complaint_about(dispute, people) -> Complaint:
    with ago(timedelta(hours=1)):
        complaint = services.complaint_file(
            dispute=dispute, actor=people.buyer, kind="refund_not_received", description="Nothing came."
        )
    services.case_take(case=complaint, actor=people.arbiter)
    return fresh(complaint)


def test_R_CMP_1_a_failed_refund_is_re_issued_to_the_new_destination_the_buyer_gave(
    cases, people, arbiter_client
):
    dispute = cases.decided(refund_amount="40.00")
    refund = cases.refund_of(dispute)
    money.refund_mark_sent(refund=refund, actor=people.finance, reference="BANK-9")
    money.refund_mark_failed(refund=refund, actor=people.finance, reason="Card closed")
    complaint = complaint_about(dispute, people)
    data = {
        "outcome": "reissue_refund",
        "new_destination": "Mastercard •••• 5555",
        "rationale": "The card was closed; the buyer gave another.",
    }

    review = arbiter_client.post(complaint_decide_url(complaint), data)

    assert review.context["step"] == "confirm", review.context["form"].errors
    page = review.content.decode()
    assert "to Mastercard •••• 5555 instead of Visa •••• 4242" in page
    arbiter_client.post(complaint_decide_url(complaint), {**data, "confirmed": "1"})
    refund = fresh(refund)
    assert refund.state == Refund.State.PENDING and refund.destination == "Mastercard •••• 5555"
    assert fresh(complaint).state == Complaint.State.DECIDED


def test_R_CMP_1_a_pending_refund_can_t_be_sent_elsewhere_from_a_complaint(cases, people, arbiter_client):
    complaint = complaint_about(cases.decided(refund_amount="40.00"), people)

    response = arbiter_client.post(
        complaint_decide_url(complaint),
        {"outcome": "reissue_refund", "new_destination": "IBAN X", "rationale": "Send it."},
    )

    assert response.context["step"] == "form"
    assert "Only a failed refund goes to a new destination" in str(response.context["form"].errors)
    assert fresh(complaint.refund).destination == "Visa •••• 4242"


def test_R_CMP_1_refund_from_the_seller_s_balance_is_not_offered_when_nothing_is_left_to_refund(
    cases, people, arbiter_client
):
    dispute = cases.taken(by=people.arbiter)
    services.dispute_decide(dispute=dispute, actor=people.arbiter, outcome="full_refund", rationale="Broken.")
    complaint = complaint_about(fresh(dispute), people)

    page = arbiter_client.get(complaint_decide_url(complaint))

    choices = [value for value, _label in page.context["form"].fields["outcome"].choices]
    assert "refund_from_seller" not in choices and "reissue_refund" in choices
    assert "Refund from the seller&#x27;s balance" not in page.content.decode()
    refused = arbiter_client.post(
        complaint_decide_url(complaint),
        {"outcome": "refund_from_seller", "refund_amount": "10.00", "rationale": "x"},
    )
    assert refused.context["step"] == "form" and "outcome" in refused.context["form"].errors


def test_R_CMP_1_refund_from_the_seller_s_balance_is_offered_while_something_is_left(
    cases, people, arbiter_client
):
    complaint = complaint_about(cases.decided(refund_amount="40.00"), people)

    page = arbiter_client.get(complaint_decide_url(complaint))

    assert "refund_from_seller" in dict(page.context["form"].fields["outcome"].choices)


LARGE = {
    "outcome": "rejected",
    "rationale": "The item matched the listing.",
    "penalty_amount": "1000.00",
    "penalty_reason": "Threatened the buyer.",
}


def test_R_ARB_5_a_penalty_above_the_order_s_amount_needs_an_explicit_confirmation(
    cases, people, arbiter_client
):
    dispute = cases.taken(by=people.arbiter, amount="100.00")

    refused = arbiter_client.post(dispute_decide_url(dispute), LARGE)

    assert refused.context["step"] == "form"
    assert "This penalty is 10 times the order&#x27;s amount ($100.00)" in refused.content.decode()
    assert 'name="confirm_large_penalty"' in refused.content.decode()  # the box to tick appears
    review = arbiter_client.post(dispute_decide_url(dispute), {**LARGE, "confirm_large_penalty": "on"})
    assert review.context["step"] == "confirm", review.context["form"].errors
    arbiter_client.post(
        dispute_decide_url(dispute),
        {**LARGE, "confirm_large_penalty": "True", "confirmed_effect": review.context["effect_key"]},
    )
    assert LedgerEntry.objects.get(order=dispute.order, kind="penalty").amount == Decimal("1000.00")


def test_R_ARB_5_a_penalty_up_to_the_order_s_amount_needs_no_extra_step(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter, amount="100.00")

    review = arbiter_client.post(dispute_decide_url(dispute), {**LARGE, "penalty_amount": "100.00"})

    assert review.context["step"] == "confirm", review.context["form"].errors
    assert (
        'name="confirm_large_penalty"' not in arbiter_client.get(dispute_decide_url(dispute)).content.decode()
    )


def test_R_ARB_5_a_complaint_s_penalty_above_the_order_s_amount_needs_the_confirmation_too(
    cases, people, arbiter_client
):
    complaint = complaint_about(cases.decided(refund_amount="40.00"), people)
    data = {**LARGE, "penalty_amount": "250.00"}

    refused = arbiter_client.post(complaint_decide_url(complaint), data)
    confirmed = arbiter_client.post(complaint_decide_url(complaint), {**data, "confirm_large_penalty": "on"})

    assert refused.context["step"] == "form" and "2.5 times" in refused.content.decode()
    assert confirmed.context["step"] == "confirm", confirmed.context["form"].errors
