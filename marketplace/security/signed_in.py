"""Who is signed in, read once per request: the person, and for staff their permissions and their
confirmed second-factor devices, in one query (issue 15).

Every back office request needs all three: the person (``AuthenticationMiddleware``), whether the
session's second-factor device is still theirs and confirmed (``OTPMiddleware``, R-OPS-1), and
their permissions (every admin page). Django and django-otp read them in three queries; here the
person's row carries the other two as arrays, so each request still sees them as they are in the
database now: a permission taken away or a device reset counts from the next request, as before.

- ``signed_in_person(user_id)`` is what the sign-in backend's ``get_user`` reads
  (``marketplace.login_limits.RateLimitedModelBackend``); for a staff account it leaves
  ``_perm_cache`` (the set Django's backends keep per request) and ``confirmed_devices``.
- ``SecondFactorMiddleware`` is django-otp's middleware, answering "is the session's device
  confirmed and this person's?" from ``confirmed_devices`` instead of a query of its own.

Buyers and sellers have no permissions or devices to read: their row is read as before (the arrays
are computed only for staff rows). On a database without arrays (SQLite, the demo) nothing is
annotated and Django's and django-otp's own queries run.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import Case, CharField, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY, device_classes
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from marketplace.models import PersonSession, User

STAFF = Q(is_staff=True) | Q(is_superuser=True)  # who passes a second factor (``needs_second_factor``)


def _only_for(who: Q, expression, output_field):
    """``expression`` for the rows ``who`` matches, NULL for the others (not computed for them)."""
    return Case(When(who, then=expression), default=Value(None), output_field=output_field)


def _annotations() -> dict:
    from django.contrib.postgres.expressions import ArraySubquery
    from django.contrib.postgres.fields import ArrayField

    names = ArrayField(CharField())
    own_or_groups = Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    label = Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
    permissions = Permission.objects.filter(own_or_groups).order_by().values(permission=label)
    # A superuser has every permission: Django answers without reading them.
    without_superusers = STAFF & Q(is_superuser=False)
    annotations = {"staff_permissions": _only_for(without_superusers, ArraySubquery(permissions), names)}
    for number, model in enumerate(device_classes()):
        # "app_label.model/pk": django-otp's persistent id, as the session keeps it.
        ids = (
            model.objects.filter(user=OuterRef("pk"), confirmed=True)
            .order_by()
            .values(pid=Concat(Value(f"{model._meta.label_lower}/"), F("pk"), output_field=CharField()))
        )
        annotations[f"devices_{number}"] = _only_for(STAFF, ArraySubquery(ids), names)
    return annotations


_ANY_ID = -7_310_525  # stands for the person's id while the query is compiled


@functools.cache
def _person_query() -> tuple[str, tuple, int, list[str]]:
    """The query's SQL, its parameters, where the person's id goes among them and the device
    columns' names: compiled once per process (compiling the subqueries costs more CPU than the
    query itself; issue 15's buyer pages read a person on every request)."""
    annotations = _annotations()
    query = User._default_manager.annotate(**annotations).filter(pk=_ANY_ID).order_by()
    sql, params = query.query.sql_with_params()
    devices = [name for name in annotations if name.startswith("devices_")]
    return sql, tuple(params), list(params).index(_ANY_ID), devices


def _with_what_staff_need(person: User, read: dict) -> User:
    """The person with their permissions and confirmed devices (``read``: the query's arrays)."""
    permissions = read["staff_permissions"]
    if permissions is not None:
        person._perm_cache = set(permissions)  # type: ignore[attr-defined]
    devices = [read[name] for name in _person_query()[3]]
    if devices and devices[0] is not None:
        person.confirmed_devices = {pid for found in devices for pid in found}  # type: ignore[attr-defined]
    return person


def signed_in_person(user_id) -> User | None:
    """The person with this id, with what a staff request needs besides (see the module): the
    one read with the request's session row when it is theirs (``read_session``), else read."""
    if connection.vendor != "postgresql":
        return User._default_manager.filter(pk=user_id).first()
    sql, params, where, device_columns = _person_query()
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    with_session = getattr(_request_session.get(), "person", None)
    if with_session is not None and with_session.pk == pk:
        return with_session
    found = list(User._default_manager.raw(sql, (*params[:where], pk, *params[where + 1 :])))
    if not found:
        return None
    person = found[0]
    return _with_what_staff_need(
        person, {n: getattr(person, n) for n in ("staff_permissions", *device_columns)}
    )


