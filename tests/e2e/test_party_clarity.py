# ruff: noqa: F811  (the fixtures imported from test_web_flows are used as arguments)
"""Issue 14 in a real browser (headless Chromium): refusals that say why and what to do instead,
the seller seeing a penalty, and a Russian walk through the buyer's and the seller's pages.

Screenshots go to ``test-artifacts/party-*.png``; look at them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from arbitration import services
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.models import Order, Refund
from tests.e2e.test_web_flows import (  # noqa: F401  (fixtures)
    Visit,
    browser,
    people,
    shipped,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PENALTY_REASON = "Listed a 4,800 mAh power bank as 20,000 mAh."


def test_R_SAF_1_a_buyer_whose_window_ended_is_shown_the_safety_report(browser, site, people):
    buyer, seller = people
    order = money.order_confirm_receipt(order=shipped(buyer, seller), actor=buyer)
    ended = timezone.now() - timedelta(days=1)
    Order.objects.filter(pk=order.pk).update(dispute_deadline=ended, protection_deadline=ended)

    boris = Visit(browser, site).sign_in("boris", "boris-pass-1")
    page = boris.go(f"/orders/{order.pk}/")
    main = page.inner_text("main")
    assert "The time to open a dispute" in main and "Nothing to do" not in main
    assert page.locator("#still-possible").is_visible()
    boris.shot("party-01-window-ended-order")
    page = boris.go(f"/orders/{order.pk}/dispute/")
    assert "The time to open a dispute for this order ended on" in page.inner_text("main")
    assert page.locator("main form.stacked").count() == 0
    boris.shot("party-02-window-ended-dispute-page")
    page.locator("#still-possible").get_by_role("link", name="Report an unsafe product").click()
    page.wait_for_selector("h1")
    assert page.url.endswith(f"/orders/{order.pk}/report-unsafe/")
    boris.close()


def test_R_DSP_3_the_fifth_amendment_says_the_rule_not_the_state(browser, site, people):
    buyer, seller = people
    dispute = services.dispute_open(
        order=shipped(buyer, seller),
        actor=buyer,
        reason="damaged",
        resolution="full_refund",
        description="Cracked.",
    )
    for n in range(settings.MAX_DISPUTE_AMENDMENTS):
        services.dispute_amend(
            dispute=dispute, actor=buyer, reason="damaged", resolution="full_refund", description=f"v{n}"
        )

    boris = Visit(browser, site).sign_in("boris", "boris-pass-1")
    page = boris.go(f"/disputes/{dispute.pk}/")
    refused = page.inner_text("#refused-amend")
    assert "You have used all 4 amendments of this claim" in refused
    boris.shot("party-03-amendments-used-up")
    page = boris.go(f"/disputes/{dispute.pk}/amend/")  # an old tab, a bookmark
    page.wait_for_selector(".messages")
    message = page.inner_text(".messages")
    assert "You have used all 4 amendments" in message and "can't do that now" not in message
    boris.shot("party-04-fifth-amendment-refused")
    boris.close()


def test_R_ARB_5_the_seller_sees_the_penalty_and_its_reason(browser, site, people):
    buyer, seller = people
    arbiter = type(buyer).objects.create_user(username="alina", password="alina-pass-1", is_staff=True)
    arbiter.groups.add(Group.objects.get(name="Arbiters"))
    dispute = services.dispute_open(
        order=shipped(buyer, seller, title="Power bank 20000 mAh", amount="32.50"),
        actor=buyer,
        reason="counterfeit",
        resolution="full_refund",
        description="4,800 mAh.",
    )
    services.dispute_reject_claim(dispute=dispute, actor=seller, explanation="It is genuine.")
    services.dispute_escalate(dispute=Dispute.objects.get(pk=dispute.pk), actor=buyer)
    services.case_take(case=Dispute.objects.get(pk=dispute.pk), actor=arbiter)
    services.dispute_decide(
        dispute=Dispute.objects.get(pk=dispute.pk),
        actor=arbiter,
        outcome="full_refund",
        rationale="The capacity test shows 4,800 mAh.",
        penalty_amount="15.00",
        penalty_reason=PENALTY_REASON,
    )

    sam = Visit(browser, site).sign_in("sam", "sam-pass-1")
    page = sam.go(f"/disputes/{dispute.pk}/")
    penalty = page.inner_text(".penalty")
    assert "Penalty against you: $15.00" in penalty and PENALTY_REASON in penalty
    trail = page.inner_text("#money-heading + p + table")
    assert "Penalty against you" in trail and PENALTY_REASON in trail
    sam.shot("party-05-seller-sees-penalty")
    sam.close()


def test_a_russian_walk_through_the_buyers_and_the_sellers_pages(browser, site, people):
    buyer, seller = people
    for user in people:
        user.preferred_language = "ru"
        user.save(update_fields=["preferred_language"])
    dispute = services.dispute_open(
        order=shipped(buyer, seller, title="Кроссовки беговые, 42", amount="3990.00"),
        actor=buyer,
        reason="not_as_described",
        resolution="partial_refund",
        requested_amount="1500.50",
        description="Подошва отклеилась через день.",
    )
    services.dispute_make_offer(dispute=dispute, actor=seller, kind="partial_refund", amount="1000", note="")
    closed = services.dispute_open(
        order=shipped(buyer, seller, title="Электрочайник", amount="2490.00"),
        actor=buyer,
        reason="damaged",
        resolution="full_refund",
        description="Течёт.",
    )
    services.dispute_seller_accept(dispute=closed, actor=seller)
    refund = Refund.objects.get(order=closed.order)
    Refund.objects.filter(pk=refund.pk).update(state=Refund.State.SENT, sent_at=timezone.now())

    english = ("Your turn", "What next", "Money trail", "Nothing to do", "My orders", "Refunded to you")
    walks = {
        "buyer": [
            ("orders", "/orders/"),
            ("order", f"/orders/{dispute.order_id}/"),
            ("dispute", f"/disputes/{dispute.pk}/"),
            ("closed-dispute", f"/disputes/{closed.pk}/"),
            ("refund", f"/orders/{closed.order_id}/refunds/{refund.pk}/"),
        ],
        "seller": [
            ("sales", "/sales/"),
            ("dispute", f"/disputes/{dispute.pk}/"),
            ("closed-dispute", f"/disputes/{closed.pk}/"),
        ],
    }
    logins = {"buyer": ("boris", "boris-pass-1"), "seller": ("sam", "sam-pass-1")}
    for role, pages in walks.items():
        visit = Visit(browser, site, locale="ru-RU").sign_in(*logins[role])
        page = visit.go("/orders/")
        page.select_option("#language-choice", "ru")
        page.click("form.language button")
        page.wait_for_load_state()
        for name, path in pages:
            page = visit.go(path)
            main = page.inner_text("body")
            assert page.get_attribute("html", "lang") == "ru", (role, name)
            for text in english:
                assert text not in main, (role, name, text)
            visit.shot(f"party-ru-{role}-{name}")
        visit.close()
