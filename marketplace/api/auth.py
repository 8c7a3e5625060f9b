"""Who is calling: an API key in ``Authorization: Bearer <prefix>.<secret>`` (R-API-1).

The key's row is found by its prefix and its secret compared with the stored SHA-256 digest in
constant time (``marketplace.services.clients``). A bad, revoked or disabled key answers 401; a
key without the scope an endpoint needs answers 403 (``require_scope``). The caller's account is
``client.account``: every query of an endpoint filters by it, so another account's object is 404.
Requests are limited per key and minute on the shared cache (429 with ``Retry-After``).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from marketplace.models import ApiClient, ApiKey, Scope
from marketplace.services.clients import api_key_matches

log = logging.getLogger(__name__)

LAST_USED_EVERY = timedelta(minutes=1)  # a write per key and minute at most, not per request
WINDOW_SECONDS = 60


class ApiKeyAuth(HttpBearer):
    openapi_description = "An API key issued in the admin: `Authorization: Bearer <prefix>.<secret>`."

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        prefix, dot, secret = token.partition(".")
        if not dot or not prefix or not secret or len(prefix) > 16:
            return None
        key = ApiKey.objects.select_related("client").filter(prefix=prefix).first()
        if key is None or not api_key_matches(key, secret) or not key.is_active:
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
            # A conditional update: many workers, one write per minute.
            ApiKey.objects.filter(pk=key.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(
                last_used_at=now
            )
        request.api_client = key.client  # type: ignore[attr-defined]
        return key


def client_of(request: HttpRequest) -> ApiClient:
    """The authenticated caller (set by ``ApiKeyAuth``)."""
    return request.auth.client  # type: ignore[attr-defined]


def require_scope(request: HttpRequest, scope: Scope) -> ApiClient:
    """The caller, if its client has ``scope``; a 403 problem otherwise."""
    client = client_of(request)
    if not client.has_scope(scope):
        raise AuthorizationError(
            message=_("This key's client lacks the scope %(scope)s; a supervisor can grant it in the admin.")
            % {"scope": scope.value}
        )
    return client


class KeyRateThrottle(BaseThrottle):
    """A fixed window per key and minute of ``client.rate_limit_per_minute`` requests.

    The count lives in the shared cache, so all workers share it. If the cache is down the request
    is allowed and a warning logged: an outage of the cache must not stop the marketplace (fail
    open); the limit protects us from a runaway client, not a security boundary.
    """

    def __init__(self) -> None:
        # ninja asks ``wait()`` right after ``allow_request`` on the same (shared) object.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        key = getattr(request, "auth", None)
        if not isinstance(key, ApiKey):
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        cache_key = f"api-rate:{key.pk}:{window}"
        try:
            cache.add(cache_key, 0, timeout=WINDOW_SECONDS + 5)
            count = cache.incr(cache_key)
        except Exception:
            log.warning("api.rate_limit_cache_unavailable", exc_info=True)
            return True
        if count <= key.client.rate_limit_per_minute:
            return True
        self._local.wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float:
        return max(float(getattr(self._local, "wait", 1.0)), 1.0)
