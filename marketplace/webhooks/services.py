"""Webhook endpoints: subscribe, change, enable or disable, rotate the secret, replay (R-API-5).

The admin (supervisors) and the API (``webhooks:manage``) call these; neither checks a rule of
its own. Secrets are Standard Webhooks secrets (``whsec_`` + base64 of 32 random bytes), shown to
the caller once, at creation and rotation.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import islice
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.events import EVENT_TYPES
from marketplace.models import ApiClient, DomainEvent, WebhookEndpoint
from marketplace.queueing import enqueue_on_commit
from marketplace.webhooks.deliveries import DELIVER_TASK, deliveries_create
from marketplace.webhooks.sending import is_public

# Events replayed per transaction, and deliveries per queued task (several workers share a replay).
REPLAY_BATCH = 1000
TASK_SIZE = 500


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_endpoint_create(
    *, client: ApiClient, url: str, event_types: Iterable[str] = (), description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Subscribe ``url`` to the client's account's events (all of them when ``event_types`` is
    empty). Returns the endpoint and its signing secret, which is shown only now."""
    url, types = checked_url(url), checked_event_types(event_types)
    secret = new_secret()
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(
        client=client,
        url=url,
        event_types=types,
        description=(description or "").strip()[:200],
        secrets=[_secret_entry(secret, now)],
        created_at=now,
        updated_at=now,
    )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change what is given (None: unchanged). New events follow the new URL and filter; deliveries
    already written go to the new URL too."""
    with transaction.atomic():
        endpoint = _lock(endpoint)
        if url is not None:
            endpoint.url = checked_url(url)
        if event_types is not None:
            endpoint.event_types = checked_event_types(event_types)
        if description is not None:
            endpoint.description = description.strip()[:200]
        endpoint.updated_at = timezone.now()
        endpoint.save(update_fields=["url", "event_types", "description", "updated_at"])
    return endpoint


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, previous_valid_hours: int | None = None) -> str:
    """A new signing secret, returned once. The current one keeps signing too (both signatures are
    sent) for ``previous_valid_hours`` (default ``WEBHOOK_SECRET_ROTATION_HOURS``; 0 ends it now,
    e.g. after a leak), so receivers switch without losing a delivery. Older secrets end now."""
    hours = settings.WEBHOOK_SECRET_ROTATION_HOURS if previous_valid_hours is None else previous_valid_hours
    if not 0 <= hours <= 24 * 30:
        raise DomainError(_("Keep the previous secret for between 0 and 720 hours."))
    secret = new_secret()
    with transaction.atomic():
        endpoint = _lock(endpoint)
        now = timezone.now()
        current = endpoint.valid_secrets(now)[:1]
        kept = [_secret_entry(old, now, expires_at=now + timedelta(hours=hours)) for old in current if hours]
        endpoint.secrets = [_secret_entry(secret, now), *kept]
        endpoint.updated_at = now
        endpoint.save(update_fields=["secrets", "updated_at"])
    return secret


def webhook_endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """A disabled endpoint gets no new deliveries and its pending ones wait; enabled again, they go
    out, and events from the time it was off can be replayed (``webhook_replay(since=…)``)."""
    with transaction.atomic():
        endpoint = _lock(endpoint)
        if endpoint.is_active != active:
            endpoint.is_active = active
            endpoint.updated_at = timezone.now()
            endpoint.save(update_fields=["is_active", "updated_at"])
    return endpoint


def webhook_replay(
    *, endpoint: WebhookEndpoint, event: DomainEvent | None = None, since: datetime | None = None
) -> int:
    """Send ``event``, or every event of the endpoint's account and types since ``since``, again:
    new deliveries with the same ``webhook-id``. Returns how many were queued."""
    if (event is None) == (since is None):
        raise DomainError(_("Choose one event to send again, or a time to send every event since then."))
    endpoint = WebhookEndpoint.objects.select_related("client").get(pk=endpoint.pk)
    if not endpoint.is_active:
        raise DomainError(_("This endpoint is disabled; enable it before sending events to it again."))
    if event is not None:
        if event.account != endpoint.account:
            raise DomainError(_("That event belongs to another account than this endpoint."))
        if not endpoint.wants(event.type):
            raise DomainError(
                _("This endpoint does not subscribe to %(type)s events; add the type to it first.")
                % {"type": event.type}
            )
        events = iter([event])
    else:
        found = DomainEvent.objects.filter(account=endpoint.account, created_at__gte=since)
        if endpoint.event_types:
            found = found.filter(type__in=endpoint.event_types)
        events = found.order_by("created_at", "id").iterator(chunk_size=REPLAY_BATCH)
    queued = 0
    while batch := list(islice(events, REPLAY_BATCH)):
        with transaction.atomic():
            ids = deliveries_create(batch, endpoint=endpoint, replay=True)
            for start in range(0, len(ids), TASK_SIZE):
                enqueue_on_commit(DELIVER_TASK, ids[start : start + TASK_SIZE])
        queued += len(ids)
    return queued


# --- Checks -----------------------------------------------------------------------------------------


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


def _secret_entry(secret: str, now: datetime, *, expires_at: datetime | None = None) -> dict[str, str | None]:
    return {
        "secret": secret,
        "created_at": now.isoformat(),
        "expires_at": expires_at.isoformat() if expires_at else None,
    }


def checked_event_types(event_types: Iterable[str]) -> list[str]:
    if isinstance(event_types, str):
        event_types = [event_types]
    types = sorted({str(name).strip() for name in event_types or ()} - {""})
    unknown = [name for name in types if name not in EVENT_TYPES]
    if unknown:
        raise DomainError(
            _("Unknown event type “%(type)s”; the README lists the event types (Webhooks).")
            % {"type": unknown[0]}
        )
    return types


def checked_url(url: str) -> str:
    """A full http(s) URL; https and a public host unless WEBHOOK_ALLOW_PRIVATE_URLS (demo, tests).
    Host names are checked again, resolved, at every delivery (``sending.GuardedBackend``)."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            _("Enter the full address of your webhook receiver, such as https://example.com/webhooks.")
        ) from None
    if len(url) > 2000:
        raise DomainError(_("The address is too long: at most 2,000 characters."))
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return url
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise DomainError(_("Webhook addresses must start with https://, so events travel encrypted."))
    host = (parts.hostname or "").rstrip(".")
    try:
        private = not is_public(str(ipaddress.ip_address(host)))
    except ValueError:
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if private:
        raise DomainError(_("Webhooks can't go to a private or local address; give a public one."))
    return url
