"""Who acts, and in which role. The scheduler is a system user so audits and the ledger always
name an actor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from marketplace.models import User

SCHEDULER_USERNAME = "scheduler"

Party = Literal["buyer", "seller"]


def scheduler_user() -> User:
    user, created = get_user_model().objects.get_or_create(
        username=SCHEDULER_USERNAME,
        defaults={"is_system": True, "is_active": False, "first_name": "Scheduler"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def party_of(obj, user) -> Party | None:
    """The one answer to "which party is this user": of an order, a dispute or anything else with
    ``buyer_id`` and ``seller_id`` (a complaint answers through its dispute). None for others."""
    if user is None or user.pk is None:
        return None
    if user.pk == obj.buyer_id:
        return "buyer"
    if user.pk == obj.seller_id:
        return "seller"
    return None
