"""The buyer's and seller's pages in a real browser (headless Chromium), end to end.

Each test drives the site as people do — signing in, clicking, typing, choosing files — against
``live_server`` and saves screenshots to ``test-artifacts/`` (look at them: they are the proof
that the pages read well, at desktop and phone width, in English and Russian).

Flows (SPEC §1): a buyer opens a dispute with a photo, the seller offers a partial refund, the
buyer accepts and sees the refund in the money trail (R-DSP-2, R-DSP-5, R-ESC-5); a buyer with a
flagged "close the dispute, I'll pay by PayPal" message tries to withdraw and gets the warning
and a second confirmation (R-DSP-8, R-DSP-9); a buyer asks for more protection time and the
seller grants it (R-PRT-4); the same dispute page in Russian.
"""

from __future__ import annotations

import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from PIL import Image

from arbitration import services
from arbitration.models import Dispute, Evidence
from marketplace import services as money
from marketplace.models import ExtensionRequest, Order

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
User = get_user_model()

if not Path(CHROMIUM).exists():
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise RuntimeError(f"REQUIRE_SERVICES=1 but {CHROMIUM} is missing: apt-get install chromium")
    pytest.skip(
        f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

playwright_api = pytest.importorskip("playwright.sync_api")

# Transactional (the live server is another thread); serialized rollback puts back the rows the
# migrations made (staff groups, solicitation patterns) for the tests that run after these.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server's URL, its middleware reloaded under this test's settings.

    pytest-django starts the live server once per session, before any function fixture, so its
    middleware read the production defaults (``SECURE_SSL_REDIRECT``); the suite's autouse
    ``_plain_http`` fixture has switched them off by now, and the reload applies that.
    """
    handler = live_server.thread.httpd.get_app()
    while handler is not None:  # static files -> media files -> Django: each may hold a chain
        handler.load_middleware()
        handler = getattr(handler, "application", None)
    return live_server.url


@pytest.fixture
def browser(site, people):
    """Chromium, started after the database is ready for the test and stopped before it is flushed.

    (Playwright's sync API runs an event loop in this thread; Django's connections are per
    context, so the database work of the test's setup and teardown must not happen under it.)
    """
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
        # The test's own queries ran under Playwright's loop, on a connection of that context:
        # close it here, in that context, or PostgreSQL can't drop the test database at the end.
        connections.close_all()


@pytest.fixture
def people(db):
    buyer = User.objects.create_user(
        username="boris",
        password="boris-pass-1",
        first_name="Boris",
        last_name="Buyer",
        email="boris@example.com",
    )
    seller = User.objects.create_user(
        username="sam",
        password="sam-pass-1",
        first_name="Sam",
        last_name="Seller",
        email="sam@example.com",
        return_address="Sam Seller, Returns desk, 12 Warehouse Road, Shenzhen",
    )
    return buyer, seller


def shipped(buyer, seller, *, title="Robot vacuum cleaner", amount="240.00") -> Order:
    order = money.order_pay(
        buyer=buyer,
        seller=seller,
        item_title=title,
        amount=Decimal(amount),
        currency="USD",
        payment_method="Visa •••• 4242",
    )
    return money.order_ship(
        order=order, actor=seller, carrier="China Post", tracking_number="LP00123456789CN"
    )


# What Chromium reported as blocked by the Content-Security-Policy (issue 13): nothing may be.
CSP_VIOLATIONS: list[str] = []


@pytest.fixture(autouse=True)
def _no_csp_violations():
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == []


def _report_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(message.text)


class Visit:
    """One person's browser: a context of its own (cookies), signing in through the real form."""

    def __init__(self, browser, base_url: str, *, width: int = 1100, locale: str = "en-US"):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
        self.page = self.context.new_page()
        self.page.on("console", _report_csp_violation)
        self.base = base_url

    def sign_in(self, username: str, password: str) -> Visit:
        self.page.goto(self.base + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("form.stacked button[type=submit]")
        self.page.wait_for_load_state()
        return self

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


def photo(tmp_path: Path, name="cracked-case.png") -> Path:
    image = Image.new("RGB", (640, 480), "#d9d4cc")
    for x in range(200, 440):  # a "crack"
        image.putpixel((x, 240 + (x % 17) - 8), (40, 40, 40))
    path = tmp_path / name
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_buyer_disputes_with_a_photo_the_seller_offers_a_partial_refund_and_the_buyer_accepts(
    browser, site, people, tmp_path
):
    """R-DSP-2, R-DSP-5, R-ESC-5 in the browser."""
    buyer, seller = people
    order = shipped(buyer, seller)

    boris = Visit(browser, site).sign_in("boris", "boris-pass-1")
    page = boris.go(f"/orders/{order.pk}/")
    page.get_by_role("link", name="Open a dispute").click()
    page.check("label:has-text('Damaged or defective') input")
    page.check("label:has-text('Full refund') input")
    page.fill("#id_description", "The side brush motor does not turn and the case is cracked.")
    page.set_input_files("#id_files", str(photo(tmp_path)))
    assert "cracked-case.png" in page.inner_text(".file-list")  # the chosen file is listed before sending
    boris.shot("web-01-dispute-form")
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.click("button:has-text('Open the dispute')")
    assert posted.value.resource_type == "xhr"  # sent by the page's script, which shows upload progress
    page.wait_for_selector("h1:has-text('Dispute: Robot vacuum cleaner')")
    dispute = Dispute.objects.get(order=order)
    assert page.url.endswith(f"/disputes/{dispute.pk}/")
    assert "Your dispute is open" in page.inner_text(".messages")
    assert Evidence.objects.get(dispute=dispute).original_name == "cracked-case.png"
    assert page.locator(".evidence img").count() == 1  # the photo is shown, as a thumbnail
    boris.shot("web-02-dispute-opened-buyer")

    sam = Visit(browser, site).sign_in("sam", "sam-pass-1")
    page = sam.go("/sales/")
    assert "Robot vacuum cleaner" in page.inner_text("main")
    page.get_by_role("link", name="Damaged or defective").click()
    assert "Your turn" in page.inner_text("#turn-heading")
    sam.shot("web-03-dispute-seller-turn")
    form = page.locator("#action-make_offer form")
    form.locator("label:has-text('Partial refund') input").check()
    form.locator("input[name=amount]").fill("40.00")
    form.locator("textarea[name=note]").fill("We can refund 40 USD and you keep the vacuum cleaner.")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Your offer was sent to the buyer.")
    sam.close()

    page = boris.go(f"/disputes/{dispute.pk}/")
    assert "Partial refund: $40.00" in page.inner_text("#action-accept_offer")
    boris.shot("web-04-offer-to-buyer")
    page.click("#action-accept_offer a:has-text('Accept the offer')")
    page.click("button:has-text('Confirm: accept the offer')")  # after what happens is said (R-DSP-5)
    page.wait_for_selector("text=You accepted the offer.")
    trail = page.inner_text("#money-heading + p + table")
    assert re.search(r"Refund(ed)? to Visa •••• 4242", trail) and "$40.00" in trail
    totals = page.inner_text("dl[aria-label=Totals]")
    assert re.search(r"Refunds to you\s+\$40\.00", totals) and re.search(
        r"Paid to the seller\s+\$200\.00", totals
    )
    boris.shot("web-05-money-trail-after-accepting")
    page.get_by_role("link", name="Refund details").first.click()
    reference = page.inner_text("dl.facts code")
    assert reference.startswith("SIM-")  # the simulated gateway's payout reference (R-REF-2)
    boris.shot("web-06-refund-page")
    boris.close()


def test_a_buyer_trying_to_withdraw_after_a_flagged_message_is_warned_twice(browser, site, people):
    """R-DSP-8 (the warning beside the message), R-DSP-9 (warning and second confirmation)."""
    buyer, seller = people
    dispute = services.dispute_open(
        order=shipped(buyer, seller),
        actor=buyer,
        reason="not_received",
        resolution="full_refund",
        description="Nothing arrived.",
    )

    sam = Visit(browser, site).sign_in("sam", "sam-pass-1")
    page = sam.go(f"/disputes/{dispute.pk}/")
    page.fill(
        "#message_body", "Please close the dispute, I'll pay you by PayPal. It is faster for both of us."
    )
    page.click("#action-message button:has-text('Send')")
    page.wait_for_selector("text=Message sent.")
    assert "Promises made outside the platform" not in page.inner_text("main")  # the seller is not tipped off
    sam.close()

    boris = Visit(browser, site).sign_in("boris", "boris-pass-1")
    page = boris.go(f"/disputes/{dispute.pk}/")
    flagged = page.locator("li.flagged")
    assert "Promises made outside the platform are not protected" in flagged.inner_text()
    boris.shot("web-07-flagged-message")
    page.get_by_role("link", name="Withdraw the dispute…").click()
    assert "can't be reopened" in page.inner_text("[role=alert]")
    assert "I'll pay you by PayPal" in page.inner_text("blockquote")
    page.click("button:has-text('Withdraw the dispute')")
    assert "Tick the box to confirm" in page.inner_text("#error-summary")  # nothing ticked: nothing happens
    page.check("#id_confirmed")
    page.click("button:has-text('Withdraw the dispute')")
    page.wait_for_selector("h1:has-text('Second confirmation')")
    assert Dispute.objects.get(pk=dispute.pk).state == Dispute.State.OPEN
    boris.shot("web-08-withdraw-second-confirmation")
    page.check("#id_confirmed_despite_solicitation")
    page.click("button:has-text('Withdraw anyway')")
    page.wait_for_selector("text=You withdrew the dispute.")
    assert Dispute.objects.get(pk=dispute.pk).outcome == Dispute.Outcome.WITHDRAWN
    boris.close()


def test_a_buyer_asks_for_more_protection_time_and_the_seller_grants_it(browser, site, people):
    """R-PRT-4 in the browser: the request, the seller's desk, the grant, the new deadline."""
    buyer, seller = people
    order = shipped(buyer, seller, title="Winter jacket, size L", amount="64.00")
    deadline = order.protection_deadline

    boris = Visit(browser, site, width=390).sign_in("boris", "boris-pass-1")  # a phone
    page = boris.go("/orders/")
    assert "60 days left" in page.inner_text("main")
    page.get_by_role("link", name="Winter jacket, size L").click()
    page.fill("#id_days", "45")
    page.fill("#id_reason", "Tracking has not moved for two weeks.")
    page.click("button:has-text('Ask the seller for more time')")
    assert "Between 1 and 30" in page.inner_text("main")  # too many days: explained, reason kept
    assert page.input_value("#id_reason") == "Tracking has not moved for two weeks."
    page.fill("#id_days", "15")
    page.click("button:has-text('Ask the seller for more time')")
    page.wait_for_selector("text=Your request was sent to the seller.")
    boris.shot("web-09-extension-requested-phone")

    sam = Visit(browser, site).sign_in("sam", "sam-pass-1")
    page = sam.go("/sales/")
    assert "15 more days for “Winter jacket, size L”" in page.inner_text("main")
    page.click("a:has-text('Answer')")
    page.click("button:has-text('Grant 15 more days')")
    page.wait_for_selector("text=You granted 15 more days.")
    sam.shot("web-10-extension-granted-seller")
    sam.close()

    order = Order.objects.get(pk=order.pk)
    assert (order.protection_deadline - deadline).days == 15
    assert ExtensionRequest.objects.get(order=order).status == ExtensionRequest.Status.GRANTED
    page = boris.go(f"/orders/{order.pk}/")
    assert "Granted by the seller" in page.inner_text("main")
    boris.close()


def test_the_dispute_page_in_russian(browser, site, people):
    """The same dispute page in Russian: texts, dates and money per locale; the choice is remembered."""
    buyer, seller = people
    dispute = services.dispute_open(
        order=shipped(buyer, seller, amount="1490.00"),
        actor=buyer,
        reason="damaged",
        resolution="partial_refund",
        requested_amount="500.00",
        description="Корпус треснул, щётка не крутится.",
    )
    services.dispute_make_offer(
        dispute=dispute,
        actor=seller,
        kind="partial_refund",
        amount="300.00",
        note="Можем вернуть 300 долларов.",
    )

    boris = Visit(browser, site).sign_in("boris", "boris-pass-1")
    page = boris.go(f"/disputes/{dispute.pk}/")
    page.select_option("#language-choice", "ru")
    page.click("form.language button")
    page.wait_for_selector("html[lang=ru]")
    text = page.inner_text("main")
    assert "Ваша очередь" in text
    assert "Частичный возврат денег: 300,00\u00a0$" in text  # money in the Russian format
    assert re.search(r"\d{1,2} [а-я]+ 20\d\d г\.", text)  # a date in Russian
    assert User.objects.get(pk=buyer.pk).preferred_language == "ru"  # emails will be in Russian too
    boris.shot("web-11-dispute-page-russian")
    boris.close()

    phone = Visit(browser, site, width=390, locale="ru-RU").sign_in("boris", "boris-pass-1")
    page = phone.go(f"/disputes/{dispute.pk}/")
    assert "Ваша очередь" in page.inner_text("main")  # signed in again: the saved language is used
    phone.shot("web-12-dispute-page-russian-phone")
    phone.close()
