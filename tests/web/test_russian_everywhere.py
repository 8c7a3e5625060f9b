"""Both languages, everywhere (issue 14): every buyer and seller page and every email, rendered
in Russian, finds each of its texts in the Russian catalogue — a text missing from it (shown in
English) or a fuzzy translation fails the test. Texts the platform writes into a case (the claim's
evidence, an automatic complaint) read in the reader's language, dates in their locale.

The catalogue is watched as pages render: every lookup the Russian translation object answers
is recorded, and one it has no entry for is a miss.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from arbitration import services
from arbitration.models import Complaint, Message
from arbitration.presentation import available_actions
from marketplace import services as money
from marketplace.actors import scheduler_user
from marketplace.mail import render
from marketplace.models import Notification, Refund
from tests.web.conftest import (
    awaiting_return,
    closed_with_refund,
    fresh,
    open_dispute,
    pending_extension,
    png,
    rejected,
    return_in_transit,
    shipped,
    under_review_with_question,
    with_offer,
    with_solicitation,
)
from tests.web.test_dispute_pages import ACTION_URLS

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@contextmanager
def russian_catalogue_misses() -> Iterator[set[str]]:
    """Record every text looked up in Russian that the catalogue has no translation for."""
    with translation.override("ru"):
        russian = trans_real.translation("ru")
    catalog = russian._catalog
    misses: set[str] = set()
    plain_gettext, plain_ngettext = russian.gettext, russian.ngettext

    def gettext(message):
        # A text already in Russian (a language's own name, looked up again by Django) is no miss.
        if message and message not in catalog and not re.search("[а-яА-ЯёЁ]", message):
            misses.add(message)
        return plain_gettext(message)

    def ngettext(singular, plural, number):
        if (singular, 0) not in catalog:
            misses.add(singular)
        return plain_ngettext(singular, plural, number)

    russian.gettext, russian.ngettext = gettext, ngettext
    try:
        yield misses
    finally:
        del russian.gettext, russian.ngettext


def test_the_catalogue_has_no_fuzzy_or_empty_translation():
    """msgfmt counts fuzzy and untranslated entries separately: only "N translated" may remain."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.fullmatch(r"\d+ translated messages\.", result.stderr.strip()), result.stderr
    assert "#, fuzzy" not in CATALOGUE.read_text()


def russian(*users) -> None:
    for user in users:
        user.preferred_language = "ru"
        user.save(update_fields=["preferred_language"])


def every_case(people) -> list:
    """A dispute in each state a party meets, with offers, messages, evidence, a return, a
    decision with a penalty, a complaint, a safety report, refunds and an extension request."""
    cases = [
        open_dispute(people, files=[png()]),
        with_offer(people),
        rejected(people),
        with_solicitation(people),
        awaiting_return(people),
        return_in_transit(people),
        under_review_with_question(people),
        under_review_with_question(people, party="seller"),
    ]
    closed = closed_with_refund(people)
    services.complaint_file(
        dispute=closed,
        actor=people.buyer,
        kind="refund_not_received",
        description="Nothing arrived.",
        files=[],
    )
    cases.append(fresh(closed))
    decided = rejected(people)
    services.dispute_escalate(dispute=decided, actor=people.buyer)
    services.case_take(case=decided, actor=people.arbiter)
    services.dispute_decide(
        dispute=fresh(decided),
        actor=people.arbiter,
        outcome="partial_refund",
        refund_amount="30",
        rationale="Half the capacity.",
        penalty_amount="10",
        penalty_reason="Misleading listing.",
    )
    cases.append(fresh(decided))
    overdue = closed_with_refund(people)
    refund = Refund.objects.get(order=overdue.order)
    Refund.objects.filter(pk=refund.pk).update(
        state=Refund.State.SENT, sent_at=timezone.now(), due_at=timezone.now() - timedelta(days=1)
    )
    services.refund_overdue_open_complaint(refund=fresh(refund), actor=scheduler_user())
    cases.append(fresh(overdue))
    return cases


def party_pages(people, client, cases) -> dict[str, str]:
    """Every page a buyer or a seller opens, rendered, by a name for the failure message."""
    extension = pending_extension(people)
    plain = shipped(people)
    money.order_confirm_receipt(order=shipped(people), actor=people.buyer)
    services.safety_report_file(order=plain, actor=people.buyer, description="It got hot.", files=[])
    pages: dict[str, str] = {}
    for role, user in (("buyer", people.buyer), ("seller", people.seller)):
        urls = {f"{role} orders": reverse("order-list"), f"{role} sales": reverse("sales")}
        for order in (plain, extension.order, *(c.order for c in cases)):
            urls[f"{role} order {order.pk}"] = reverse("order-detail", args=[order.pk])
            for refund in order.refunds.all():
                urls[f"{role} refund {refund.pk}"] = reverse("refund-detail", args=[order.pk, refund.pk])
        for dispute in cases:
            urls[f"{role} dispute {dispute.pk} {dispute.state}"] = reverse(
                "dispute-detail", args=[dispute.pk]
            )
            for action in available_actions(dispute, user).actions:
                urls[f"{role} {action} on {dispute.pk}"] = reverse(ACTION_URLS[action], args=[dispute.pk])
        if role == "buyer":
            urls["buyer open a dispute"] = reverse("dispute-open", args=[plain.pk])
            urls["buyer safety report"] = reverse("safety-report-create", args=[plain.pk])
            urls["buyer ask for more time"] = reverse("extension-request", args=[plain.pk])
            urls["buyer confirm receipt"] = reverse("order-confirm-receipt", args=[plain.pk])
        client.force_login(user)
        for name, url in urls.items():
            response = client.get(url, follow=True)
            assert response.status_code == 200, name
            pages[name] = response.content.decode()
    return pages


