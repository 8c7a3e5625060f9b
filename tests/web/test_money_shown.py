"""Money shown as it is (issue 14): the seller sees every penalty against them with the arbiter's
reason (R-ARB-5), and a refund is called paid only once it is paid — the order list, the order and
dispute pages and the money trail say what the refund page says, with dates (R-REF-4)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from marketplace import services as money
from marketplace.actors import scheduler_user
from marketplace.mail import render
from marketplace.models import Notification, Refund
from tests.web.conftest import closed_with_refund, fresh, rejected

pytestmark = pytest.mark.django_db

REASON = "Sold a 4,800 mAh power bank as 20,000 mAh; third such case this month."


def decided_with_penalty(people):
    dispute = rejected(people)
    services.dispute_escalate(dispute=dispute, actor=people.buyer)
    services.case_take(case=dispute, actor=people.arbiter)
    services.dispute_decide(
        dispute=fresh(dispute),
        actor=people.arbiter,
        outcome="full_refund",
        rationale="The capacity test shows 4,800 mAh.",
        penalty_amount="25.00",
        penalty_reason=REASON,
    )
    return fresh(dispute)


def test_R_ARB_5_the_seller_sees_the_penalty_and_its_reason_on_the_dispute_and_order_pages(people, client):
    dispute = decided_with_penalty(people)
    client.force_login(people.seller)
    dispute_page = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    assert "Penalty against you: $25.00" in dispute_page and REASON in dispute_page
    order_page = client.get(reverse("order-detail", args=[dispute.order_id])).content.decode()
    assert "Penalty against you, from your seller balance" in order_page and REASON in order_page
    assert "Penalties against you" in order_page

    client.force_login(people.buyer)
    buyer_page = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    assert "Penalty against you" not in buyer_page


def test_R_ARB_5_the_decision_email_tells_the_seller_the_penalty_and_why_and_not_the_buyer(people):
    decided_with_penalty(people)
    seller_mail = Notification.objects.get(recipient=people.seller, event="dispute_decided")
    buyer_mail = Notification.objects.get(recipient=people.buyer, event="dispute_decided")
    _subject, text, html = render(seller_mail)
    assert "The arbiter also fined you 25.00 USD" in text and REASON in text
    assert "The arbiter also fined you 25.00 USD" in html and REASON in html
    assert "fined" not in render(buyer_mail)[1]


def sent_refund(people) -> Refund:
    dispute = closed_with_refund(people)
    refund = Refund.objects.get(order=dispute.order)
    # The gateway's answers are not what this test is about: the refund is put in each state.
    Refund.objects.filter(pk=refund.pk).update(
        state=Refund.State.SENT, sent_at=timezone.now(), completed_at=None, payout_reference="PAY-1"
    )
    return fresh(refund)


def test_R_REF_4_a_sent_refund_is_never_called_refunded_to_you(people, client):
    refund = sent_refund(people)
    assert refund.state == Refund.State.SENT
    client.force_login(people.buyer)
    said = "Sent to the payment provider on"
    pages = {
        "refund": client.get(reverse("refund-detail", args=[refund.order_id, refund.pk])).content.decode(),
        "order": client.get(reverse("order-detail", args=[refund.order_id])).content.decode(),
        "dispute": client.get(reverse("dispute-detail", args=[refund.order.dispute.pk])).content.decode(),
        "list": client.get(reverse("order-list")).content.decode(),
    }
    for name, html in pages.items():
        assert said in html and "not paid yet" in html, name
        assert "Refunded to " not in html, name

    Refund.objects.filter(pk=refund.pk).update(state=Refund.State.COMPLETED, completed_at=timezone.now())
    paid = client.get(reverse("order-detail", args=[refund.order_id])).content.decode()
    assert "Paid on" in paid and "Refunded to" in paid and "not paid yet" not in paid


def test_R_REF_3_one_attempt_count_and_the_history_of_attempts_on_the_refund_page(
    people, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the payout is sent, as after a commit
        dispute = closed_with_refund(people)
    refund = Refund.objects.get(order=dispute.order)
    assert refund.state == Refund.State.SENT and refund.payout_attempts == 1
    # The provider reports a failure (its answer is not what this test is about).
    Refund.objects.filter(pk=refund.pk).update(
        state=Refund.State.FAILED, failed_at=timezone.now(), failure_reason="Card closed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        money.refund_retry(refund=fresh(refund), actor=scheduler_user(), destination="Visa •••• 1111")
    refund = fresh(refund)
    assert refund.payout_attempts == 2
    client.force_login(people.buyer)
    html = client.get(reverse("refund-detail", args=[refund.order_id, refund.pk])).content.decode()
    assert "Payout attempts</dt><dd>2</dd>" in html
    history = html.split('id="attempts-heading"')[1].split("</section>")[0]
    assert history.count("<li>") >= 3  # sent, retried, sent again: the history, not one state
