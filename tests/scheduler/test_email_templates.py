"""Every notification event has its email (R-NTF-1): subject, plain text and HTML, rendered from
templates/emails/ for a realistic context, in each language the site offers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

from marketplace.mail import render
from marketplace.models import Notification, User
from marketplace.notifications import EVENTS
from tests.scheduler.samples import SAMPLES, context_for

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
MISSING = "MISSING-VARIABLE"

CASES = [
    pytest.param(event, role, extra, language, id=f"{event}-{role}-{n}-{language}")
    for event, variants in SAMPLES.items()
    for n, (role, extra) in enumerate(variants)
    for language, _ in settings.LANGUAGES
]


@pytest.fixture
def strict_templates(settings):
    """A variable a template uses but the context lacks shows up instead of rendering as ''."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"], "string_if_invalid": MISSING},
        }
    ]


def _notification(event: str, role: str, extra: dict, language: str) -> Notification:
    recipient = User(
        username="boris", first_name="Boris", email="boris@example.com", preferred_language=language
    )
    return Notification(recipient=recipient, event=event, context=context_for(role, extra))


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_subject_a_text_and_an_html_template(event):
    for suffix in ("subject.txt", "txt", "html"):
        assert (EMAILS / f"{event}.{suffix}").is_file(), f"templates/emails/{event}.{suffix} is missing"
        get_template(f"emails/{event}.{suffix}")  # parses


def test_every_event_has_a_realistic_sample_context():
    assert set(SAMPLES) == set(EVENTS)


def test_there_are_no_templates_for_events_that_do_not_exist():
    names = {path.name.split(".")[0] for path in EMAILS.glob("*.*")} - {"base"}
    assert names == set(EVENTS)


@pytest.mark.parametrize(("event", "role", "extra", "language"), CASES)
def test_each_email_renders_completely_for_a_realistic_context(
    strict_templates, event, role, extra, language
):
    subject, text, html = render(_notification(event, role, extra, language))

    for part in (subject, text, html):
        assert MISSING not in part
        assert "{{" not in part and "{%" not in part
    assert subject and "\n" not in subject and len(subject) <= 160
    assert "418852930217" in subject or "Power bank" in subject  # says which order it is about
    greeting = text.split("\n\n", 1)[0]
    assert "Boris" in greeting and "\n" not in greeting
    if language == "en":
        assert greeting == "Hello Boris,"
    assert "http://127.0.0.1:8000/" in text  # where to act
    assert "Power bank 20000 mAh <fast charge> & cable" in text  # plain text is not HTML-escaped
    assert "Power bank 20000 mAh &lt;fast charge&gt; &amp; cable" in html  # HTML is
    assert "<fast charge>" not in html
    assert html.lstrip().startswith("<!doctype html>") and f'<html lang="{language}">' in html
