"""Russian and English: every text translated, dates and money per locale, the choice remembered
(issue 7, R-NTF-1: emails in the recipient's language)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation

from arbitration import models as arbitration_models
from arbitration import services
from marketplace import models as marketplace_models
from marketplace.errors import DomainError
from marketplace.mail import render
from marketplace.models import Notification
from marketplace.templatetags.market import money, time_left_text
from tests.web.conftest import open_dispute, shipped, with_offer

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("en", "1490", "USD", "$1,490.00"),
        ("en", "1490.5", "RUB", "₽1,490.50"),
        ("en", "0.01", "EUR", "€0.01"),
        ("ru", "1490", "RUB", "1\u00a0490,00\u00a0₽"),
        ("ru", "1234567.89", "USD", "1\u00a0234\u00a0567,89\u00a0$"),
        ("ru", "-40", "EUR", "-40,00\u00a0€"),
    ],
)
def test_money_is_written_the_way_each_language_writes_it(language, amount, currency, expected):
    with translation.override(language):
        assert money(amount, currency) == expected


def test_countdowns_use_russian_plural_forms():
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    with translation.override("ru"):
        assert time_left_text(now + timedelta(days=1, hours=2), now) == "остался 1 день"
        assert time_left_text(now + timedelta(days=3, hours=2), now) == "осталось 3 дня"
        assert time_left_text(now + timedelta(days=12, hours=2), now) == "осталось 12 дней"
        assert time_left_text(now + timedelta(days=21, hours=2), now) == "остался 21 день"


@pytest.mark.django_db
def test_the_dispute_page_in_russian_has_russian_text_dates_and_money(people, client):
    dispute = with_offer(people)
    client.force_login(people.buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    assert '<html lang="ru">' in html
    assert "Ваша очередь" in html and "Примите или отклоните предложение продавца." in html
    assert "Частичный возврат денег: 40,00\u00a0$" in html
    assert re.search(r"\d{1,2} [а-я]+ 20\d\d г\.", html)  # "25 ноября 2026 г."
    for english in ("Your turn", "Messages and evidence", "Withdraw the dispute", "What you can do now"):
        assert english not in html


@pytest.mark.django_db
def test_choosing_a_language_is_remembered_on_the_account(people, client):
    """Emails follow User.preferred_language, so the site's switcher saves it (R-NTF-1)."""
    client.force_login(people.buyer)
    response = client.post(reverse("language-set"), {"language": "ru", "next": reverse("order-list")})
    assert response.status_code == 302 and response["Location"] == reverse("order-list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    people.buyer.refresh_from_db()
    assert people.buyer.preferred_language == "ru"
    assert "Мои заказы" in client.get(reverse("order-list")).content.decode()


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(people, client):
    client.force_login(people.buyer)
    client.post(reverse("language-set"), {"language": "xx"})
    people.buyer.refresh_from_db()
    assert people.buyer.preferred_language == "en"


@pytest.mark.django_db
def test_a_russian_buyer_gets_the_dispute_email_in_russian(people):
    people.buyer.preferred_language = "ru"
    people.buyer.save()
    open_dispute(people)
    notification = Notification.objects.get(recipient=people.buyer, event="dispute_opened")
    subject, text, _html = render(notification)
    assert re.search("[а-яА-Я]", subject) and "спор" in subject.lower()
    seller_note = Notification.objects.get(recipient=people.seller, event="dispute_opened")
    assert "dispute" in render(seller_note)[0].lower()  # the seller reads English


@pytest.mark.django_db
def test_a_services_refusal_reaches_a_russian_buyer_in_russian(people):
    dispute = open_dispute(people)
    with translation.override("ru"), pytest.raises(DomainError) as refusal:
        services.dispute_escalate(dispute=dispute, actor=people.buyer)
    assert "Передать спор в арбитраж досрочно можно" in refusal.value.message_text


CHOICE_EXCEPTIONS = {
    "USD",
    "EUR",
    "RUB",
    "SHA-256",
    "processing",
    "paid",
    "failed",
    "English",
    "Russian",
    "Any",
}


def _choice_labels():
    for module in (marketplace_models, arbitration_models):
        for name in dir(module):
            value = getattr(module, name)
            if (
                isinstance(value, type)
                and issubclass(value, models.Model)
                and value.__module__ == module.__name__
            ):
                for field in value._meta.get_fields():
                    for _value, label in getattr(field, "flatchoices", None) or []:
                        yield f"{value.__name__}.{field.name}", str(label)


def test_every_choice_of_the_models_has_a_russian_label():
    """Model choices (states, reasons, outcomes …) are shown to buyers and sellers as they are."""
    with translation.override("en"):
        english = dict.fromkeys(_choice_labels())
    with translation.override("ru"):
        russian = list(_choice_labels())
    untranslated = [
        (where, label)
        for (where, label), (_, ru) in zip(english, russian, strict=True)
        if label == ru and label not in CHOICE_EXCEPTIONS
    ]
    assert not untranslated


def test_the_russian_catalogue_is_complete_and_compiled(tmp_path):
    """Nothing untranslated or fuzzy; the committed .mo is the compiled .po."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics
    assert (tmp_path / "django.mo").read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes()


def test_the_catalogue_has_every_text_of_the_parties_pages():
    """A sample of texts from each part of the site, by their English source, must be in the catalogue."""
    catalogue = CATALOGUE.read_text()
    for text in (
        "Your turn",
        "Money trail",
        "Too many failed sign-in attempts.",
        "Confirming shortens your protection.",
        "Second confirmation: withdraw anyway?",
        "A withdrawn dispute can't be reopened",
        "Open: buyer and seller are talking",
        "Item not received",
        "There is a problem",
    ):
        assert text in catalogue, text


@pytest.mark.django_db
def test_the_order_list_in_russian(people, client):
    shipped(people)
    client.force_login(people.buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(reverse("order-list")).content.decode()
    assert "Мои заказы" in html and "В пути" in html and "осталось 60 дней" in html
    assert "100,00\u00a0$" in html
