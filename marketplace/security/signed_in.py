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

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Case, CharField, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY, device_classes
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from marketplace.models import User

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


def signed_in_person(user_id) -> User | None:
    """The person with this id, with what a staff request needs besides (see the module)."""
    if connection.vendor != "postgresql":
        return User._default_manager.filter(pk=user_id).first()
    sql, params, where, device_columns = _person_query()
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    found = list(User._default_manager.raw(sql, (*params[:where], pk, *params[where + 1 :])))
    if not found:
        return None
    person = found[0]
    permissions = person.staff_permissions  # type: ignore[attr-defined]
    if permissions is not None:
        person._perm_cache = set(permissions)  # type: ignore[attr-defined]
    devices = [getattr(person, name) for name in device_columns]
    if devices and devices[0] is not None:
        person.confirmed_devices = {pid for found in devices for pid in found}  # type: ignore[attr-defined]
    return person


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
