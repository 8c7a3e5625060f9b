"""Login rate limiting on the shared cache (R-SEC-3).

Failed sign-ins are counted per username and per client address in Django's default cache,
which is Redis in production (REDIS_URL), so every web process sees the same counts. After
``LOGIN_FAILURE_LIMIT_PER_USERNAME`` failures for one username, or
``LOGIN_FAILURE_LIMIT_PER_IP`` from one address, within ``LOGIN_FAILURE_WINDOW_SECONDS``,
sign-in is refused — even with the right password — until the window ends.

``RateLimitedModelBackend`` enforces it for every login (the site and the admin); the site's
sign-in form (``marketplace.web.forms.SignInForm``) explains it to the person.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR is the only address a client can't forge. Behind a proxy, the proxy must set it
    # (e.g. gunicorn --forwarded-allow-ips with a trusted proxy), never a raw X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _keys(request: HttpRequest, username: str | None) -> list[tuple[str, int]]:
    keys = [(_key("ip", client_ip(request)), settings.LOGIN_FAILURE_LIMIT_PER_IP)]
    if username:
        keys.append((_key("user", username.strip().casefold()), settings.LOGIN_FAILURE_LIMIT_PER_USERNAME))
    return keys


def seconds_locked(request: HttpRequest, username: str | None) -> int:
    """Seconds until sign-in is allowed again for this username and address; 0 when it is allowed."""
    keys = _keys(request, username)
    values = cache.get_many([k for k, _ in keys] + [f"{k}:start" for k, _ in keys])
    now = time.time()
    wait = 0
    for key, limit in keys:
        if int(values.get(key) or 0) >= limit:
            started = float(values.get(f"{key}:start") or now)
            wait = max(wait, int(started + settings.LOGIN_FAILURE_WINDOW_SECONDS - now) + 1)
    return wait


def record_failure(request: HttpRequest, username: str | None) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key, _limit in _keys(request, username):
        # add() is atomic: the first failure of a window sets its start and expiry; incr() is
        # atomic on Redis, so concurrent failures are all counted.
        cache.add(f"{key}:start", time.time(), window)
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window)


def clear_username(request: HttpRequest, username: str | None) -> None:
    """A successful sign-in forgets the username's failures (not the address's)."""
    if username:
        key = _key("user", username.strip().casefold())
        cache.delete_many([key, f"{key}:start"])


class RateLimitedModelBackend(ModelBackend):
    """Django's model backend, refusing every attempt while the username or address is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is not None and seconds_locked(request, username):
            # Stops authenticate() for all backends; Django sends user_login_failed.
            raise PermissionDenied
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
