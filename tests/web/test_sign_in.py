"""Signing in and out, password reset, login rate limiting and CSRF (R-SEC-3)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from marketplace import login_limits
from tests.web.conftest import open_dispute, shipped, with_offer

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client, username="boris", password=PASSWORD, ip="203.0.113.7", path=None):
    return client.post(path or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_buyer_signs_in_lands_on_their_orders_and_signs_out(people, client):
    response = sign_in(client)
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("order-list")
    client.post(reverse("logout"))
    assert client.get(reverse("order-list")).status_code == 302


def test_signing_in_switches_the_site_to_the_persons_language(people, client):
    people.buyer.preferred_language = "ru"
    people.buyer.save()
    response = sign_in(client)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_a_wrong_password_says_so_and_keeps_the_username(people, client):
    response = sign_in(client, password="nope")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in html and 'value="boris"' in html


def test_after_five_failures_signing_in_is_paused_even_with_the_right_password(people, client):
    """R-SEC-3: per username; the message says what happened and what to do."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME):
        sign_in(client, password="guess")
    response = sign_in(client)  # the right password, from the same address
    html = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert (
        "Too many failed sign-in attempts" in html and "15 minutes" in html and "reset your password" in html
    )
    other_address = Client()
    assert sign_in(other_address, ip="198.51.100.9").status_code == 200  # the username is paused everywhere


def test_the_pause_ends_when_the_window_has_passed(people, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME):
        sign_in(client, password="guess")
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)):
        assert sign_in(client).status_code == 302


def test_R_SEC_3_many_failures_from_one_address_slow_it_down_without_locking_correct_passwords(
    people, client
):
    """R-SEC-3, issue 13: per address, against one attacker trying many usernames, the address is
    throttled (one attempt every LOGIN_IP_THROTTLE_SECONDS), never locked: the right password of
    someone sharing the address still gets in once the next attempt is due."""
    for n in range(settings.LOGIN_FAILURE_LIMIT_PER_IP):
        sign_in(client, username=f"user{n}", password="guess")
    sign_in(client, username="userX", password="guess")  # takes the address's next slot
    html = sign_in(Client()).content.decode()  # boris, right password, same address, at once
    assert "Too many failed sign-in attempts from your network. Try again in" in html
    assert sign_in(Client(), ip="198.51.100.9").status_code == 302  # another address is not affected
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.LOGIN_IP_THROTTLE_SECONDS + 1)):
        assert sign_in(Client()).status_code == 302  # the right password, the same address: in


def test_a_successful_sign_in_forgets_earlier_failures_of_the_username(people, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME - 1):
        sign_in(client, password="guess")
    assert sign_in(client).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME - 1):
        sign_in(client, password="guess")
    assert sign_in(client).status_code == 302


def test_the_admin_sign_in_is_rate_limited_too(people, client):
    """R-SEC-3: the limit lives in the authentication backend, so no login page bypasses it."""
    people.staff.set_password("staff password 1")
    people.staff.save()
    admin_login = reverse("admin:login")
    staff = people.staff.username
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME):
        client.post(admin_login, {"username": staff, "password": "guess"}, REMOTE_ADDR="192.0.2.1")
    client.post(admin_login, {"username": staff, "password": "staff password 1"}, REMOTE_ADDR="192.0.2.1")
    assert "_auth_user_id" not in client.session


@pytest.mark.redis
def test_the_failure_counts_live_in_the_shared_redis_cache(people):
    """R-SEC-3: with Redis as the cache, two web processes see the same counts."""
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            raise
        pytest.skip(f"no Redis at {redis_url}")
    prefix = f"web-test-{uuid.uuid4().hex}"
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={"default": shared}):
        first, second = Client(), Client()  # two "processes": the state is only in Redis
        try:
            for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME - 1):
                sign_in(first, password="guess")
            sign_in(second, password="guess", ip="198.51.100.20")
            assert "Too many failed sign-in attempts" in sign_in(first).content.decode()
        finally:
            client = redis.Redis.from_url(redis_url)
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)


def test_the_password_reset_pages_work_and_the_email_has_a_working_link(people, client):
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "boris@example.com"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert (
        "Choose a new password" in form.content.decode() and 'name="new_password1"' in form.content.decode()
    )


# --- CSRF on every form (R-SEC-3) ------------------------------------------------------------------


def test_every_form_on_the_parties_pages_carries_a_csrf_token(people, client):
    order = shipped(people)
    offer = with_offer(people)
    client.force_login(people.buyer)
    pages = [
        reverse("order-list"),
        reverse("order-detail", args=[order.pk]),
        reverse("dispute-open", args=[order.pk]),
        reverse("dispute-detail", args=[offer.pk]),
        reverse("dispute-withdraw", args=[offer.pk]),
        reverse("extension-request", args=[order.pk]),
        reverse("safety-report-create", args=[order.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrfmiddlewaretoken"' in form, url


def test_a_post_without_the_csrf_token_is_refused(people):
    dispute = open_dispute(people)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.seller)
    response = client.post(reverse("dispute-accept-claim", args=[dispute.pk]))
    assert response.status_code == 403
    assert type(dispute).objects.get(pk=dispute.pk).state == "open"


def test_the_limiter_counts_per_username_regardless_of_case(rf):
    request = rf.post("/", REMOTE_ADDR="192.0.2.50")
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME):
        login_limits.record_failure(request, "Boris")
    assert login_limits.seconds_locked(rf.post("/", REMOTE_ADDR="192.0.2.51"), "boris") > 0


def test_R_SEC_3_a_browser_that_signed_in_before_is_never_throttled_for_others_failures(people, client):
    """Issue 13: the person's own browser (a signed known-device cookie for the username) signs
    in at once with the right password while an attacker at the same address is throttled."""
    assert sign_in(client).status_code == 302
    assert client.cookies[login_limits.KNOWN_DEVICE_COOKIE]["httponly"]
    client.post(reverse("logout"))
    attacker = Client()
    for n in range(settings.LOGIN_FAILURE_LIMIT_PER_IP + 1):
        sign_in(attacker, username=f"user{n}", password="guess")
    assert "from your network" in sign_in(Client()).content.decode()  # a new browser waits
    assert "from your network" in sign_in(client, username="stella", password="x").content.decode()
    assert sign_in(client).status_code == 302  # boris's own browser: in at once
    # The username's own pause still holds for a known device.
    client.post(reverse("logout"))
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_USERNAME):
        sign_in(client, password="guess")
    assert "signing in is paused" in sign_in(client).content.decode()
