"""Deliveries: written with their event, sent after commit, retried until delivered or three days
have passed (R-API-5).

Sending never holds a database transaction open across the network. A sender first *claims* the
due deliveries (``SELECT … FOR UPDATE SKIP LOCKED`` and a push of ``next_attempt_at`` a few
minutes ahead, committed at once), then POSTs them concurrently, then records every outcome in one
update. Two senders (the after-commit task and the sweep, or two workers) never claim the same
delivery at once; a sender that dies after claiming leaves its deliveries due again when the claim
runs out. A delivery may therefore be POSTed twice (at least once): the receiver deduplicates on
``webhook-id``.

Failed attempts are retried with exponential backoff and jitter (``WEBHOOK_RETRY_BASE_SECONDS``
doubling up to ``WEBHOOK_RETRY_MAX_DELAY_SECONDS``, ±25 %) until ``WEBHOOK_RETRY_HOURS`` after the
delivery was created; the attempt then due is the last, and if it fails the delivery is failed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, QuerySet
from django.utils import timezone

from marketplace.batches import insert_rows
from marketplace.models import WebhookDelivery, WebhookEndpoint
from marketplace.webhooks.sending import Attempt, body_of, post, signed_headers

DELIVER_TASK = "marketplace.tasks.webhook_deliver_task"
# How long a sender holds the deliveries it claimed before another may send them.
CLAIM_SECONDS = 300
# Deliveries claimed, sent and recorded together (a few rounds of WEBHOOK_CONCURRENCY).
CHUNK = 100
CLAIMED_COLUMNS = [
    "pk",
    "attempts",
    "created_at",
    "endpoint_id",
    "event__uid",
    "event__type",
    "event__created_at",
    "event__data",
]
RECORDED_FIELDS = [
    "status",
    "attempts",
    "next_attempt_at",
    "last_attempt_at",
    "last_response_code",
    "last_response_ms",
    "last_error",
    "delivered_at",
]


def active_endpoints(accounts: Iterable[str]) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(
        is_active=True, client__is_active=True, client__account__in=set(accounts)
    )


class EventRef(Protocol):
    """What a delivery needs of its event: a ``DomainEvent``, or ``emit_many``'s id, account and
    type of events it has just inserted."""

    @property
    def pk(self) -> Any: ...
    @property
    def account(self) -> str: ...
    @property
    def type(self) -> str: ...


def deliveries_create(
    events: Sequence[EventRef], *, endpoint: WebhookEndpoint | None = None, replay: bool = False
) -> list[int]:
    """One pending delivery per event and endpoint that wants it: the active endpoints of each
    event's account, or just ``endpoint`` (a replay). Returns their ids."""
    if not events:
        return []
    # (id, account, types) of each target; values, not models: this runs in every emit().
    if endpoint is not None:
        targets = [(endpoint.pk, endpoint.client.account, endpoint.event_types)]
    else:
        found = active_endpoints(event.account for event in events)
        targets = list(found.values_list("pk", "client__account", "event_types"))
    now = timezone.now()
    return insert_rows(
        WebhookDelivery,
        (
            {
                "event_id": event.pk,
                "endpoint_id": pk,
                "created_at": now,
                "next_attempt_at": now,
                "is_replay": replay,
            }
            for event in events
            for pk, account, types in targets
            if account == event.account and (not types or event.type in types)
        ),
    )


def deliveries_due(now: datetime | None = None) -> QuerySet[WebhookDelivery]:
    """Pending deliveries whose next attempt is due, to endpoints that are on (a disabled
    endpoint's deliveries wait for it)."""
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now or timezone.now(),
        endpoint__is_active=True,
        endpoint__client__is_active=True,
    )


