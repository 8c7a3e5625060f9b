"""The people of the money-core tests: the buyer, the seller, the finance operator, the scheduler."""

from __future__ import annotations

import pytest

from marketplace.actors import scheduler_user
from tests.marketplace import factories


@pytest.fixture
def buyer(db):
    return factories.make_buyer("boris")


@pytest.fixture
def seller(db):
    return factories.make_seller("sam")


@pytest.fixture
def finance(db):
    return factories.make_finance("fedor")


@pytest.fixture
def scheduler(db):
    return scheduler_user()


@pytest.fixture
def arbiter(db):
    """Who decides a dispute; the money core only records them as the actor."""
    return factories.make_arbiter("alina")
