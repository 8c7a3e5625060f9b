"""Security headers on every page (issue 13 item 5, R-SEC-3): a Content-Security-Policy that no
page needs an inline script for, ``Cache-Control: no-store`` on every signed-in page, and a
language cookie that is Secure (with the session cookie), SameSite=Lax and HttpOnly.

The site's pages come from the access matrix (tests/web/test_access.py: every URL of both apps,
seen by the acting party); the admin's from its registry (every model's list and add page).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from tests.web.conftest import open_dispute
from tests.web.test_access import MATRIX, site_url_names

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def inline_scripts(html: str) -> list[str]:
    """Script elements that would run inline code: no ``src`` and not a JSON data block."""
    found = []
    for match in SCRIPT_TAG.finditer(html):
        attributes = match.group(1)
        if re.search(r"\bsrc\s*=", attributes) or re.search(r"type\s*=\s*[\"']application/json", attributes):
            continue
        found.append(match.group(0))
    found += EVENT_ATTRIBUTE.findall(html)
    found += re.findall(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", html, re.I)
    return found


def assert_protected(response, where) -> None:
    policy = response.get("Content-Security-Policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives.get("script-src") == "'self'", (where, policy)
    assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'none'", where
    if response.get("Content-Type", "").startswith("text/html"):
        assert not inline_scripts(response.content.decode()), (
            where,
            inline_scripts(response.content.decode()),
        )


def assert_not_stored(response, where) -> None:
    assert "no-store" in response.get("Cache-Control", ""), (where, response.get("Cache-Control"))


def test_no_template_of_the_site_carries_an_inline_script_or_event_handler():
    """Checked at the source too, for pages no test renders."""
    offenders = {
        str(path.relative_to(TEMPLATES)): inline_scripts(path.read_text())
        for path in TEMPLATES.rglob("*.html")
        if inline_scripts(path.read_text())
    }
    assert not offenders, offenders


@pytest.mark.parametrize("name", site_url_names())
def test_every_site_page_has_the_policy_and_is_never_stored_for_the_signed_in_party(name, people, client):
    spec = MATRIX[name]
    url = reverse(name, kwargs=spec.build(people) if spec.build else {})
    client.force_login(people.seller if spec.owner == "seller" else people.buyer)
    response = client.get(url)
    assert_protected(response, name)
    assert_not_stored(response, name)


def test_the_sign_in_and_password_reset_pages_have_the_policy(client):
    for url in (reverse("login"), reverse("password_reset")):
        response = client.get(url)
        assert response.status_code == 200
        assert_protected(response, url)


def test_every_admin_page_has_the_policy_and_is_never_stored(client, people):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(superuser)
    dispute = open_dispute(people)
    pages = [reverse("admin:index"), reverse("admin:arbitration_dispute_change", args=[dispute.pk])]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):
                pages.append(reverse(f"admin:{info[0]}_{info[1]}_{view}"))
    shown = 0
    for url in pages:
        response = client.get(url)
        if response.status_code == 403:  # an add page the admin offers nobody (read-only records)
            continue
        assert response.status_code == 200, (url, response.status_code)
        assert_protected(response, url)
        assert_not_stored(response, url)
        shown += 1
    assert shown > 20, shown


def test_the_language_cookie_is_secure_with_the_session_cookie_samesite_lax_and_httponly(
    people, client, settings
):
    settings.SESSION_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True  # as in production
    response = client.post(reverse("language-set"), {"language": "ru", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ru"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    people.buyer.preferred_language = "ru"
    people.buyer.save()
    signed_in = client.post(reverse("login"), {"username": "boris", "password": "correct horse battery"})
    cookie = signed_in.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_settings_make_the_language_cookie_secure():
    """The settings themselves (the test fixture turns Secure off for plain-HTTP test clients)."""
    code = (
        "from config import settings as s; "
        "print(s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, "
        "s.LANGUAGE_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"], "DJANGO_DEBUG": "false"},
        capture_output=True,
        text=True,
        cwd=TEMPLATES.parent,
        check=True,
    )
    assert result.stdout.split() == ["True", "True", "Lax", "True"]
