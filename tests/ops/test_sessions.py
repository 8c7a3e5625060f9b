"""R-OPS-5: sessions live in the database only (``config.sessions``); issue 15: each row carries the
signed-in person's id, so a request reads its session and who is signed in with it in one query.
A session is read as Django's database engine reads it, an expired one is not, signing in cycles
the key, signing out deletes the row (its cookie signs no one in again), a password change signs
the other sessions out, and ``clearsessions`` deletes the expired rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.sessions import SessionStore
from marketplace.models import PersonSession
from tests.ops.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def test_R_OPS_5_a_session_is_read_from_its_row_in_one_query(django_assert_num_queries):
    assert settings.SESSION_ENGINE == "config.sessions"
    store = SessionStore()
    store["who"] = "the buyer"
    store.create()
    with django_assert_num_queries(1):
        again = SessionStore(store.session_key)
        assert again["who"] == "the buyer" and again.session_key == store.session_key
    assert again.person is None and PersonSession.objects.get(pk=store.session_key).user_id is None


def test_R_OPS_5_an_expired_session_is_not_read():
    store = SessionStore()
    store["who"] = "the buyer"
    store.create()
    PersonSession.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert "who" not in expired and expired.session_key is None


def test_R_OPS_5_signing_in_cycles_the_key_and_the_row_names_the_person(staff, client):
    client.get(reverse("login"))
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    sign_in(client, staff.buyer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before is None or before.value != cookie
    row = PersonSession.objects.get(session_key=cookie)
    assert row.user_id == staff.buyer.pk and row.get_decoded()["_auth_user_id"] == str(staff.buyer.pk)


def test_R_OPS_5_a_page_reads_the_session_and_the_person_in_one_query(staff, client):
    """Issue 15: the session row and the person it names (for staff with their permissions and
    devices) are one statement; Django's and django-otp's reads of them don't run."""
    sign_in(client, staff.buyer)
    client.get(reverse("order-list"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("order-list"))
    assert response.status_code == 200 and response.context["user"] == staff.buyer
    sessions = [q["sql"] for q in captured.captured_queries if "marketplace_session" in q["sql"]]
    people = [q["sql"] for q in captured.captured_queries if 'FROM "marketplace_user"' in q["sql"]]
    assert len(sessions) == 1 and "LATERAL" in sessions[0], sessions
    assert people == [q for q in people if "marketplace_session" in q], people  # no read of its own


def test_R_OPS_5_signing_out_deletes_the_session_and_its_cookie_signs_no_one_in(staff, client):
    sign_in(client, staff.buyer)
    assert client.get(reverse("order-list")).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert PersonSession.objects.filter(session_key=cookie).exists()

    client.post(reverse("logout"))
    assert not PersonSession.objects.filter(session_key=cookie).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    response = client.get(reverse("order-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_R_OPS_5_a_password_change_signs_the_other_sessions_out(staff, client, django_user_model):
    """The person read with the session is still checked against the session's password hash."""
    sign_in(client, staff.buyer)
    assert client.get(reverse("order-list")).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    person = django_user_model.objects.get(pk=staff.buyer.pk)
    person.set_password(PASSWORD + " changed")
    person.save()

    response = client.get(reverse("order-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not PersonSession.objects.filter(session_key=cookie).exists()  # flushed


def test_R_OPS_5_a_row_without_its_person_still_signs_them_in_by_the_backends_read(client, django_user_model):
    """The session's data decides who is signed in; a row that does not carry the person (none
    should) costs the backend's own read of them, not a wrong answer."""
    visitor = django_user_model.objects.create_user("visitor", password=PASSWORD)
    client.force_login(visitor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    PersonSession.objects.filter(session_key=cookie).update(user=None)
    response = client.get(reverse("order-list"))
    assert response.status_code == 200 and response.context["user"] == visitor


def test_R_OPS_5_deleting_a_person_deletes_their_sessions(client, django_user_model):
    visitor = django_user_model.objects.create_user("gone", password=PASSWORD)
    client.force_login(visitor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    visitor.delete()
    assert not PersonSession.objects.filter(session_key=cookie).exists()
    response = client.get(reverse("order-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_R_OPS_5_clearsessions_deletes_the_expired_rows():
    live, old = SessionStore(), SessionStore()
    for store in (live, old):
        store["who"] = "someone"
        store.create()
    PersonSession.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    call_command("clearsessions")
    assert list(PersonSession.objects.values_list("session_key", flat=True)) == [live.session_key]
