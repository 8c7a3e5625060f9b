"""Accepting the seller's offer is confirmed on a page that first says what it does (R-DSP-5): the
refund, what the seller is paid from escrow, and that the dispute then closes for good (R-DSP-1).
The same confirmation step (``includes/confirm_effects.html``) as confirming receipt (R-PRT-2).
The API's accept endpoint is for machines and has no such step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arbitration.models import Dispute
from tests.support import fresh, messages_of
from tests.web.conftest import shipped, with_offer

pytestmark = pytest.mark.django_db


def accept_url(dispute) -> str:
    return reverse("dispute-offer-accept", args=[dispute.pk])


def test_R_DSP_5_the_dispute_page_leads_to_the_confirmation_instead_of_accepting_at_once(people, client):
    dispute = with_offer(people)
    client.force_login(people.buyer)
    html = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()

    assert f'<a class="button" href="{accept_url(dispute)}">Accept the offer…</a>' in html
    assert "You will see what happens to the money and confirm on the next page." in html
    assert f'action="{accept_url(dispute)}"' not in html  # no form there that accepts in one click


def test_R_DSP_5_the_confirmation_says_the_refund_the_sellers_share_and_that_it_is_final(people, client):
    dispute = with_offer(people)  # 40.00 of the 100.00 held
    client.force_login(people.buyer)
    html = client.get(accept_url(dispute)).content.decode()

    assert "Accept the seller&#x27;s offer?" in html
    assert "What happens when you confirm" in html
    assert "You keep the item and are refunded $40.00 to the payment method you paid with" in html
    assert "The rest of the payment held in escrow, $60.00, is released to the seller." in html
    assert "The dispute closes for good: it can never be reopened" in html  # R-DSP-1
    assert '<input type="hidden" name="confirmed_effects" value="yes">' in html
    assert "Confirm: accept the offer" in html
    assert fresh(dispute).state == Dispute.State.OPEN  # looking changes nothing


def test_R_DSP_5_a_post_without_the_confirmation_shows_the_step_and_keeps_what_was_sent(people, client):
    """An older page's one-click form (or a replayed post) can't accept without the step."""
    dispute = with_offer(people)
    offer = dispute.pending_offer()
    client.force_login(people.buyer)
    response = client.post(accept_url(dispute), {"offer_id": offer.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "What happens when you confirm" in html
    assert f'name="offer_id" value="{offer.pk}"' in html  # the same offer is confirmed next
    assert fresh(dispute).state == Dispute.State.OPEN


def test_R_DSP_5_confirming_accepts_the_offer_and_closes_the_dispute(people, client):
    dispute = with_offer(people)
    client.force_login(people.buyer)
    response = client.post(
        accept_url(dispute),
        {"offer_id": dispute.pending_offer().pk, "confirmed_effects": "yes"},
        follow=True,
    )

    assert fresh(dispute).state == Dispute.State.CLOSED
    assert any("You accepted the offer." in m for m in messages_of(response))


def test_R_DSP_5_a_return_offer_says_the_ship_by_days_and_what_an_unshipped_return_costs(
    people, client, settings
):
    dispute = with_offer(people, amount="100.00", kind="return_and_refund")
    client.force_login(people.buyer)
    html = client.get(accept_url(dispute)).content.decode()

    assert f"within {settings.RETURN_SHIP_DAYS} days" in html
    assert "If it is not shipped in time, the dispute closes and the whole payment goes to the seller" in html
    assert "you are refunded $100.00" in html
    assert "then goes to the seller" not in html  # the whole amount is refunded: no rest to release
    assert "once the dispute closes it can never be reopened" in html


def test_R_DSP_5_the_confirmation_in_russian(people, client, settings):
    people.buyer.preferred_language = "ru"
    people.buyer.save(update_fields=["preferred_language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    dispute = with_offer(people)
    client.force_login(people.buyer)
    html = client.get(accept_url(dispute)).content.decode()

    assert "Что произойдёт после подтверждения" in html
    assert "Спор закроется навсегда" in html
    assert "What happens" not in html and "Confirm: accept" not in html


def test_R_PRT_2_confirming_receipt_uses_the_same_confirmation_step(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    html = client.get(reverse("order-confirm-receipt", args=[order.pk])).content.decode()

    assert 'aria-labelledby="effects-heading"' in html
    assert "Confirming shortens your protection." in html and "instead of" in html