def retry_delay(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt: exponential, capped, with ±25 % jitter."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    seconds = min(settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS, base) * random.uniform(0.75, 1.25)
    return timedelta(seconds=seconds)


@dataclass
class SendOutcome:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    delivered_ids: list[int] = field(default_factory=list)

    def add(self, other: SendOutcome) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed
        self.delivered_ids += other.delivered_ids

    def summary(self) -> str:
        return (
            f"{self.claimed} sent: {self.delivered} delivered, {self.retrying} to retry, "
            f"{self.failed} failed for good"
        )


def webhook_deliver(*, delivery_ids: Sequence[int]) -> SendOutcome:
    """Send the given deliveries that are still due (others have been sent, or are being sent)."""
    outcome = SendOutcome()
    for start in range(0, len(delivery_ids), CHUNK):
        claimed = _claim(delivery_ids[start : start + CHUNK])
        if claimed:
            outcome.add(_record(claimed, _send_all(claimed)))
    return outcome


def webhooks_send_due(*, batch_size: int, keep_going=lambda: True) -> SendOutcome:
    """Send every due delivery, ``batch_size`` at a time, while ``keep_going()`` (the sweep's budget)."""
    outcome = SendOutcome()
    while keep_going():
        ids = list(deliveries_due().order_by("next_attempt_at").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        sent = webhook_deliver(delivery_ids=ids)
        outcome.add(sent)
        if not sent.claimed or len(ids) < batch_size:
            break  # the rest is other senders' now, or there is no more
    return outcome


@dataclass
class _Claimed:
    """A claimed delivery, as much as sending it and recording the outcome needs."""

    pk: int
    attempts: int
    created_at: datetime
    endpoint: WebhookEndpoint
    msg_id: str
    body: bytes
    # What the attempt changes: the columns of RECORDED_FIELDS.
    outcome: dict = field(default_factory=dict)


def _claim(ids: Sequence[int]) -> list[_Claimed]:
    # Values, not model instances: this runs for every delivery and model loading dominated it.
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            deliveries_due(now)
            .filter(pk__in=ids)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list(*CLAIMED_COLUMNS)
        )
        WebhookDelivery.objects.filter(pk__in=[row[0] for row in rows]).update(
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)
        )
    endpoints = WebhookEndpoint.objects.in_bulk({row[3] for row in rows})
    return [
        _Claimed(pk, attempts, created_at, endpoints[endpoint_id], uid, body_of(uid, type_, at, data))
        for pk, attempts, created_at, endpoint_id, uid, type_, at, data in rows
    ]


def _send_one(delivery: _Claimed) -> tuple[datetime, Attempt]:
    at = timezone.now()
    secrets = delivery.endpoint.valid_secrets(at)
    headers = signed_headers(secrets=secrets, msg_id=delivery.msg_id, at=at, body=delivery.body)
    return at, post(delivery.endpoint.url, body=delivery.body, headers=headers)


def _send_all(claimed: list[_Claimed]) -> list[tuple[datetime, Attempt]]:
    if len(claimed) == 1:
        return [_send_one(claimed[0])]
    return list(_pool().map(_send_one, claimed))


@cache
def _pool() -> ThreadPoolExecutor:
    # Threads only wait on the network (no database work happens in them).
    return ThreadPoolExecutor(max_workers=settings.WEBHOOK_CONCURRENCY, thread_name_prefix="webhook")


def _record(claimed: list[_Claimed], attempts: list[tuple[datetime, Attempt]]) -> SendOutcome:
    outcome = SendOutcome(claimed=len(claimed))
    window = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    now = timezone.now()
    for delivery, (at, attempt) in zip(claimed, attempts, strict=True):
        attempts_made = delivery.attempts + 1
        status, delivered_at, next_attempt_at = WebhookDelivery.Status.PENDING, None, None
        if attempt.ok:
            status, delivered_at = WebhookDelivery.Status.SUCCEEDED, now
            outcome.delivered += 1
            outcome.delivered_ids.append(delivery.pk)
        elif now >= delivery.created_at + window:
            status = WebhookDelivery.Status.FAILED
            outcome.failed += 1
        else:
            # The last attempt comes at the end of the window, however the delays fall.
            next_attempt_at = min(now + retry_delay(attempts_made), delivery.created_at + window)
            outcome.retrying += 1
        delivery.outcome = {
            "status": status,
            "attempts": attempts_made,
            "next_attempt_at": next_attempt_at,
            "last_attempt_at": at,
            "last_response_code": attempt.status_code,
            "last_response_ms": attempt.milliseconds,
            "last_error": attempt.error[:500],
            "delivered_at": delivered_at,
        }
    _save_outcomes(claimed)
    return outcome


def _save_outcomes(claimed: list[_Claimed]) -> None:
    """One UPDATE per row in one transaction (``bulk_update``'s CASE expressions cost ~10 ms of CPU
    per row to build; this costs microseconds). Not ``executemany``: django-pghistory prepends its
    context to every statement run inside ``pghistory.context()`` (the request middleware), which
    ``executemany``'s list of parameter rows cannot take."""
    meta = WebhookDelivery._meta
    quote = connection.ops.quote_name
    columns = [field for name in RECORDED_FIELDS if isinstance(field := meta.get_field(name), Field)]
    assert len(columns) == len(RECORDED_FIELDS) and meta.pk is not None
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(str(f.column))} = %s' for f in columns)} "
        f"WHERE {quote(str(meta.pk.column))} = %s"
    )
    values = [
        [f.get_db_prep_save(delivery.outcome[f.name], connection) for f in columns] + [delivery.pk]
        for delivery in claimed
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for row in values:
            cursor.execute(sql, row)
