"""The people and cases of the scheduler and notification tests (SPEC §11, §12).

People and cases come from the dispute-lifecycle helpers (``tests/arbitration/conftest.py``)
and the money-core factories: every case is built through the real services at fixed
moments, so each deadline a test crosses is the one the services computed.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.people import People, ensure_staff_groups, make_people

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture
def people(db) -> People:
    """Boris the buyer and Sam the seller (with email addresses), arbiters, finance, the scheduler."""
    ensure_staff_groups()
    return make_people()


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when a service is missing, or fail in CI (REQUIRE_SERVICES=1)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"CI requires it: {reason}")
    pytest.skip(reason)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"
