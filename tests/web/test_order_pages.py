"""The buyer's orders and the seller's sales: protection countdowns, the next thing to do,
receipt, protection extensions, the money trail and the refund page (SPEC §1–§3, §6)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from marketplace import services as money
from marketplace.models import ExtensionRequest, Order
from tests.web.conftest import (
    closed_with_refund,
    fresh,
    messages_of,
    open_dispute,
    pending_extension,
    shipped,
    with_offer,
)

pytestmark = pytest.mark.django_db


def test_my_orders_shows_the_state_the_protection_countdown_and_the_next_thing_to_do(people, client):
    """R-PRT-1: "60 days left" right after shipping; the buyer is told what to do next."""
    order = shipped(people, title="Winter jacket")
    client.force_login(people.buyer)
    html = client.get(reverse("order-list")).content.decode()
    assert "Winter jacket" in html and "In transit" in html
    assert "60 days left" in html and "&lt;time" not in html  # the deadline's <time> is markup, not text
    assert "When the parcel arrives, confirm receipt" in html
    with time_machine.travel(order.protection_deadline - timedelta(days=12, hours=3)):
        client.force_login(people.buyer)
        assert "12 days left" in client.get(reverse("order-list")).content.decode()
    with time_machine.travel(order.protection_deadline - timedelta(hours=5, minutes=10)):
        client.force_login(people.buyer)
        assert "5 hours left" in client.get(reverse("order-list")).content.decode()


def test_my_orders_tells_the_buyer_when_it_is_their_turn_in_a_dispute(people, client):
    with_offer(people)
    client.force_login(people.buyer)
    html = client.get(reverse("order-list")).content.decode()
    assert "<strong>Accept or decline the seller&#x27;s offer.</strong>" in html


def test_the_sellers_desk_lists_open_disputes_by_the_date_the_answer_is_due(people, client):
    """The seller's disputes, soonest "answer by" first (R-DSP-6 escalates after it)."""
    later = shipped(people, title="Later one")
    sooner = shipped(people, title="Sooner one")
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        open_dispute(people, sooner)
    open_dispute(people, later)
    client.force_login(people.seller)
    html = client.get(reverse("sales")).content.decode()
    assert html.index("Sooner one") < html.index("Later one")
    assert "4 days left" in html and "7 days left" in html


def test_the_sellers_desk_lists_extension_requests_to_answer(people, client):
    extension = pending_extension(people)
    client.force_login(people.seller)
    html = client.get(reverse("sales")).content.decode()
    assert "10 more days" in html and extension.reason in html


def test_a_user_with_only_sales_lands_on_the_sellers_desk(people, client):
    shipped(people)
    client.force_login(people.seller)
    assert client.get(reverse("home"))["Location"] == reverse("sales")
    client.force_login(people.buyer)
    assert client.get(reverse("home"))["Location"] == reverse("order-list")
    client.force_login(people.staff)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


def test_the_order_page_shows_tracking_and_the_timeline_with_who_did_what(people, client):
    order = shipped(people)
    money.tracking_event_record(order=order, actor=people.seller, status="in_transit", location="Moscow hub")
    client.force_login(people.buyer)
    html = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "RR123456789CN" in html and "Moscow hub" in html
    assert re.search(r"<strong>Shipped</strong> — the seller", html)
    assert re.search(r"<strong>Paid</strong> — you", html)


# --- Receipt (R-PRT-2) ------------------------------------------------------------------------------