# --- The session and its person in one query -------------------------------------------------


@functools.cache
def _session_query() -> tuple[str, tuple, list[str], list[str]]:
    """``_person_query`` joined to the session row by the row's ``user_id`` (a LATERAL subquery: the
    person's row with their arrays, or nothing), the session's key and expiry as parameters; with
    the session's and the person's column names in the order the query returns them."""
    sql, params, where, device_columns = _person_query()
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1:
        raise RuntimeError("the person's query has a literal %s: review _session_query")
    session = PersonSession._meta
    quote = connection.ops.quote_name
    # The person's id in their query becomes the session row's column: compiled once, like it.
    person_sql = "%s".join(pieces[: where + 1]) + f"s.{quote('user_id')}" + "%s".join(pieces[where + 1 :])
    session_columns = [str(f.column) for f in session.concrete_fields]
    person_columns = [str(f.column) for f in User._meta.concrete_fields]
    person_columns += ["staff_permissions", *device_columns]
    return (
        f"SELECT {', '.join(f's.{quote(c)}' for c in session_columns)}, p.*"
        f" FROM {quote(session.db_table)} s LEFT JOIN LATERAL ({person_sql}) p ON TRUE"
        f" WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s",
        (*params[:where], *params[where + 1 :]),
        session_columns,
        person_columns,
    )


def read_session(session_key: str, now) -> tuple[PersonSession | None, User | None]:
    """The unexpired session row with this key and the person whose id it carries, with their
    permissions and confirmed devices, in one query (PostgreSQL); (None, None) if there is none."""
    sql, params, session_columns, person_columns = _session_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, session_key, now))
        row = cursor.fetchone()
        returned = [column[0] for column in cursor.description or ()]
    if row is None:
        return None, None
    if returned != [*session_columns, *person_columns]:  # a column added or moved: never misread one
        raise RuntimeError(f"the session query returned {returned}: review _session_query")
    session = PersonSession.from_db(
        connection.alias,
        [f.attname for f in PersonSession._meta.concrete_fields],
        row[: len(session_columns)],
    )
    read = dict(zip(person_columns, row[len(session_columns) :], strict=True))
    if read[str(User._meta.pk.column)] is None:  # no one signed in, or the person is gone
        return session, None
    person = User.from_db(
        connection.alias,
        [f.attname for f in User._meta.concrete_fields],
        [read[str(f.column)] for f in User._meta.concrete_fields],
    )
    return session, _with_what_staff_need(person, read)


# The request's session while Django's ``auth.get_user`` runs (``AuthenticationMiddleware``): the
# backend's ``get_user(user_id)`` takes the person its store read with the row from it.
_request_session: ContextVar[SessionBase | None] = ContextVar("signed_in_session", default=None)


def _user(request):
    """Django's ``auth.get_user`` (the session's user id, backend, password hash and its fallbacks,
    flushing a session whose hash no longer matches), with the request's session at hand."""
    if not hasattr(request, "_cached_user"):
        token = _request_session.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _request_session.reset(token)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` read by ``_user``: the person comes from the session's query
    when the session store read them (``config.sessions``), else from the backend's own."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's ``OTPMiddleware``, checking the session's device against the person's confirmed
    devices read with them (``signed_in_person``); any other user is checked by django-otp's query.
    ``request.user.otp_device`` is the device, loaded only if something reads it."""

    def _verify_user_sync(self, request, user):
        confirmed = getattr(user, "confirmed_devices", None)  # reads the lazy user
        if confirmed is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id and self._normalize_persistent_id(persistent_id) in confirmed:
            user.otp_device = SimpleLazyObject(
                functools.partial(Device.from_persistent_id, self._normalize_persistent_id(persistent_id))
            )
        elif persistent_id:
            del request.session[DEVICE_ID_SESSION_KEY]  # as django-otp does with a device no longer valid
        return user
