"""Sign-in and password-reset limits on the shared cache (R-SEC-3, issue 13).

Failed sign-ins are counted per username and per client address in the ``limits`` cache (Redis
in production, REDIS_URL), so every web process sees the same counts.

- **Per username** (the account): after ``LOGIN_FAILURE_LIMIT_PER_USERNAME`` failures within
  ``LOGIN_FAILURE_WINDOW_SECONDS``, sign-in for that username is paused — even with the right
  password — until the window ends.
- **Per address**: after ``LOGIN_FAILURE_LIMIT_PER_IP`` failures from one address within the
  window, the address is *throttled*, not locked: one attempt every
  ``LOGIN_IP_THROTTLE_SECONDS`` ("try again in N s"). Many people can share an address (an
  office, a carrier, a misconfigured proxy), and their correct passwords still get in. A browser
  that signed in as a username before carries a signed "known device" cookie for it, and is
  never throttled for others' failures (the per-username pause still applies to it).
- **Password reset**: at most ``PASSWORD_RESET_LIMIT_PER_IP`` requests per address and
  ``PASSWORD_RESET_LIMIT_PER_EMAIL`` emails per address book entry within
  ``PASSWORD_RESET_WINDOW_SECONDS``.

The client address is ``REMOTE_ADDR`` unless the deployment names its proxies
(``TRUSTED_PROXY_COUNT`` or ``TRUSTED_PROXIES``); only then is ``X-Forwarded-For`` read, and only
the entries the trusted proxies wrote (``client_ip``).

When the shared cache does not answer (Redis down, R-OPS-5) the limits fail safe: each process
counts on its own in memory, with a logged warning, so sign-in keeps working and stays limited.

``RateLimitedModelBackend`` enforces the limits for every login (the site and the admin); the
site's sign-in form (``marketplace.web.forms.SignInForm``) explains them to the person.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_structlog import signals as structlog_signals

from marketplace.security.signed_in import signed_in_person

log = logging.getLogger(__name__)

# Counts of this process alone, used while the shared cache does not answer.
_local = LocMemCache("login-limits-fallback", {"MAX_ENTRIES": 10_000})


# --- The client's address ---------------------------------------------------------------------


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the person, as far as the trusted proxies vouch for it.

    ``REMOTE_ADDR`` is the only address a client can't forge. ``X-Forwarded-For`` is read only
    when the deployment says which proxies are its own: ``TRUSTED_PROXY_COUNT`` (each proxy
    appends the address it saw, so the client is that many entries from the right of the header
    plus REMOTE_ADDR; anything further left was written by the client) or ``TRUSTED_PROXIES``
    (addresses or networks: walk from REMOTE_ADDR leftwards past trusted proxies; the first
    other address is the client's).
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    count = settings.TRUSTED_PROXY_COUNT
    networks = settings.TRUSTED_PROXIES
    if not count and not networks:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    chain = [*forwarded, remote]
    if networks:
        trusted = [ipaddress.ip_network(n, strict=False) for n in networks]
        for entry in reversed(chain):
            address = _ip(entry)
            if address is None:
                break  # garbage: nothing to its left can be trusted either
            if not any(address.version == n.version and address in n for n in trusted):
                return str(address)
        return remote
    if len(chain) <= count:
        return remote  # fewer hops than proxies: the request did not come through them all
    address = _ip(chain[-(count + 1)])
    return str(address) if address is not None else remote


def _log_client_ip(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    # django-structlog logs the address ipware picks, which believes X-Forwarded-For and a dozen
    # other headers from anyone; the logs say what the limits use instead (R-OPS-4).
    structlog.contextvars.bind_contextvars(ip=client_ip(request))


structlog_signals.bind_extra_request_metadata.connect(_log_client_ip, dispatch_uid="login_limits.client_ip")


# --- The shared counters ------------------------------------------------------------------------


def _shared() -> BaseCache:
    return caches["limits"] if "limits" in settings.CACHES else caches["default"]


def _cache_call(operation: Callable[[BaseCache], Any]) -> Any:
    """Run ``operation`` on the shared cache; if it does not answer, on this process's memory."""
    try:
        return operation(_shared())
    except Exception:
        log.warning(
            "The shared cache does not answer; sign-in limits are counted per process meanwhile",
            exc_info=True,
        )
        return operation(_local)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _count(key: str, window: int) -> None:
    def count(cache: BaseCache) -> None:
        # add() is atomic: the first hit of a window sets its start and expiry; incr() is atomic
        # on Redis, so concurrent hits are all counted.
        cache.add(f"{key}:start", time.time(), window)
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window)

    _cache_call(count)


