"""Buyers and sellers the marketplace tells us about (R-API-2).

A person is known by the marketplace's own id (``external_id``) in its account. They never sign in
here with a password (the marketplace is where they log in); the web pages they reach from the
marketplace's emails use the usual sign-in links.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.models import User

USERNAME_MAX = 150


def _username(account: str, external_id: str) -> str:
    # An account is a slug (no dots), so "api.<account>.<id>" names one person unambiguously.
    name = f"api.{account}.{external_id}"
    if len(name) <= USERNAME_MAX:
        return name
    return f"api.{account}.{hashlib.sha256(external_id.encode()).hexdigest()}"


def person_upsert(
    *, account: str, external_id: str, name: str, email: str, language: str
) -> tuple[User, bool]:
    """Create the person with this ``external_id`` in ``account``, or bring their name, email and
    language up to date. Returns the person and whether they were created."""
    external_id = external_id.strip()
    if not external_id:
        raise DomainError(_("Enter the person's id in your marketplace."))
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unsupported language %(language)s.") % {"language": language})
    first_name, _space, last_name = name.strip().partition(" ")
    fields = {"first_name": first_name[:150], "last_name": last_name.strip()[:150], "email": email.strip()}
    for attempt in range(2):
        try:
            with transaction.atomic():
                person = (
                    User.objects.select_for_update().filter(account=account, external_id=external_id).first()
                )
                if person is None:
                    person = User(
                        username=_username(account, external_id),
                        account=account,
                        external_id=external_id,
                        preferred_language=language,
                        password=make_password(None),  # no password: they sign in at the marketplace
                        **fields,
                    )
                    person.save()
                    return person, True
                changed = [key for key, value in fields.items() if getattr(person, key) != value]
                if person.preferred_language != language:
                    changed.append("preferred_language")
                for key in changed:
                    setattr(person, key, language if key == "preferred_language" else fields[key])
                if changed:
                    person.save(update_fields=changed)
                return person, False
        except IntegrityError:
            # Someone created the same person at the same moment: the second try finds them.
            if attempt:
                raise DomainError(_("This person id cannot be used; choose another.")) from None
    raise AssertionError("unreachable")
