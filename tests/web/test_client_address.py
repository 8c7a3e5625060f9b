"""The client's address behind trusted proxies, and password reset limits (issue 13 item 1, R-SEC-3).

The fast half: ``client_ip`` reads X-Forwarded-For only as far as configured proxies vouch for
it; password reset sends a bounded number of emails however fast it is asked. The proof through
a real proxy header in front of gunicorn is tests/web/test_proxy_gunicorn.py.
"""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from marketplace.login_limits import client_ip

ATTACKER, PERSON, PROXY = "203.0.113.66", "198.51.100.7", "10.0.0.2"


def _request(rf, forwarded: str | None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.post("/accounts/login/", **extra)


def test_R_SEC_3_without_a_trusted_proxy_the_forwarded_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 0, []
    assert client_ip(_request(rf, PERSON)) == PROXY  # a client could have written it


def test_R_SEC_3_with_one_proxy_the_address_it_appended_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(rf, PERSON)) == PERSON
    # A client's own header is kept by the proxy, which appends the address it saw: only that counts.
    assert client_ip(_request(rf, f"{PERSON}, {ATTACKER}")) == ATTACKER
    assert client_ip(_request(rf, None)) == PROXY  # not through the proxy: its own address
    assert client_ip(_request(rf, "not-an-address")) == PROXY


def test_R_SEC_3_with_two_proxies_the_second_entry_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(rf, f"1.2.3.4, {PERSON}, 10.0.0.9")) == PERSON
    assert client_ip(_request(rf, "10.0.0.9")) == PROXY  # fewer hops than proxies: not through both
    assert client_ip(_request(rf, None)) == PROXY


def test_R_SEC_3_with_named_proxies_the_first_untrusted_address_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 0, ["10.0.0.0/8", "192.0.2.1"]
    assert client_ip(_request(rf, f"1.2.3.4, {PERSON}, 192.0.2.1")) == PERSON
    # A direct connection from outside the proxies: its header is the client's own invention.
    assert client_ip(_request(rf, PERSON, remote=ATTACKER)) == ATTACKER


@pytest.mark.django_db
def test_R_SEC_3_thirty_password_resets_from_one_address_send_a_few_emails_not_thirty(
    django_user_model, settings
):
    """Issue 13: 30 resets for one account from one address in a burst: PASSWORD_RESET_LIMIT_PER_EMAIL
    emails, then the address is told to wait."""
    django_user_model.objects.create_user(username="boris", email="boris@example.com", password="x")
    client = Client()
    answers = [
        client.post(reverse("password_reset"), {"email": "boris@example.com"}, REMOTE_ADDR=ATTACKER)
        for _ in range(30)
    ]
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    sent_pages = [a for a in answers if a.status_code == 302]
    assert len(sent_pages) == settings.PASSWORD_RESET_LIMIT_PER_IP  # the same "check your email"
    assert "Too many password reset requests from your network" in answers[-1].content.decode()


@pytest.mark.django_db
def test_R_SEC_3_password_resets_for_many_accounts_from_one_address_are_limited_per_address(
    django_user_model, settings
):
    for n in range(30):
        django_user_model.objects.create_user(username=f"user{n}", email=f"user{n}@example.com", password="x")
    client = Client()
    for n in range(30):
        client.post(reverse("password_reset"), {"email": f"user{n}@example.com"}, REMOTE_ADDR=ATTACKER)
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_IP
    # Another address is not affected.
    client.post(reverse("password_reset"), {"email": "user0@example.com"}, REMOTE_ADDR=PERSON)
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_IP + 1


@pytest.mark.django_db
def test_R_OPS_4_the_logs_name_the_same_address_the_limits_use_never_a_forged_header(
    client, caplog, settings
):
    def logged_ips() -> list[str]:
        return [
            r.msg["ip"]
            for r in caplog.records
            if isinstance(r.msg, dict) and r.msg.get("event") == "request_started"
        ]

    settings.TRUSTED_PROXY_COUNT = 0
    with caplog.at_level(logging.INFO, "django_structlog"):
        client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert logged_ips() == [PROXY]
    caplog.clear()
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.INFO, "django_structlog"):
        client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{PERSON}, {ATTACKER}")
    assert logged_ips() == [ATTACKER]
