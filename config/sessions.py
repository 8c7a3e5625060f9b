"""Sessions in the database (R-OPS-5: a signed-in page needs nothing but PostgreSQL), each row
carrying the signed-in person's id, so one query reads the session and its person (issue 15).

- The row is ``marketplace.PersonSession``: Django's session row with a ``user`` column, written
  from the session's data (``_auth_user_id``) whenever the session is saved: at sign-in (the key
  cycled, as Django does), after any change, and emptied when the data names no one.
- The read is the unexpired row with this key (as Django's ``db`` engine reads it) and, through
  the row's ``user`` column, the person with their permissions and confirmed second-factor devices
  (``marketplace.security.signed_in.read_session``), in one statement compiled once per process:
  every page, a buyer's or the back office's, reads who is signed in with its session. Django's
  ``auth.get_user`` still decides who that is from the session's data (user id, backend, password
  hash, so a password change signs other sessions out); it takes the person from this read when
  the ids match (``signed_in.AuthenticationMiddleware``).
- Writing, cycling the key, flushing and signing out (the row deleted) and ``clearsessions`` (the
  expired rows deleted) are Django's own, on this model.

On a database other than PostgreSQL (SQLite, the demo) the row is read alone and the person by the
sign-in backend's own query.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

from marketplace.models import PersonSession, User
from marketplace.security.signed_in import read_session


@cache
def _read_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('session_key')}, {quote('session_data')}, {quote('expire_date')}, {quote('user_id')}"
        f" FROM {quote(PersonSession._meta.db_table)}"
        f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )


def _person_id(value) -> int | None:
    """The signed-in person's id in a session's data (Django keeps it as a string), or None."""
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SessionStore(DatabaseSessionStore):
    # The person whose id the row carries, read with the row (``read_session``); None if no one
    # is signed in with it or the row was read without them.
    person: User | None = None

    @classmethod
    def get_model_class(cls):
        return PersonSession

    def _get_session_from_db(self):
        """The unexpired session row with this key, or None (and the key forgotten), as Django's;
        on PostgreSQL with its person."""
        if connection.vendor == "postgresql":
            found, self.person = read_session(self.session_key, timezone.now())
        else:
            rows = list(self.model.objects.raw(_read_sql(), [self.session_key, timezone.now()]))
            found = rows[0] if rows else None
        if found is None:
            self._session_key = None
        return found

    def create_model_instance(self, data):
        """The row to save, with the id of the person the data names (none for a visitor)."""
        row = super().create_model_instance(data)
        row.user_id = _person_id(data.get(SESSION_KEY))
        return row
