"""The people and cases of the scheduler and notification tests (SPEC §11, §12).

People and cases come from the dispute-lifecycle helpers (``tests/arbitration/conftest.py``)
and the money-core factories: every case is built through the real services at fixed
moments, so each deadline a test crosses is the one the services computed.
"""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import connection

from tests.arbitration.conftest import People, make_people

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture
def people(db) -> People:
    """Boris the buyer and Sam the seller (with email addresses), arbiters, finance, the scheduler."""
    _ensure_staff_groups()
    return make_people()


def _ensure_staff_groups() -> None:
    """The staff groups come from a data migration; a transactional test's flush empties them
    (and, after a flush without post-migrate signals, the permissions too), so they are made
    again here the way the migration makes them."""
    migration = importlib.import_module("arbitration.migrations.0003_staff_groups")
    if Group.objects.filter(name__in=migration.GROUPS).count() == len(migration.GROUPS):
        return
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)  # and the content types they need
    for name, codes in migration.GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.add(
                *(Permission.objects.get(content_type__app_label=app, codename=code) for app, code in codes)
            )


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-media"), "base_url": None},
        },
    }


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when a service is missing, or fail in CI (REQUIRE_SERVICES=1)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"CI requires it: {reason}")
    pytest.skip(reason)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"
