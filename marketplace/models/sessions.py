"""Browser sessions, in PostgreSQL (R-OPS-5: a signed-in page needs nothing but the database).

Django's own session row with one more column: the id of the person signed in with it (none for a
visitor). The session store (``config.sessions``) writes it with the session's data and reads
the session and that person, with their permissions and second-factor devices, in one query per
request (``marketplace.security.signed_in``, issue 15).
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class PersonSession(AbstractBaseSession):
    # Whose session it is, as its data says (``_auth_user_id``); deleting a person ends their
    # sessions. The session's data stays the authority: auth still checks it on every request.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "marketplace_session"

    @classmethod
    def get_session_store_class(cls):
        """The configured engine's store (``get_decoded`` reads a row's data with it)."""
        return import_module(settings.SESSION_ENGINE).SessionStore
