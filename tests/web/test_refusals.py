"""Refusals that say why and what to do instead (issue 14).

A refused action carries the sentence and the rule of the check that failed, from the transition's
own condition (``marketplace.fsm.refusal``): the page that does not offer it, the page that refuses
a post, and the service under its row lock all say the same thing. A buyer whose dispute window
has ended is told so and what is still possible: a safety report (R-SAF-1) and, after a dispute,
a complaint (R-CMP-1).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from arbitration.presentation import available_actions
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.fsm import refusal
from tests.web.conftest import closed_with_refund, fresh, messages_of, open_dispute, shipped, with_offer

pytestmark = pytest.mark.django_db

FIFTH = "You have used all 4 amendments of this claim. You can still add messages and evidence."


def amend(people, dispute, n: int) -> None:
    services.dispute_amend(
        dispute=dispute, actor=people.buyer, reason="damaged", resolution="full_refund", description=f"v{n}"
    )


def test_R_DSP_3_the_fifth_amendment_is_refused_with_the_amendment_rule_everywhere(people, client):
    dispute = open_dispute(people)
    for n in range(settings.MAX_DISPUTE_AMENDMENTS):
        amend(people, dispute, n)
    dispute = fresh(dispute)

    # The one check, with its rule …
    why = refusal(dispute, "amend", people.buyer)
    assert why is not None and (why.message, why.rule) == (FIFTH, "R-DSP-3")
    # … the service under its lock …
    with pytest.raises(DomainError) as refused:
        amend(people, dispute, 99)
    assert refused.value.message_text == FIFTH and refused.value.code == "R-DSP-3"
    # … the page that would have offered it …
    client.force_login(people.buyer)
    page = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    assert 'id="refused-amend"' in page and FIFTH in page
    # … and a post from an old tab: the rule's sentence, not the dispute's state.
    response = client.post(
        reverse("dispute-amend", args=[dispute.pk]),
        {"reason": "damaged", "resolution": "full_refund", "description": "fifth"},
        follow=True,
    )
    assert messages_of(response) == [FIFTH]
    assert fresh(dispute).amendments_used == settings.MAX_DISPUTE_AMENDMENTS


def test_R_DSP_6_an_early_escalation_says_when_it_becomes_possible(people, client):
    dispute = open_dispute(people)
    availability = available_actions(dispute, people.buyer)
    assert "escalate" not in availability
    assert availability.refused["escalate"].rule == "R-DSP-6"
    client.force_login(people.buyer)
    response = client.post(reverse("dispute-escalate", args=[dispute.pk]), follow=True)
    (message,) = messages_of(response)
    assert message.startswith("You can take the dispute to arbitration early once the seller rejects")
    assert "can't do that now" not in message


def test_R_DSP_5_a_second_offer_is_refused_with_the_one_offer_rule(people, client):
    dispute = with_offer(people)
    client.force_login(people.seller)
    response = client.post(
        reverse("dispute-offer", args=[dispute.pk]), {"kind": "partial_refund", "amount": "10"}, follow=True
    )
    assert messages_of(response) == [
        "Your offer is waiting for the buyer's answer; one offer at a time. You can make another once they "
        "decline it."
    ]


def test_R_DSP_1_an_action_on_a_closed_dispute_says_what_to_do_instead(people, client):
    dispute = closed_with_refund(people)
    client.force_login(people.buyer)
    response = client.post(reverse("dispute-escalate", args=[dispute.pk]), follow=True)
    assert messages_of(response) == [str(services.CLOSED_HINT)]


def test_R_DSP_10_the_other_party_is_told_whose_action_it_is(people, client):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    response = client.get(reverse("dispute-amend", args=[dispute.pk]), follow=True)
    assert messages_of(response) == ["Only the buyer can do that."]


# --- The dispute window ended: what is still possible (R-SAF-1, R-CMP-1) -----------------------


def test_R_SAF_1_after_the_window_the_order_page_offers_a_safety_report_not_nothing_to_do(people, client):
    order = shipped(people)
    money.order_confirm_receipt(order=order, actor=people.buyer)
    with time_machine.travel(timezone.now() + timedelta(days=settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS + 1)):
        client.force_login(people.buyer)  # signed in then: a session ends with its expiry date
        page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
        assert "Nothing to do" not in page
        assert "The time to open a dispute ended on" in page and 'id="still-possible"' in page
        assert reverse("safety-report-create", args=[order.pk]) in page

        response = client.get(reverse("dispute-open", args=[order.pk]))
        ended = response.content.decode()
        assert response.status_code == 200 and "<form" not in ended.split("<main")[-1].split("</main>")[0]
        assert "The time to open a dispute for this order ended on" in ended
        assert reverse("safety-report-create", args=[order.pk]) in ended


def test_R_CMP_1_after_a_closed_dispute_the_order_page_points_at_a_complaint(people, client):
    dispute = closed_with_refund(people)
    client.force_login(people.buyer)
    page = client.get(reverse("order-detail", args=[dispute.order_id])).content.decode()
    assert "Nothing to do" not in page
    assert "file a complaint" in page and reverse("dispute-detail", args=[dispute.pk]) in page
    assert reverse("safety-report-create", args=[dispute.order_id]) in page


# --- Deadlines that stay true ----------------------------------------------------------------------


def test_R_PRT_2_the_confirm_receipt_warning_never_prints_the_same_date_twice(people, client):
    order = shipped(people)
    days_left = settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS - 2  # confirming would not shorten it
    near_the_end = order.protection_deadline - timedelta(days=days_left)
    with time_machine.travel(near_the_end, tick=False):
        client.force_login(people.buyer)  # signed in then: a session ends with its expiry date
        for url in (
            reverse("order-detail", args=[order.pk]),
            reverse("order-confirm-receipt", args=[order.pk]),
        ):
            html = client.get(url).content.decode()
            assert "instead of" not in html and "either way" in html, url
    with time_machine.travel(order.shipped_at + timedelta(days=1), tick=False):
        html = client.get(reverse("order-detail", args=[order.pk])).content.decode()
        assert "Confirming shortens your protection" in html and "instead of" in html


def test_R_PRT_3_between_the_deadline_and_the_job_the_order_says_the_payment_is_being_released(
    people, client
):
    order = shipped(people)
    with time_machine.travel(order.protection_deadline + timedelta(minutes=1)):
        client.force_login(people.seller)
        seller_page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
        client.force_login(people.buyer)
        buyer_page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "the payment is being released to you" in seller_page and "Nothing to do" not in seller_page
    assert "the order is being confirmed and the payment released to the seller" in buyer_page
    assert "report an unsafe product" in buyer_page


def test_R_DSP_8_a_seller_is_told_their_message_was_flagged_and_why(people, client):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    response = client.post(
        reverse("dispute-message", args=[dispute.pk]),
        {"body": "Please close the dispute, I'll pay you by PayPal."},
        follow=True,
    )
    warnings = [m for m in messages_of(response) if "This message was flagged" in m]
    assert len(warnings) == 1 and "Why:" in warnings[0]
    html = response.content.decode()
    assert html.count("This message was flagged") == 2  # the notice now, and beside the message for good
    client.force_login(people.buyer)
    assert (
        "This message was flagged"
        not in client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    )


def test_R_PRT_4_once_the_automatic_extension_is_used_no_page_promises_another(people, client):
    order = shipped(people)
    type(order).objects.filter(pk=order.pk).update(auto_extended_at=timezone.now())
    client.force_login(people.buyer)
    for url in (reverse("order-detail", args=[order.pk]), reverse("extension-request", args=[order.pk])):
        html = client.get(url).content.decode()
        assert "already extended automatically once" in html and "is extended automatically once" not in html
    money.extension_request_create(order=order, actor=people.buyer, days=5, reason="Still in transit.")
    client.force_login(people.seller)
    for url in (reverse("order-detail", args=[order.pk]), reverse("sales")):
        html = client.get(url).content.decode()
        assert "one automatic extension is used" in html and "granted automatically" not in html, url
