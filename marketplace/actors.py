"""Who acts. The scheduler is a system user so audits and the ledger always name an actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from marketplace.models import User

SCHEDULER_USERNAME = "scheduler"


def scheduler_user() -> User:
    user, created = get_user_model().objects.get_or_create(
        username=SCHEDULER_USERNAME,
        defaults={"is_system": True, "is_active": False, "first_name": "Scheduler"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_scheduler(user) -> bool:
    return bool(getattr(user, "is_system", False))
