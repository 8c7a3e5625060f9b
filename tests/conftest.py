"""Shared fixtures of every test. The people are in ``tests/people.py``, small helpers (``fresh``,
``png``) in ``tests/support.py``."""

from __future__ import annotations

import contextlib
import os

import pgtrigger
import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.backends.base.creation import BaseDatabaseCreation
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.support import use_private_media

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _reload_with_history(original):
    """Transactional tests with ``serialized_rollback`` reload the whole database by saving each
    row again, history events included; the events' append-only triggers (R-OPS-2) would refuse
    that, so the reload alone runs with them switched off. Nothing else in the suite does."""

    def deserialize(self, data):
        # A transactional test without serialized_rollback ends with a flush that re-creates the
        # content types and permissions (post_migrate); the snapshot holds them too, so the
        # tables are emptied first (without post_migrate) whatever test ran before.
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database=self.connection.alias,
            inhibit_post_migrate=True,
        )
        if self.connection.vendor != "postgresql":
            return original(self, data)
        from marketplace.audit.verify import event_models  # models: only once Django is set up

        uris = [f"{model._meta.label}:append_only" for model in event_models()]
        with pgtrigger.ignore(*uris):
            return original(self, data)

    return deserialize


BaseDatabaseCreation.deserialize_db_from_string = _reload_with_history(
    BaseDatabaseCreation.deserialize_db_from_string
)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` run only on PostgreSQL; elsewhere they are skipped with a
    visible reason, except in CI (REQUIRE_SERVICES=1), where the run stops: a skip would hide a
    broken proof (the locking, concurrency and append-only proofs) behind a green build."""
    if connection.vendor == "postgresql":
        return
    reason = "needs PostgreSQL (row locks, SKIP LOCKED, concurrency); set DATABASE_URL=postgres://…"
    needing = [item for item in items if "postgres" in item.keywords]
    if needing and REQUIRE_SERVICES:
        raise pytest.UsageError(
            f"REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL: {len(needing)} tests need it."
        )
    for item in needing:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect to HTTPS and mark cookies secure; the test client and the
    # live server speak plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # People have passwords (the sign-in tests use them); the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test stores evidence files in its own folder, never in the project's var/; files are
    served by Django itself unless a test says otherwise."""
    settings.EVIDENCE_SENDFILE = "none"
    return use_private_media(settings, tmp_path / "private-media")


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test's flush recreates content types under new ids; forget the old ones."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a Russian page rendered by an earlier test (the
    locale middleware activates the reader's language) must not translate the next test's messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from marketplace import login_limits

    for alias in caches:
        caches[alias].clear()
    login_limits._local.clear()  # the per-process counts used while Redis is down
    yield
    for alias in caches:
        # A test may have stopped its cache's private Redis (tests/ops): nothing left to clear then.
        with contextlib.suppress(RedisConnectionError):
            caches[alias].clear()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks queued by code under test run in-process, unless a test starts a real worker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _staff_sessions_pass_the_second_factor(request, monkeypatch):
    """R-OPS-1: ``client.force_login(staff)`` gives a session that passed the second factor.

    The one documented way for tests: staff signed in with ``force_login`` get a confirmed TOTP
    device and the session records it, exactly what a real sign-in with a code leaves behind;
    the check itself stays on. A test that needs a staff session *without* a second factor marks
    itself ``@pytest.mark.no_second_factor`` (the proofs in tests/ops/test_second_factor.py).
    """
    if request.node.get_closest_marker("no_second_factor"):
        return
    from django.test import Client

    from tests.ops.otp import verify_session

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff or user.is_superuser:
            verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
