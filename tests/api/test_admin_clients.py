"""Supervisors manage API clients and their keys in the admin (R-API-1)."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from marketplace.models import ApiClient, ApiKey
from tests.api.conftest import Api, make_client
from tests.arbitration.conftest import make_people
from tests.scheduler.conftest import _ensure_staff_groups

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    _ensure_staff_groups()
    return make_people()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_R_API_1_a_supervisor_issues_a_key_shown_once_and_it_works(people):
    shop = make_client()
    browser = signed_in(people.supervisor)

    response = browser.post(
        reverse("admin:marketplace_apiclient_changelist"),
        {"action": "issue_key", "_selected_action": [shop.pk]},
        follow=True,
    )

    text = response.content.decode()
    plaintext = re.search(r"(mk_[0-9a-f]{12}\.[A-Za-z0-9_-]+)", text).group(1)
    assert Api(key=plaintext, http=Client()).get("/me").status_code == 200
    page = signed_in(people.supervisor).get(reverse("admin:marketplace_apiclient_change", args=[shop.pk]))
    assert plaintext.partition(".")[0] in page.content.decode()
    assert plaintext.partition(".")[2] not in page.content.decode()


def test_R_API_1_a_supervisor_revokes_a_key(people):
    shop = make_client()
    browser = signed_in(people.supervisor)
    browser.post(
        reverse("admin:marketplace_apiclient_changelist"),
        {"action": "issue_key", "_selected_action": [shop.pk]},
    )
    key = ApiKey.objects.get(client=shop)

    browser.post(
        reverse("admin:marketplace_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )

    key.refresh_from_db()
    assert key.revoked_at is not None


def test_R_API_1_a_supervisor_adds_a_client_with_scopes(people):
    browser = signed_in(people.supervisor)

    browser.post(
        reverse("admin:marketplace_apiclient_add"),
        {
            "name": "Carrier feed",
            "account": "shop",
            "scopes": ["tracking:write"],
            "is_active": "on",
            "rate_limit_per_minute": "6000",
            "keys-TOTAL_FORMS": "0",
            "keys-INITIAL_FORMS": "0",
        },
    )

    assert ApiClient.objects.get(name="Carrier feed").scopes == ["tracking:write"]


@pytest.mark.parametrize("persona", ["arbiter", "finance", "staff"])
def test_R_API_1_other_staff_cannot_issue_keys(people, persona):
    shop = make_client()
    browser = signed_in(getattr(people, persona))

    browser.post(
        reverse("admin:marketplace_apiclient_changelist"),
        {"action": "issue_key", "_selected_action": [shop.pk]},
    )

    assert not ApiKey.objects.filter(client=shop).exists()


def test_keys_are_never_edited_or_deleted_in_the_admin(people):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = people.supervisor
    key_admin = admin.site._registry[ApiKey]

    assert key_admin.has_change_permission(request) is False
    assert key_admin.has_delete_permission(request) is False
    assert admin.site._registry[ApiClient].has_delete_permission(request) is False