def test_confirming_receipt_warns_that_it_shortens_protection(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    page = client.get(reverse("order-confirm-receipt", args=[order.pk])).content.decode()
    assert "Confirming shortens your protection." in page
    response = client.post(reverse("order-confirm-receipt", args=[order.pk]), follow=True)
    order = fresh(order)
    assert order.state == Order.State.CONFIRMED
    assert order.dispute_deadline < order.protection_deadline
    assert any("You can still open a dispute until" in m for m in messages_of(response))


def test_confirming_twice_is_refused_with_a_message_not_a_500(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    client.post(reverse("order-confirm-receipt", args=[order.pk]))
    response = client.post(reverse("order-confirm-receipt", args=[order.pk]), follow=True)
    assert response.status_code == 200
    assert any("can't be confirmed" in m for m in messages_of(response))


# --- More protection time (R-PRT-4) ---------------------------------------------------------------


def test_the_buyer_asks_for_more_time_and_the_seller_grants_it(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("extension-request", args=[order.pk]),
        {"days": "10", "reason": "Still in transit."},
        follow=True,
    )
    assert any("sent to the seller" in m for m in messages_of(response))
    extension = ExtensionRequest.objects.get(order=order)
    client.force_login(people.seller)
    html = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Grant 10 more days" in html and "granted automatically" in html
    before = fresh(order).protection_deadline
    client.post(reverse("extension-grant", args=[order.pk, extension.pk]))
    assert fresh(order).protection_deadline == before + timedelta(days=10)
    assert fresh(extension).status == ExtensionRequest.Status.GRANTED


def test_the_seller_declines_with_a_reason_the_buyer_reads(people, client):
    extension = pending_extension(people)
    client.force_login(people.seller)
    client.post(
        reverse("extension-decline", args=[extension.order_id, extension.pk]),
        {"reason": "Tracking says delivered."},
    )
    assert fresh(extension).status == ExtensionRequest.Status.DECLINED
    client.force_login(people.buyer)
    html = client.get(reverse("order-detail", args=[extension.order_id])).content.decode()
    assert "Declined by the seller" in html and "Tracking says delivered." in html


@pytest.mark.parametrize("days", ["0", "31", "-3", "ten", ""])
def test_a_bad_number_of_days_is_explained_and_the_reason_is_kept(people, client, days):
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("extension-request", args=[order.pk]), {"days": days, "reason": "my reason 42"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="error-summary"' in html and "my reason 42" in html
    assert not ExtensionRequest.objects.exists()


def test_a_second_request_while_one_waits_is_refused_with_a_message(people, client):
    extension = pending_extension(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("extension-request", args=[extension.order_id]), {"days": "5", "reason": "again"}, follow=True
    )
    assert any("already have a request waiting" in m for m in messages_of(response))
    assert ExtensionRequest.objects.count() == 1


def test_an_answered_request_cant_be_answered_again(people, client):
    extension = pending_extension(people)
    money.extension_grant(request=extension, actor=people.seller)
    client.force_login(people.seller)
    response = client.post(reverse("extension-decline", args=[extension.order_id, extension.pk]), follow=True)
    assert any("already been answered" in m for m in messages_of(response))
    assert fresh(extension).status == ExtensionRequest.Status.GRANTED


# --- Money trail and refunds (R-ESC-5, R-REF-2) ----------------------------------------------------


def test_the_money_trail_accounts_for_every_cent_of_a_partial_refund(people, client):
    """R-ESC-5: paid, held, refunded (how much, when, to which payment method), released; no fee."""
    dispute = with_offer(people, amount="40.01")
    services.dispute_accept_offer(dispute=dispute, actor=people.buyer)
    client.force_login(people.buyer)
    html = client.get(reverse("order-detail", args=[dispute.order_id])).content.decode()
    assert "You paid with Visa •••• 4242" in html
    assert re.search(r"Refund(ed)? to Visa •••• 4242", html)  # "Refunded" only once paid
    assert re.search(r"Paid</dt><dd[^>]*>\$100\.00", html)
    assert re.search(r"Refunds to you</dt><dd>\$40\.01", html)
    assert re.search(r"Paid to the seller</dt><dd>\$59\.99", html)
    assert re.search(r"Still held by the marketplace</dt><dd>\$0\.00", html)
    assert "no fee is ever deducted from a refund" in html


def test_the_refund_page_gives_the_payout_reference_a_bank_asks_for(people, client):
    dispute = closed_with_refund(people)
    refund = money.refund_send(refund=dispute.refund, actor=people.arbiter)
    client.force_login(people.buyer)
    html = client.get(reverse("refund-detail", args=[dispute.order_id, refund.pk])).content.decode()
    assert refund.payout_reference and refund.payout_reference in html
    assert "$100.00" in html and "(100.00 USD)" in html
    assert "Visa •••• 4242" in html
    assert "Sent to the payment provider" in html
    assert "a complaint to arbitration is opened for you automatically" in html


def test_the_seller_sees_the_refund_but_not_the_buyers_card(people, client):
    dispute = closed_with_refund(people)
    client.force_login(people.seller)
    html = client.get(reverse("refund-detail", args=[dispute.order_id, dispute.refund_id])).content.decode()
    assert "$100.00" in html and "•••• 4242" not in html


def test_a_refund_of_another_order_is_not_found_through_this_order(people, client):
    """R-SEC-1: the refund must belong to the order in the URL."""
    dispute = closed_with_refund(people)
    other = shipped(people)
    client.force_login(people.buyer)
    assert client.get(reverse("refund-detail", args=[other.pk, dispute.refund_id])).status_code == 404


def test_amounts_are_never_shown_rounded(people, client):
    order = shipped(people, amount="1490.00", currency="RUB")
    client.force_login(people.buyer)
    assert "₽1,490.00" in client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert Decimal("1490.00") == fresh(order).amount
