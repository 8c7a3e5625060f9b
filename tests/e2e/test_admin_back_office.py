"""The arbiter back office in a real browser (headless Chromium), end to end.

- An arbiter signs in, takes the oldest escalated case from the queue, opens an evidence
  thumbnail full size, decides a partial refund through the confirmation step and sees the
  money trail change (R-ARB-1, R-ARB-3, R-ARB-2, R-ESC-5).
- A finance operator records the payout and marks the refund paid (R-REF-3).
- A supervisor reassigns a case to another arbiter.

Screenshots go to ``test-artifacts/`` (gitignored); look at them.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from arbitration import services
from arbitration.models import Decision, Dispute, Evidence
from marketplace.models import Refund, User
from tests.admin.conftest import Cases, ago
from tests.ops.otp import totp_code, totp_device
from tests.people import PASSWORD, People, make_people
from tests.support import fresh

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

if not Path(CHROMIUM).exists():
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise RuntimeError(f"REQUIRE_SERVICES=1 but {CHROMIUM} is missing: apt-get install chromium")
    pytest.skip(
        f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

playwright_api = pytest.importorskip("playwright.sync_api")

# Transactional (the live server is another thread); serialized rollback puts back the rows the
# migrations made (the staff groups, the solicitation patterns) for the tests that run after these.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(live_server) -> str:
    """The live server's URL, its middleware reloaded under this test's settings (plain HTTP)."""
    handler = live_server.thread.httpd.get_app()
    while handler is not None:
        handler.load_middleware()
        handler = getattr(handler, "application", None)
    return live_server.url


@pytest.fixture
def people(db) -> People:
    return make_people(surnames=True, passwords=True)


def photo(name: str = "cracked-case.jpg") -> SimpleUploadedFile:
    """A 960×640 photo of a 'cracked case', big enough that full size and thumbnail differ."""
    image = Image.new("RGB", (960, 640), "#d9d4cc")
    draw = ImageDraw.Draw(image)
    draw.rectangle((240, 160, 720, 480), fill="#f4f1ea", outline="#555", width=6)
    draw.line([(300, 200), (420, 330), (380, 380), (560, 470)], fill="#222", width=7)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def queue(people):
    """Two escalated cases; the older one has the buyer's photo of the damage."""
    cases = Cases(people)
    oldest = cases.open(
        opened_ago=timedelta(days=11),
        title="Robot vacuum cleaner",
        amount="240.00",
        reason="damaged",
        description="The case arrived cracked and the brush does not turn.",
    )
    with ago(timedelta(days=10, hours=23)):
        services.dispute_post_message(
            dispute=oldest, actor=people.buyer, body="Photo of the cracked case.", files=[photo()]
        )
    with ago(timedelta(days=3)):
        services.dispute_escalate_overdue(dispute=oldest, actor=_scheduler())
    newer = cases.escalated(days_ago=1, title="Smartwatch GT-3", amount="89.00")
    return {"oldest": fresh(oldest), "newer": newer, "cases": cases}


def _scheduler():
    from marketplace.actors import scheduler_user

    return scheduler_user()


@pytest.fixture
def browser(site, queue):
    """Chromium, started after the test's data exists (the ORM is not used under its event loop)."""
    from django.db import connections

    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
        # The test's own ORM calls ran under Playwright's event loop, on connections of that
        # context: close them here, or PostgreSQL refuses to drop the test database at the end.
        connections.close_all()


