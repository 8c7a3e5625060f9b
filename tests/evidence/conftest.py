"""The people and cases of the evidence tests: the buyer, the seller, a stranger, the arbiter,
staff without the permission; an order shipped and disputed through the real services.

Every test stores files in its own private folder (``private_media``, the root conftest).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from arbitration import services as arbitration
from arbitration.models import Reason, WantedResolution
from marketplace import services as money

User = get_user_model()


@pytest.fixture
def buyer(db):
    return User.objects.create_user(username="boris", first_name="Boris")


@pytest.fixture
def seller(db):
    return User.objects.create_user(
        username="sam", first_name="Sam", return_address="Sam Seller, 12 Warehouse Road, Shenzhen"
    )


@pytest.fixture
def stranger(db):
    """Another buyer of the marketplace, with disputes of his own elsewhere."""
    return User.objects.create_user(username="stas")


@pytest.fixture
def arbiter(db):
    user = User.objects.create_user(username="alina", is_staff=True)
    user.groups.add(Group.objects.get(name="Arbiters"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def finance_clerk(db):
    """Staff, but without the permission to view evidence: Finance marks payouts only."""
    user = User.objects.create_user(username="fedor", is_staff=True)
    user.groups.add(Group.objects.get(name="Finance"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def shipped_order(buyer, seller):
    order = money.order_pay(
        buyer=buyer,
        seller=seller,
        item_title="Power bank 20000 mAh",
        amount=Decimal("100.00"),
        currency="USD",
        payment_method="Visa •••• 4242",
    )
    return money.order_ship(order=order, actor=seller, carrier="China Post", tracking_number="RR123456789CN")


@pytest.fixture
def open_dispute(shipped_order, buyer):
    """A dispute opened by the buyer, no files yet."""
    return open_with(shipped_order, buyer, files=[])


def open_with(order, buyer, *, files):
    return arbitration.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.DAMAGED,
        resolution=WantedResolution.FULL_REFUND,
        description="The power bank arrived swollen and hot.",
        files=files,
    )
