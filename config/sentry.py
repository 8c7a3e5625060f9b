"""Error tracking (R-OPS-4): Sentry when ``SENTRY_DSN`` is set, with beat jobs monitored.

Celery beat's entries report to Sentry Crons (``monitor_beat_tasks``): each run checks in when it
starts and when it ends, so a job that fails, runs too long or is not run at all raises an
alert. Buyers' personal data never leaves: no default PII (no user emails, IP addresses, cookies
or bodies), and ``scrub`` removes names, emails and addresses from every event that is sent.
"""

from __future__ import annotations

import re

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

SENSITIVE_KEYS = {
    "email",
    "first_name",
    "last_name",
    "full_name",
    "name",
    "username",
    "address",
    "return_address",
    "destination",
    "phone",
    "password",
    "token",
    "otp_token",
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
REDACTED = "[redacted]"


def _scrub(value, depth: int = 0):
    if depth > 12:
        return value
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SENSITIVE_KEYS else _scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    if isinstance(value, str):
        return EMAIL.sub(REDACTED, value)
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """``before_send``: personal data out of messages, extras, variables and breadcrumbs."""
    event = _scrub(event)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {key: value for key, value in user.items() if key == "id"}
    return event


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub(crumb)


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *sorted(SENSITIVE_KEYS)], recursive=True),
        before_send=scrub,  # type: ignore[arg-type]  # sentry's Event is a TypedDict of a plain dict
        before_breadcrumb=scrub_breadcrumb,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=True)],
    )
