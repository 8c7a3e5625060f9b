"""R-OPS-5: sessions live in the database only (``config.sessions``, read with a statement written
once, issue 15): a session is read as Django's database engine reads it, an expired one is not,
and signing out deletes it, so its cookie signs no one in again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from config.sessions import SessionStore
from tests.ops.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_R_OPS_5_a_session_is_read_from_its_row_in_one_query(django_assert_num_queries):
    assert settings.SESSION_ENGINE == "config.sessions"
    store = SessionStore()
    store["who"] = "the buyer"
    store.create()
    with django_assert_num_queries(1):
        again = SessionStore(store.session_key)
        assert again["who"] == "the buyer" and again.session_key == store.session_key


def test_R_OPS_5_an_expired_session_is_not_read():
    store = SessionStore()
    store["who"] = "the buyer"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert "who" not in expired and expired.session_key is None


def test_R_OPS_5_signing_out_deletes_the_session_and_its_cookie_signs_no_one_in(staff, client):
    sign_in(client, staff.buyer)
    assert client.get(reverse("order-list")).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=cookie).exists()

    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    response = client.get(reverse("order-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
