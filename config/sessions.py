"""Sessions in the database (R-OPS-5: a signed-in page needs nothing but PostgreSQL), read with a
statement written once instead of a queryset compiled on every request.

Django's ``db`` engine reads the session with ``Session.objects.get(session_key=…,
expire_date__gt=now)``: building and compiling that queryset costs more CPU (about 0.35 ms) than
the indexed read itself, on every request of every page (issue 15: buyer pages' CPU). The read is
the same row with the same conditions; writing, cycling the key, flushing and signing out are
Django's own.
"""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone


@cache
def _read_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('session_key')}, {quote('session_data')}, {quote('expire_date')}"
        f" FROM {quote(Session._meta.db_table)}"
        f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The unexpired session row with this key, or None (and the key forgotten), as Django's."""
        found = list(self.model.objects.raw(_read_sql(), [self.session_key, timezone.now()]))
        if not found:
            self._session_key = None
            return None
        return found[0]