def test_every_party_page_and_email_in_russian_finds_every_text_in_the_catalogue(people, client):
    russian(people.buyer, people.seller)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    with russian_catalogue_misses() as misses:
        cases = every_case(people)
        pages = party_pages(people, client, cases)
        emails = [render(n) for n in Notification.objects.select_related("recipient")]
    assert not misses, sorted(misses)
    assert len(pages) > 40 and len(emails) > 40
    events = {n.event for n in Notification.objects.all()}
    templates = {
        p.name.removesuffix(".subject.txt")
        for p in Path(settings.BASE_DIR, "templates/emails").glob("*.subject.txt")
    }
    assert len(events) >= 12, sorted(templates - events)  # the rest: the test below
    for name, html in pages.items():
        assert '<html lang="ru">' in html, name
        for english in ("Your turn", "What next", "Money trail", "Evidence with the claim", "Nothing to do"):
            assert english not in html, (name, english)


def test_every_email_template_renders_in_russian_from_the_catalogue(people):
    """The emails a flow above may not reach (reminders, failures, the safety outcome …) are
    rendered from a context that has every key, for the buyer and the seller, in each outcome."""
    russian(people.buyer, people.seller)
    order = shipped(people)
    base = {
        "order_id": order.pk,
        "order_number": order.number,
        "item_title": order.item_title,
        "amount": "100.00",
        "currency": "USD",
        "refund_amount": "40.00",
        "offer_amount": "40.00",
        "penalty_amount": "10.00",
        "penalty_reason": "Misleading listing.",
        "rationale": "Half the capacity.",
        "deadline": timezone.now().isoformat(),
        "protection_deadline": timezone.now().isoformat(),
        "due_at": timezone.now().isoformat(),
        "days": 10,
        "reason": "Still in transit.",
    }
    outcomes = [
        "full_refund",
        "partial_refund",
        "return_then_refund",
        "rejected",
        "granted",
        "declined",
        "reissue_refund",
        "refund_from_seller",
        "confirmed_paid",
        "listing_blocked",
        "seller_warned",
        "no_action",
        "accepted",
        "seller_accepted",
        "withdrawn",
    ]
    names = sorted(
        p.name.removesuffix(".subject.txt")
        for p in Path(settings.BASE_DIR, "templates/emails").glob("*.subject.txt")
    )
    with russian_catalogue_misses() as misses:
        for name in names:
            for role, user in (("buyer", people.buyer), ("seller", people.seller)):
                for outcome in outcomes:
                    notification = Notification(
                        event=name, recipient=user, context={**base, "role": role, "outcome": outcome}
                    )
                    subject, text, _html = render(notification)
                    assert re.search("[а-яА-Я]", subject), (name, subject)
    assert not misses, sorted(misses)


def test_texts_the_platform_writes_read_in_the_readers_language_with_local_dates(people, client):
    """'Evidence with the claim' and the automatic complaint (R-REF-4) are stored as records and
    shown translated, the date in the reader's format — not the English of whoever wrote them."""
    dispute = open_dispute(people, files=[png()])
    assert Message.objects.get(dispute=dispute).body == "Evidence with the claim"
    services.dispute_withdraw(dispute=dispute, actor=people.buyer, confirmed=True)
    closed = closed_with_refund(people)
    refund = Refund.objects.get(order=closed.order)
    Refund.objects.filter(pk=refund.pk).update(due_at=timezone.now() - timedelta(days=1))
    services.refund_overdue_open_complaint(refund=fresh(refund), actor=scheduler_user())
    assert Complaint.objects.filter(dispute=closed, kind="refund_overdue").exists()

    client.force_login(people.seller)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    evidence_page = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    assert "Доказательства к претензии" in evidence_page and "Evidence with the claim" not in evidence_page
    complaint_page = client.get(reverse("dispute-detail", args=[closed.pk])).content.decode()
    complaints = complaint_page.split('id="complaints-heading"')[1].split("</section>")[0]
    shown = re.sub(r"<[^>]+>", " ", complaints)  # what a person reads (not <time datetime=…>)
    assert "нужно было выплатить до" in shown and "г." in shown
    assert not re.search(r"\d{4}-\d\d-\d\d", shown) and "was due" not in shown  # no ISO date, no English
