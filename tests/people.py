"""The people of every test: one cast, made through Django's user manager.

Boris the buyer and Sam the seller (with email addresses; Sam has a return address), Stella a
stranger (another buyer), Alina and Artem the arbiters (the Arbiters group from migration 0003),
Sofia the supervisor (Arbiters + Supervisors, like the demo's), Fedor the finance operator
(Finance), Stan, staff without any group, and the scheduler (``marketplace.actors``).

``make_people(surnames=True)`` gives everybody a last name (the back office shows full names:
"Alina Arbiter"); ``passwords=True`` gives everybody a password (the sign-in tests use them; the
test settings hash them quickly).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from marketplace.actors import scheduler_user

User = get_user_model()

RETURN_ADDRESS = "Sam Seller, Returns desk, 12 Warehouse Road, Shenzhen"
BUYER_PASSWORD = "correct horse battery"
PASSWORD = "x"


@dataclass
class People:
    buyer: User
    seller: User
    stranger: User
    arbiter: User
    arbiter2: User
    supervisor: User
    finance: User
    staff: User
    scheduler: User

    def all(self) -> dict[str, User]:
        return dict(vars(self))


def member(user: User, *groups: str) -> User:
    """``user`` in ``groups`` (made by migration 0003, R-SEC-2), as a new instance: ``has_perm``
    caches permissions."""
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return User.objects.get(pk=user.pk)


def ensure_staff_groups() -> None:
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


def make_people(*, surnames: bool = False, passwords: bool = False) -> People:
    def make(username: str, first: str, last: str, *groups: str, password: str = PASSWORD, **fields) -> User:
        user = User.objects.create_user(
            username=username,
            first_name=first,
            last_name=last if surnames else "",
            password=password if passwords else None,
            **fields,
        )
        return member(user, *groups) if groups else user

    return People(
        buyer=make("boris", "Boris", "Buyer", email="boris@example.com", password=BUYER_PASSWORD),
        seller=make("sam", "Sam", "Seller", email="sam@example.com", return_address=RETURN_ADDRESS),
        stranger=make("stella", "Stella", "Stranger"),
        arbiter=make("alina", "Alina", "Arbiter", "Arbiters", is_staff=True),
        arbiter2=make("artem", "Artem", "Arbiter", "Arbiters", is_staff=True),
        supervisor=make("sofia", "Sofia", "Supervisor", "Arbiters", "Supervisors", is_staff=True),
        finance=make("fedor", "Fedor", "Finance", "Finance", is_staff=True),
        staff=make("stan", "Stan", "Staff", is_staff=True),
        scheduler=scheduler_user(),
    )
