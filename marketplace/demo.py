"""Demo data for the money core: people and orders in every money state (SPEC §15).

Each scenario creates one order with a fixed number and is skipped when that order exists,
so ``seed_demo`` is idempotent. Add a scenario with ``@scenario("DEMO-nnnn")``. Scenarios run
the real services, in the past where they need history (``days_ago``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from marketplace import services
from marketplace.actors import scheduler_user
from marketplace.models import ApiClient, ApiKey, Order, Scope, TrackingEvent, User
from marketplace.services.clients import api_key_issue

PEOPLE = {
    # username: (first name, last name, staff?, superuser?, groups, language)
    "arbiter": ("Alina", "Arbiter", True, False, ["Arbiters"], "en"),
    "finance": ("Fedor", "Finance", True, False, ["Finance"], "en"),
    "supervisor": ("Sofia", "Supervisor", True, False, ["Arbiters", "Supervisors"], "en"),
    "admin": ("Admin", "", True, True, [], "en"),
    "buyer": ("Boris", "Buyer", False, False, [], "en"),
    "buyer2": ("Vera", "Pokupatel", False, False, [], "ru"),
    "seller": ("Sam", "Seller", False, False, [], "en"),
    "seller2": ("Sergey", "Prodavets", False, False, [], "ru"),
}


def ensure_people(*, with_passwords: bool) -> dict[str, User]:
    people = {}
    for username, (first, last, staff, superuser, groups, language) in PEOPLE.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "is_staff": staff,
                "is_superuser": superuser,
                "preferred_language": language,
            },
        )
        if created:
            if with_passwords:
                user.set_password(username)  # demo only: DEBUG is on
            else:
                user.set_unusable_password()
            if username.startswith("seller"):
                user.return_address = (
                    f"{first} {last}, Returns desk, 12 Warehouse Road, Shenzhen 518000, China"
                )
            user.save()
        for name in groups:
            group = Group.objects.filter(name=name).first()
            if group is not None:
                user.groups.add(group)
        people[username] = user
    scheduler_user()
    return people


# The demo marketplace's API key (DEBUG only, like the demo passwords): README's curl walk-through.
DEMO_KEY = ("mk_demo", "local-demo-secret-do-not-use-in-production")


def ensure_api_client(*, with_key: bool) -> str | None:
    """The demo marketplace as an API client of the default account, with every scope; returns
    its key when ``with_key`` (DEBUG), else None (issue one in the admin)."""
    client, _created = ApiClient.objects.get_or_create(
        name="Demo marketplace", account="", defaults={"scopes": list(Scope.values)}
    )
    if not with_key:
        return None
    if not ApiKey.objects.filter(prefix=DEMO_KEY[0]).exists():
        api_key_issue(client=client, fixed=DEMO_KEY)
    return ".".join(DEMO_KEY)


@contextmanager
def days_ago(days: float):
    """Run the block as if it were ``days`` ago, so every timestamp, deadline, ledger entry and
    audit row of a scenario tells one consistent story. Demo only (time-machine is a dev tool)."""
    import time_machine

    with time_machine.travel(timezone.now() - timedelta(days=days), tick=True):
        yield


def new_order(
    number: str,
    people,
    *,
    buyer="buyer",
    seller="seller",
    title: str,
    amount: str,
    currency="USD",
    card="Visa •••• 4242",
) -> Order:
    order = services.order_pay(
        buyer=people[buyer],
        seller=people[seller],
        item_title=title,
        amount=Decimal(amount),
        currency=currency,
        payment_method=card,
    )
    Order.objects.filter(pk=order.pk).update(number=number)
    order.refresh_from_db()
    return order


def shipped(order: Order, people, *, seller="seller", carrier="China Post", tracking=None) -> Order:
    return services.order_ship(
        order=order,
        actor=people[seller],
        carrier=carrier,
        tracking_number=tracking or f"LP{order.number[-9:]}CN",
    )


SCENARIOS: dict[str, Callable] = {}


def scenario(number: str):
    """Register ``func(number, people)`` as the scenario that creates order ``number``."""

    def register(func: Callable) -> Callable:
        if number in SCENARIOS:
            raise ValueError(f"Two demo scenarios create {number}")
        SCENARIOS[number] = func
        return func

    return register


@scenario("DEMO-1001")
def awaiting_shipment(number, people):
    new_order(number, people, title="Bluetooth headphones", amount="39.90")


@scenario("DEMO-1002")
def in_transit_near_deadline(number, people):
    # "My protection is running out but the package is still in transit" (R-PRT-4).
    with days_ago(settings.BUYER_PROTECTION_DAYS - 2):
        order = shipped(new_order(number, people, title="Winter jacket, size L", amount="64.00"), people)
        services.tracking_event_record(
            order=order,
            actor=scheduler_user(),
            status=TrackingEvent.Status.IN_TRANSIT,
            location="Moscow sorting centre",
        )


@scenario("DEMO-1003")
def delivered(number, people):
    with days_ago(20):
        order = shipped(new_order(number, people, title="Phone case", amount="7.50"), people)
    with days_ago(3):
        services.tracking_event_record(
            order=order,
            actor=scheduler_user(),
            status=TrackingEvent.Status.DELIVERED,
            location="Pickup point 12",
        )


@scenario("DEMO-1004")
def confirmed_in_dispute_window(number, people):
    with days_ago(9):
        order = shipped(new_order(number, people, title="LED desk lamp", amount="25.00"), people)
    with days_ago(2):
        services.order_confirm_receipt(order=order, actor=people["buyer"])


@scenario("DEMO-1005")
def completed_released(number, people):
    with days_ago(40):
        order = shipped(
            new_order(
                number,
                people,
                buyer="buyer2",
                title="Kitchen scale",
                amount="1490.00",
                currency="RUB",
                card="MIR •••• 1234",
            ),
            people,
        )
    with days_ago(settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS + 5):
        services.order_confirm_receipt(order=order, actor=people["buyer2"])
    services.order_release_if_due(order=order, actor=scheduler_user())


@scenario("DEMO-1006")
def extension_pending(number, people):
    with days_ago(settings.BUYER_PROTECTION_DAYS - 4):
        order = shipped(new_order(number, people, title="Garden hose 20 m", amount="18.00"), people)
    services.extension_request_create(
        order=order,
        actor=people["buyer"],
        days=15,
        reason="The tracking has not moved for two weeks; the parcel is still in transit.",
    )
