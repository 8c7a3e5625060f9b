"""A webhook delivery due again, for the scheduler's per-job tests (``tests/scheduler/test_jobs.py``).

One receiver on 127.0.0.1 serves the whole session; a delivery "moved" as many times as the
receiver accepted its ``webhook-id`` (so a delivery sent twice counts twice).
"""

from __future__ import annotations

import functools

from marketplace.models import ApiClient, DomainEvent, WebhookDelivery, WebhookEndpoint
from marketplace.webhooks.services import new_secret
from tests.arbitration.conftest import HOUR, START
from tests.webhooks.receiver import Receiver


@functools.cache
def shared_receiver() -> Receiver:
    return Receiver().__enter__()  # a daemon thread, for the whole session


def failed_once(people) -> tuple[WebhookDelivery, object]:
    """A delivery whose first attempt failed at START; its next attempt is due an hour later."""
    receiver = shared_receiver()
    client, _ = ApiClient.objects.get_or_create(name="Marketplace back end", account="")
    endpoint = WebhookEndpoint.objects.filter(client=client, url=receiver.url).first()
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(
            client=client, url=receiver.url, secrets=[{"secret": new_secret(), "expires_at": None}]
        )
    event = DomainEvent.objects.create(
        type="order.shipped", account="", data={"object": "order"}, created_at=START
    )
    delivery = WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        attempts=1,
        created_at=START,
        last_attempt_at=START,
        last_response_code=500,
        next_attempt_at=START + HOUR,
    )
    return delivery, delivery.next_attempt_at


def times_received(delivery: WebhookDelivery) -> int:
    uid = DomainEvent.objects.get(pk=delivery.event_id).uid
    return sum(1 for request in shared_receiver().delivered if request.headers["webhook-id"] == uid)
