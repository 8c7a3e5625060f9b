"""People for the operations proofs (SPEC §17): staff of each kind, a supervisor, a buyer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from marketplace.models import User

PASSWORD = "a long staff password 1"


@dataclass
class Staff:
    arbiter: User
    finance: User
    supervisor: User
    supervisor2: User
    buyer: User


def _person(username: str, *groups: str, staff: bool = True) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=staff, first_name=username.title())
    for name in groups:
        user.groups.add(Group.objects.get(name=name))  # the groups of arbitration's migration 0003
    return User.objects.get(pk=user.pk)


@pytest.fixture
def staff(db) -> Staff:
    return Staff(
        arbiter=_person("alina", "Arbiters"),
        finance=_person("fedor", "Finance"),
        supervisor=_person("sofia", "Arbiters", "Supervisors"),
        supervisor2=_person("semen", "Arbiters", "Supervisors"),
        buyer=_person("boris", staff=False),
    )


def sign_in(client, user: User):
    """The real sign-in page with the password (the first factor)."""
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Override of the root conftest's MD5 hasher: the gunicorn these tests start checks
    passwords with the real settings, which don't know MD5, so passwords here are hashed the
    real way (the sign-in tests through gunicorn need them)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
