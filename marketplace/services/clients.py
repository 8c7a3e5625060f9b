"""API keys of the marketplace's machine clients: issue, rotate, revoke (R-API-1).

A key is ``<prefix>.<secret>``. The prefix is stored in clear (it names the key in lists and finds
its row); of the secret only a SHA-256 digest is kept. A plain, unsalted fast hash is the right
tool for a machine key, as GitHub and Stripe use it: the secret is 256 random bits, so there is no
dictionary to try and nothing a slow password hash (PBKDF2, Argon2) would protect, while every
request pays for the check. The plaintext is returned once, by ``api_key_issue``, and never again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.models import ApiClient, ApiKey

PREFIX_BYTES = 6  # 12 hex characters after "mk_": unique enough to index, short enough to read
SECRET_BYTES = 32


def api_key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_matches(key: ApiKey, secret: str) -> bool:
    """Compare in constant time, so the time taken says nothing about how much of it was right."""
    return hmac.compare_digest(key.hashed_key, api_key_digest(secret))


def api_key_issue(*, client: ApiClient, fixed: tuple[str, str] | None = None) -> tuple[ApiKey, str]:
    """A new key for ``client``; returns the row and the plaintext, which is shown only now.

    ``fixed`` (prefix, secret) is for the demo only (``seed_demo`` with DEBUG on), so the
    README's walk-through can name the key, as the demo's passwords are known.
    """
    if not client.is_active:
        raise DomainError(_("This client is disabled; enable it before issuing a key."))
    if fixed is None:
        prefix, secret = f"mk_{secrets.token_hex(PREFIX_BYTES)}", secrets.token_urlsafe(SECRET_BYTES)
    else:
        prefix, secret = fixed
    key = ApiKey.objects.create(client=client, prefix=prefix, hashed_key=api_key_digest(secret))
    return key, f"{prefix}.{secret}"


def api_key_revoke(*, key: ApiKey, at: datetime | None = None) -> ApiKey:
    """The key stops working at ``at`` (now by default). A revoked key is never revived."""
    at = at or timezone.now()
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None and key.revoked_at <= at:
            return key
        key.revoked_at = at
        key.save(update_fields=["revoked_at"])
    return key


def api_key_rotate(*, key: ApiKey, grace: timedelta = timedelta(0)) -> tuple[ApiKey, str]:
    """Issue a new key for the same client and revoke the old one after ``grace``, so a client
    can deploy the new key before the old one stops working."""
    with transaction.atomic():
        new_key, plaintext = api_key_issue(client=key.client)
        api_key_revoke(key=key, at=timezone.now() + grace)
    return new_key, plaintext
