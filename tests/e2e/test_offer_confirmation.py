# ruff: noqa: F811  (the fixtures imported from test_web_flows are used as arguments)
"""Accepting the seller's offer in a real browser (headless Chromium), in English and Russian
(R-DSP-5, R-DSP-1): the dispute page's button leads to a page that says what happens to the money
and that the dispute closes for good, and only its confirm button accepts.

Screenshots go to ``test-artifacts/offer-*.png``; look at them.
"""

from __future__ import annotations

import re

import pytest

from arbitration import services
from arbitration.models import Dispute
from tests.e2e.test_web_flows import (  # noqa: F401  (fixtures)
    Visit,
    browser,
    people,
    shipped,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def with_offer(buyer, seller, *, kind="partial_refund", amount="40.00", note="") -> Dispute:
    dispute = services.dispute_open(
        order=shipped(buyer, seller),  # 240.00 USD
        actor=buyer,
        reason="damaged",
        resolution="full_refund",
        description="The case is cracked.",
    )
    services.dispute_make_offer(
        dispute=dispute,
        actor=seller,
        kind=kind,
        amount=amount,
        return_address="Sam Seller, Returns desk, 12 Warehouse Road, Shenzhen",
        note=note,
    )
    return dispute


def test_R_DSP_5_the_buyer_sees_what_accepting_does_before_confirming_it(browser, site, people):
    buyer, seller = people
    dispute = with_offer(buyer, seller, note="We can refund 40 USD and you keep the vacuum cleaner.")

    boris = Visit(browser, site).sign_in("boris", "boris-pass-1")
    page = boris.go(f"/disputes/{dispute.pk}/")
    page.click("#action-accept_offer a:has-text('Accept the offer')")
    page.wait_for_selector("h1:has-text('Accept the seller')")
    assert Dispute.objects.get(pk=dispute.pk).state == Dispute.State.OPEN  # looking accepts nothing
    box = page.inner_text("[aria-labelledby=effects-heading]")
    assert "What happens when you confirm" in box
    assert "refunded $40.00" in box and "$200.00, is released to the seller" in box
    assert "can never be reopened" in box
    # The offer itself is shown beside what accepting it does.
    assert "Partial refund: $40.00" in page.inner_text("main")
    boris.shot("offer-01-confirm-accepting-en")

    page.click("button:has-text('Confirm: accept the offer')")
    page.wait_for_selector("text=You accepted the offer.")
    assert Dispute.objects.get(pk=dispute.pk).state == Dispute.State.CLOSED
    boris.shot("offer-02-accepted-en")
    boris.close()


def test_R_DSP_5_the_confirmation_in_russian_at_phone_width(browser, site, people):
    buyer, seller = people
    buyer.preferred_language = "ru"
    buyer.save(update_fields=["preferred_language"])
    dispute = with_offer(
        buyer, seller, kind="return_and_refund", amount="240.00", note="Пришлите, пожалуйста, обратно."
    )

    boris = Visit(browser, site, width=390, locale="ru-RU").sign_in("boris", "boris-pass-1")
    page = boris.go(f"/disputes/{dispute.pk}/")
    page.wait_for_selector("html[lang=ru]")
    card = page.locator("#action-accept_offer")
    assert "На следующей странице вы увидите, что будет с деньгами" in card.inner_text()
    card.scroll_into_view_if_needed()
    boris.shot("offer-03-dispute-page-ru-phone")
    card.get_by_role("link", name="Принять предложение…").click()
    page.wait_for_selector("h1:has-text('Принять предложение продавца?')")
    main = page.inner_text("main")
    assert "Принять предложение продавца?" in main
    box = page.inner_text("[aria-labelledby=effects-heading]")
    assert "Что произойдёт после подтверждения" in box
    assert re.search(r"в течение \d+ дн", box) and "вся оплата уйдёт продавцу" in box
    assert "240,00\u00a0$" in box  # money in the Russian format
    assert "What happens" not in main and "Confirm" not in main
    boris.shot("offer-04-confirm-return-ru-phone")

    page.click("button:has-text('Подтвердить: принять предложение')")
    page.wait_for_selector("text=Вы приняли предложение.")
    assert Dispute.objects.get(pk=dispute.pk).state == Dispute.State.AWAITING_RETURN
    boris.shot("offer-05-accepted-ru-phone")
    boris.close()