def _seconds_left(values: dict[str, Any], key: str, limit: int, window: int, now: float) -> int:
    """Seconds until the window of ``key`` ends if its count reached ``limit``, else 0."""
    if int(values.get(key) or 0) < limit:
        return 0
    started = float(values.get(f"{key}:start") or now)
    left = started + window - now
    return math.ceil(left) if left > 0 else 0


def _username_key(username: str) -> str:
    return _key("user", username.strip().casefold())


# --- Known devices ------------------------------------------------------------------------------

KNOWN_DEVICE_COOKIE = "known_device"
_DEVICE_SALT = "marketplace.login_limits.known-device"


def is_known_device(request: HttpRequest, username: str | None) -> bool:
    """This browser signed in as ``username`` before (a signed cookie, LOGIN_KNOWN_DEVICE_DAYS)."""
    if not username or KNOWN_DEVICE_COOKIE not in request.COOKIES:
        return False
    try:
        known = signing.loads(
            request.COOKIES[KNOWN_DEVICE_COOKIE],
            salt=_DEVICE_SALT,
            max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
        )
    except signing.BadSignature:
        return False
    return bool(known == username.strip().casefold())


def _remember_device(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        request.known_device_username = user.get_username()  # type: ignore[attr-defined]


user_logged_in.connect(_remember_device, dispatch_uid="login_limits.remember_device")


def known_device_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """After a sign-in (the site's or the admin's), give the browser its known-device cookie."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        username = getattr(request, "known_device_username", None)
        if username:
            response.set_cookie(
                KNOWN_DEVICE_COOKIE,
                signing.dumps(username.strip().casefold(), salt=_DEVICE_SALT),
                max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return middleware


@dataclass(frozen=True)
class Pause:
    """Why and for how long sign-in waits: the account is paused, or the address is throttled."""

    seconds: int
    account: bool


def pause_for(request: HttpRequest, username: str | None) -> Pause | None:
    """The pause in force for this username and address, or None when an attempt may go ahead."""
    ip_key = _key("ip", client_ip(request))
    keys = [ip_key, f"{ip_key}:start", f"{ip_key}:slot"]
    if username:
        user_key = _username_key(username)
        keys += [user_key, f"{user_key}:start"]
    values = _cache_call(lambda cache: cache.get_many(keys))
    now = time.time()
    if username:
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        limit = settings.LOGIN_FAILURE_LIMIT_PER_USERNAME
        if seconds := _seconds_left(values, _username_key(username), limit, window, now):
            return Pause(seconds, account=True)
    if int(values.get(ip_key) or 0) >= settings.LOGIN_FAILURE_LIMIT_PER_IP and not is_known_device(
        request, username
    ):
        left = float(values.get(f"{ip_key}:slot") or 0) - now
        if left > 0:
            return Pause(math.ceil(left), account=False)
    return None


def claim_attempt(request: HttpRequest, username: str | None) -> bool:
    """False when the address is throttled and its next attempt is not due yet; True otherwise
    (and a throttled address's attempt takes the slot, so the next one waits again). A known
    device is never throttled."""
    if is_known_device(request, username):
        return True
    ip_key = _key("ip", client_ip(request))
    if int(_cache_call(lambda cache: cache.get(ip_key)) or 0) < settings.LOGIN_FAILURE_LIMIT_PER_IP:
        return True
    delay = settings.LOGIN_IP_THROTTLE_SECONDS

    def claim(cache: BaseCache) -> bool:
        now = time.time()
        if cache.add(f"{ip_key}:slot", now + delay, delay):
            return True
        # The slot's own time decides (the key's expiry may lag behind a clock moved by a test).
        if float(cache.get(f"{ip_key}:slot") or 0) <= now:
            cache.set(f"{ip_key}:slot", now + delay, delay)
            return True
        return False

    return bool(_cache_call(claim))


def seconds_locked(request: HttpRequest, username: str | None) -> int:
    """Seconds until sign-in is allowed again for this username and address; 0 when it is allowed."""
    pause = pause_for(request, username)
    return pause.seconds if pause else 0


def record_failure(request: HttpRequest, username: str | None) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    _count(_key("ip", client_ip(request)), window)
    if username:
        _count(_username_key(username), window)


def clear_username(request: HttpRequest, username: str | None) -> None:
    """A successful sign-in forgets the username's failures (not the address's)."""
    if username:
        key = _username_key(username)
        _cache_call(lambda cache: cache.delete_many([key, f"{key}:start"]))


def throttled_message(seconds: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts from your network. Try again in %(seconds)d second.",
        "Too many failed sign-in attempts from your network. Try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


# --- Password reset -----------------------------------------------------------------------------


def password_reset_wait(request: HttpRequest) -> int:
    """Seconds until this address may ask for another password reset; 0 when it may now."""
    key = _key("reset-ip", client_ip(request))
    values = _cache_call(lambda cache: cache.get_many([key, f"{key}:start"]))
    return _seconds_left(
        values, key, settings.PASSWORD_RESET_LIMIT_PER_IP, settings.PASSWORD_RESET_WINDOW_SECONDS, time.time()
    )


def password_reset_allowed_for_email(request: HttpRequest, email: str) -> bool:
    """Count one request from this address for ``email``; False when that email address has had
    its share of reset emails in the window (then none is sent, and the page says the same as
    ever, so it tells nobody whether the address has an account)."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    _count(_key("reset-ip", client_ip(request)), window)
    key = _key("reset-email", email.strip().casefold())
    values = _cache_call(lambda cache: cache.get_many([key, f"{key}:start"]))
    if _seconds_left(values, key, settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window, time.time()):
        log.warning("Password reset email not sent: the limit for this email address is reached")
        return False
    _count(key, window)
    return True


# --- The authentication backend -----------------------------------------------------------------


class RateLimitedModelBackend(ModelBackend):
    """Django's model backend, refusing attempts while the username is paused or the address is
    throttled, and demo accounts when DEBUG is off."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is not None:
            if pause_for(request, username):
                # Stops authenticate() for all backends; Django sends user_login_failed.
                raise PermissionDenied
            if not claim_attempt(request, username):
                # Another attempt from the address took the slot a moment ago.
                raise ValidationError(
                    throttled_message(settings.LOGIN_IP_THROTTLE_SECONDS), code="rate_limited"
                )
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if request is not None:
            if user is None:
                record_failure(request, username)
            else:
                clear_username(request, username)
        if user is not None and not settings.DEBUG and user.is_demo_account:
            # Only said to someone who knows the password. A ValidationError (not PermissionDenied,
            # which every login form shows as "wrong password") reaches the form's errors, so the
            # site's and the admin's sign-in pages say why.
            raise ValidationError(
                _(
                    "This is a demo account, and demo accounts can't sign in on a live site. "
                    "Ask an administrator for an account of your own."
                ),
                code="demo_account",
            )
        return user

    def get_user(self, user_id):
        """The signed-in person of a request; for staff with their permissions and confirmed
        second-factor devices in the same query (``marketplace.security.signed_in``)."""
        user = signed_in_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """The same set as Django's backend (the user's own permissions and their groups'), read
        in one query rather than two; kept on the user for the request, as Django keeps it.
        Every back office page asks for it (issue 15: the case page's query budget)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = (
                Permission.objects.all()
                if user_obj.is_superuser
                else Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            )
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.order_by()
                .values_list("content_type__app_label", "codename")
                .distinct()
            }
        return user_obj._perm_cache