class Desk:
    """One person's browser session in the back office, signed in through the admin login."""

    def __init__(self, browser, base: str, username: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 950})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Issue 13: nothing on the back office's pages is blocked by the Content-Security-Policy.
        self.page.on(
            "console",
            lambda message: (
                self.errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        self.base = base
        device = totp_device(User.objects.get(username=username))
        self.page.goto(base + "/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_load_state()
        # R-OPS-1: staff confirm it is them with the code of their authenticator app.
        self.page.fill("#id_token", totp_code(device))
        self.page.click("button[type=submit]:has-text('Confirm')")
        self.page.wait_for_load_state()

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def messages(self) -> str:
        return " ".join(self.page.locator("ul.messagelist li").all_text_contents())


def test_an_arbiter_takes_the_oldest_case_reads_the_evidence_and_decides_a_partial_refund(
    browser, site, queue, people
):
    desk = Desk(browser, site, "alina")
    page = desk.page
    oldest = queue["oldest"]

    # The dashboard, then the queue: oldest escalation first (R-ARB-1)
    assert page.locator("#dashboard").is_visible()
    desk.shot("admin-dashboard-arbiter")
    desk.go("/admin/arbitration/dispute/")
    first_row = page.locator("#result_list tbody tr").first
    assert oldest.order.number in first_row.inner_text()
    desk.shot("admin-queue")

    # Take it with the queue's action
    first_row.locator("input.action-select").check()
    page.select_option("select[name=action]", "take_cases")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert "You took 1 case." in desk.messages()

    # The case page: everything on one page; the thumbnail opens the photo full size (R-ARB-3)
    taken = page.locator("#result_list tbody tr", has_text=oldest.order.number)
    assert "you" in taken.inner_text()  # now in review, mine: listed after the cases still waiting
    taken.locator("th a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().startswith(f"Dispute #{oldest.pk}")
    evidence = Evidence.objects.get(dispute_id=oldest.pk)
    thumbnail = page.locator(f"#evidence-{evidence.pk} img")
    thumbnail.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumbnail.element_handle())
    assert evidence.sha256 in page.inner_html("#evidence")
    thumbnail.click()
    full = page.locator("dialog#ax-lightbox img")
    full.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('#ax-lightbox img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("() => document.querySelector('#ax-lightbox img').naturalWidth") == 960
    desk.shot("admin-evidence-full-size", full_page=False)
    page.keyboard.press("Escape")
    desk.shot("admin-case-page")

    # Decide: the form, a mistake, the confirmation with the money effect, the commit (R-ARB-2)
    page.click("#case-actions >> text=Decide")
    page.wait_for_load_state()
    page.check("input[name=outcome][value=partial_refund]")
    assert page.locator("#id_return_address").is_hidden()  # only the fields this outcome uses
    page.fill("#id_refund_amount", "240.00")
    page.fill(
        "#id_rationale", "The photo shows the cracked case; the vacuum still cleans, so half back is fair."
    )
    page.click("button[name=review]")
    page.wait_for_load_state()
    assert "less than the 240.00 USD held" in page.inner_text("#content")
    assert page.input_value("#id_rationale").startswith("The photo shows the cracked case")
    page.fill("#id_refund_amount", "120.00")
    page.click("button[name=review]")
    page.wait_for_load_state()
    effect = page.locator("#decision-effect")
    assert page.inner_text("#effect-refund") == "$120.00"
    assert page.inner_text("#effect-release") == "$120.00"
    desk.shot("admin-decision-confirmation")
    assert fresh(oldest).state == Dispute.State.UNDER_REVIEW  # nothing happened yet
    assert effect.is_visible()
    page.click("button[name=confirm]")
    page.wait_for_load_state()

    assert "Decision recorded: Partial refund." in desk.messages()
    money_box = page.inner_text("#money")
    assert "Refunded $120.00" in money_box and "Seller keeps $120.00" in money_box
    assert "In escrow $0.00" in money_box
    assert "final, can't be changed" in page.inner_text("#content")
    assert page.locator("#case-actions").count() == 0  # nothing left to do here
    desk.shot("admin-case-decided")
    decision = Decision.objects.get(dispute_id=oldest.pk)
    assert (decision.outcome, decision.refund_amount, decision.decided_by_id) == (
        "partial_refund",
        Decimal("120.00"),
        people.arbiter.pk,
    )
    assert desk.errors == []


def test_a_finance_operator_records_the_payout_and_marks_the_refund_paid(browser, site, queue, people):
    dispute = queue["cases"].decided(refund_amount="40.00", by=people.arbiter)
    refund = Refund.objects.get(pk=dispute.refund_id)
    desk = Desk(browser, site, "fedor")
    page = desk.page

    desk.go("/admin/marketplace/refund/")
    assert refund.order.number in page.inner_text("#result_list")
    desk.shot("admin-refunds-worklist")
    page.click(f"#result_list a[href$='/refund/{refund.pk}/change/']")
    page.wait_for_load_state()

    if page.locator(".object-tools >> text=Mark sent").count():  # still pending: paid by bank transfer
        page.click(".object-tools >> text=Mark sent")
        page.wait_for_load_state()
        page.click("button.ax-primary")  # no reference yet
        page.wait_for_load_state()
        assert "This field is required." in page.inner_text("#content")
        page.fill("#id_reference", "SEPA-2026-0042")
        page.click("button.ax-primary")
        page.wait_for_load_state()
        assert "Mark sent done." in desk.messages()
    page.click(".object-tools >> text=Mark paid")
    page.wait_for_load_state()
    page.click("button.ax-primary")
    page.wait_for_load_state()

    assert "Mark paid done." in desk.messages()
    assert "Paid" in page.inner_text(".ax-turn")
    desk.shot("admin-refund-paid")
    assert fresh(refund).state == Refund.State.COMPLETED
    assert desk.errors == []


def test_a_supervisor_reassigns_a_case_to_another_arbiter(browser, site, queue, people):
    with ago(timedelta(hours=2)):
        services.case_take(case=queue["newer"], actor=people.arbiter)
    desk = Desk(browser, site, "sofia")
    page = desk.page

    desk.go(f"/admin/arbitration/dispute/{queue['newer'].pk}/change/")
    assert "Alina Arbiter" in page.inner_text(".ax-turn")
    page.click("#case-actions >> text=Reassign the case")
    page.wait_for_load_state()
    page.select_option("#id_arbiter", label="Artem Arbiter")
    page.click("button.ax-primary")
    page.wait_for_load_state()

    assert "Case reassigned to Artem Arbiter." in desk.messages()
    assert "Artem Arbiter" in page.inner_text(".ax-turn")
    desk.shot("admin-case-reassigned")
    assert fresh(queue["newer"]).assigned_arbiter_id == people.arbiter2.pk
    assert desk.errors == []


def test_a_finance_operator_retries_a_failed_payout_to_a_new_destination(browser, site, queue, people):
    """Issue 14, R-REF-3: the buyer's card was closed; finance sends the retry to their new account."""
    from marketplace import services as money
    from marketplace.models import SimulatedPayout

    dispute = queue["cases"].decided(refund_amount="40.00", by=people.arbiter)
    refund = Refund.objects.get(pk=dispute.refund_id)
    if refund.state == Refund.State.PENDING:  # not sent through the gateway yet: by bank transfer
        money.refund_mark_sent(refund=refund, actor=people.finance, reference="SEPA-2026-0042")
    # The provider declines it (the card was closed), and finance records what the provider says.
    SimulatedPayout.objects.filter(idempotency_key=fresh(refund).gateway_key).update(
        status=SimulatedPayout.Status.FAILED, failure_reason="Card closed by the bank"
    )
    money.refund_mark_failed(refund=refund, actor=people.finance, reason="Card closed by the bank")
    desk = Desk(browser, site, "fedor")
    page = desk.page

    desk.go(f"/admin/marketplace/refund/{refund.pk}/change/")
    page.click(".object-tools >> text=Retry the payout")
    page.wait_for_load_state()
    assert "Card closed by the bank" in page.inner_text("#content")
    assert page.input_value("#id_destination") == "Visa •••• 4242"  # where the failed payout went
    page.fill("#id_destination", "IBAN DE89 3704 0044 0532 0130 00")
    desk.shot("admin-refund-retry-new-destination")
    page.click("button.ax-primary")
    page.wait_for_load_state()

    assert "Retry the payout done." in desk.messages()
    assert "IBAN DE89 3704 0044 0532 0130 00" in page.inner_text(".ax-turn")
    assert "instead of Visa •••• 4242" in page.inner_text("#content")  # the timeline keeps the old one
    desk.shot("admin-refund-retried")
    refund = fresh(refund)
    # The retry is a new attempt; the gateway may have sent it already.
    assert refund.state in (Refund.State.PENDING, Refund.State.SENT) and refund.attempts == 1
    assert refund.destination.startswith("IBAN DE89")
    assert desk.errors == []


def test_an_arbiter_finds_a_case_by_part_of_the_buyer_s_name(browser, site, queue, people):
    """Issue 14, R-ARB-1: the search box finds a case by any part of a name, in any state."""
    vera = User.objects.create_user("vkuznetsova", first_name="Vera", last_name="Kuznetsova")
    target = queue["cases"].open(buyer=vera, title="Steel thermos flask 1 l")  # still between the parties
    desk = Desk(browser, site, "alina")
    page = desk.page

    desk.go("/admin/arbitration/dispute/")
    page.fill("#searchbar", "vera kuzn")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()

    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert target.order.number in rows.first.inner_text()
    assert "Steel thermos flask" in rows.first.inner_text()
    desk.shot("admin-queue-search-partial-name")
    rows.first.locator("th a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().startswith(f"Dispute #{target.pk}")
    assert desk.errors == []


def test_R_DSP_8_a_supervisor_changes_the_score_below_which_the_classifier_overrules_a_pattern(
    browser, site, people
):
    """Round 10 of issue 17: the veto threshold is the supervisors' to change without a deploy; a
    value out of range re-renders the form with what they typed and says why; the page reads in
    Russian too."""
    from django.conf import settings

    from arbitration.models import SolicitationClassifierSetting

    desk = Desk(browser, site, "sofia")
    page = desk.go("/admin/arbitration/solicitationclassifiersetting/1/change/")
    assert "score below which a shipped pattern is overruled" in page.inner_text("#content").lower()
    # Round 22: the name veto, for a messenger or e-wallet merely named, beside it.
    assert "merely named is overruled" in page.inner_text(".field-name_veto_threshold")

    page.fill("#id_veto_threshold", "0.60")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "less than or equal to 0.50" in page.inner_text(".field-veto_threshold")
    assert page.input_value("#id_veto_threshold") == "0.60"
    desk.shot("admin-classifier-veto-refused")

    page.fill("#id_veto_threshold", "0.20")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "was changed successfully" in desk.messages()
    assert SolicitationClassifierSetting.objects.get(pk=1).veto_threshold == Decimal("0.20")

    desk.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ru", "url": site}])
    page = desk.go("/admin/arbitration/solicitationclassifiersetting/1/change/")
    russian = page.inner_text("#content")
    assert "оценка, ниже которой поставляемый шаблон отменяется" in russian.lower()
    assert "одно лишь название мессенджера или кошелька" in russian.lower()
    assert "Кем изменено" in russian and "Updated" not in russian
    desk.shot("admin-classifier-veto-ru")
    assert desk.errors == []
