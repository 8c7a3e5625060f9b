"""Issue 13 item 1 through a real server (R-SEC-3): gunicorn behind a "proxy" (this test's client
sets X-Forwarded-For as nginx would), with TRUSTED_PROXY_COUNT on and off.

Without the setting every request carries the proxy's address, and nothing in a header a client
can forge is believed: one attacker's failures slow the shared address down, but never lock a
correct password out. With it, the attacker's address is throttled and everyone else signs in.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches

from marketplace.models import User
from tests.servers import Browser, gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long staff password 1"
ATTACKER, PERSON = "203.0.113.66", "198.51.100.7"
LIMIT = 5  # failures per address (LOGIN_FAILURE_LIMIT_PER_IP), small so the test is quick
THROTTLED = "Too many failed sign-in attempts from your network"


def _attack(base: str) -> None:
    """LIMIT + 1 failed sign-ins, each for another username, all from the attacker."""
    for n in range(LIMIT + 1):
        answer = Browser(base).sign_in(f"user{n}", "guess", X_Forwarded_For=ATTACKER)
        assert answer.status == 200


@pytest.fixture
def person(db):
    for alias in caches:
        caches[alias].clear()
    return User.objects.create_user("boris", password=PASSWORD)


def test_R_SEC_3_behind_a_trusted_proxy_one_attacker_does_not_slow_anybody_else(person, tmp_path):
    with gunicorn(tmp_path, TRUSTED_PROXY_COUNT="1", LOGIN_FAILURE_LIMIT_PER_IP=str(LIMIT)) as base:
        _attack(base)
        # The attacker is throttled, even when forging an address in front of the proxy's entry.
        forged = Browser(base).sign_in("boris", PASSWORD, X_Forwarded_For=f"{PERSON}, {ATTACKER}")
        assert forged.status == 200 and THROTTLED in forged.text
        # Someone else behind the same proxy signs in at once.
        answer = Browser(base).sign_in("boris", PASSWORD, X_Forwarded_For=PERSON)
        assert answer.status == 302 and answer.headers["location"] == "/"


def test_R_SEC_3_without_the_setting_the_header_is_ignored_and_a_correct_password_waits_not_locked(
    person, tmp_path
):
    with gunicorn(
        tmp_path,
        TRUSTED_PROXY_COUNT="0",
        LOGIN_FAILURE_LIMIT_PER_IP=str(LIMIT),
        LOGIN_IP_THROTTLE_SECONDS="2",
    ) as base:
        _attack(base)
        # Everyone shares the proxy's address: the forged "different" client is slowed too …
        slowed = Browser(base).sign_in("boris", PASSWORD, X_Forwarded_For=PERSON)
        assert slowed.status == 200 and THROTTLED in slowed.text and "Try again in" in slowed.text
        # … but not locked: once the next attempt is due, the right password gets in.
        time.sleep(2.5)
        answer = Browser(base).sign_in("boris", PASSWORD, X_Forwarded_For=PERSON)
        assert answer.status == 302, answer.text[:500]
