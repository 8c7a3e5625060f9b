"""R-API-5: events reach a real receiver on 127.0.0.1, signed per Standard Webhooks, at least once.

The receiver (``receiver.py``) is ``http.server`` in a thread; it checks nothing itself. The tests
verify what it got with ``standardwebhooks.Webhook.verify``, as an integrator would. Time moves
with time-machine and the retries are made by the ``send_webhooks`` sweep, as beat would run it;
nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from standardwebhooks import Webhook, WebhookVerificationError

from marketplace import services as money
from marketplace.models import ApiClient, DomainEvent, WebhookDelivery
from marketplace.scheduling import run_job
from marketplace.webhooks.deliveries import deliveries_create, webhook_deliver
from marketplace.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_set_active,
    webhook_replay,
    webhook_secret_rotate,
)
from tests.arbitration.conftest import DAY, HOUR, SECOND, START, at
from tests.marketplace.factories import paid_order, run_concurrently
from tests.support import fresh
from tests.webhooks.conftest import deliveries_of
from tests.webhooks.receiver import Received, Receiver

pytestmark = pytest.mark.django_db

Pending, Succeeded, Failed = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SUCCEEDED, "failed")


def sent_at(request: Received) -> datetime:
    return datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)


def verify(secret: str, request: Received) -> dict:
    """What an integrator does: ``Webhook(secret).verify(body, headers)``, at the time it arrived."""
    with at(sent_at(request) + SECOND):
        return Webhook(secret).verify(request.body, request.headers)


def ship(people, order, capture, *, when=START + HOUR):
    """The seller ships (an ``order.shipped`` event); its after-commit work runs as on a real commit."""
    with at(when), capture(execute=True):
        return money.order_ship(order=order, actor=people.seller, carrier="DHL", tracking_number="JD014600")


def sweep_at(moment: datetime):
    with at(moment):
        return run_job("send_webhooks")


def test_R_API_5_a_receiver_down_for_three_attempts_gets_the_event_once_it_recovers(
    people, marketplace_client, django_capture_on_commit_callbacks
):
    with Receiver(fail_first=3) as receiver:
        endpoint, secret = webhook_endpoint_create(
            client=marketplace_client, url=receiver.url, event_types=["order.shipped"]
        )
        order = paid_order(buyer=people.buyer, seller=people.seller)  # order.escrow_held: not subscribed

        ship(people, order, django_capture_on_commit_callbacks)

        (delivery,) = deliveries_of(endpoint)
        assert (delivery.status, delivery.attempts, delivery.last_response_code) == (Pending, 1, 500)
        assert delivery.last_error == "HTTP 500: receiver is down"
        assert delivery.last_response_ms is not None
        for _ in range(3):
            due = fresh(delivery).next_attempt_at
            assert sweep_at(due - SECOND).moved == 0  # not before its time
            sweep_at(due + SECOND)

        delivery = fresh(delivery)
        assert (delivery.status, delivery.attempts, delivery.last_response_code) == (Succeeded, 4, 204)
        assert delivery.last_error == ""
        assert len(receiver.requests) == 4
        event = DomainEvent.objects.get(type="order.shipped")
        assert {request.headers["webhook-id"] for request in receiver.requests} == {event.uid}
        assert {request.body for request in receiver.requests} == {receiver.requests[0].body}
        for request in receiver.requests:
            body = verify(secret, request)
            assert body == {
                "id": event.uid,
                "type": "order.shipped",
                "timestamp": "2025-03-03T10:00:00Z",
                "data": event.data,
            }
        # Exponential backoff: each pause longer than the one before, whatever the jitter.
        moments = [sent_at(request) for request in receiver.requests]
        pauses = [later - earlier for earlier, later in zip(moments, moments[1:], strict=False)]
        assert pauses == sorted(pauses) and pauses[0] >= timedelta(seconds=20)
        assert sweep_at(moments[-1] + DAY).moved == 0  # delivered: never sent again


def test_R_API_5_a_receiver_that_never_recovers_is_retried_for_three_days_then_the_delivery_fails(
    people, subscribed, receiver, django_capture_on_commit_callbacks, settings
):
    receiver.fail_first = 10**6
    endpoint, _ = subscribed
    paid_order(buyer=people.buyer, seller=people.seller)  # order.escrow_held, not yet sent
    (delivery,) = deliveries_of(endpoint)

    for _ in range(100):
        delivery = fresh(delivery)
        if delivery.status != Pending:
            break
        result = sweep_at(delivery.next_attempt_at)

    assert delivery.status == Failed
    assert result.failed == 1 and "failed for good" in result.summary()
    assert 10 <= delivery.attempts <= 40
    assert delivery.last_attempt_at == delivery.created_at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    assert sweep_at(delivery.last_attempt_at + 10 * DAY).moved == 0
    assert len(receiver.requests) == delivery.attempts


def test_R_API_5_a_delivery_whose_task_was_lost_is_sent_by_the_sweep(people, subscribed, receiver):
    """No after-commit task ran (a broker outage): the committed delivery is due, and the sweep sends it."""
    endpoint, secret = subscribed
    paid_order(buyer=people.buyer, seller=people.seller)

    result = sweep_at(START + SECOND)

    (delivery,) = deliveries_of(endpoint)
    assert result.moved_ids == [delivery.pk]
    assert verify(secret, receiver.requests[0])["type"] == "order.escrow_held"


def test_R_API_5_replay_sends_the_same_event_again_with_the_same_webhook_id(
    people, subscribed, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = subscribed
    order = paid_order(buyer=people.buyer, seller=people.seller)
    ship(people, order, django_capture_on_commit_callbacks)
    first = receiver.requests[-1]
    event = DomainEvent.objects.get(type="order.shipped")

    with at(START + DAY), django_capture_on_commit_callbacks(execute=True):
        assert webhook_replay(endpoint=endpoint, event=event) == 1

    again = receiver.requests[-1]
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == event.uid
    assert again.body == first.body
    assert verify(secret, again)["id"] == event.uid
    replayed = WebhookDelivery.objects.get(endpoint=endpoint, event=event, is_replay=True)
    assert (replayed.status, replayed.attempts) == (Succeeded, 1)

    with at(START + 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        count = webhook_replay(endpoint=endpoint, since=START)  # both events of the order, in order

    assert count == 2
    assert sorted(verify(secret, r)["type"] for r in receiver.requests[-2:]) == [
        "order.escrow_held",
        "order.shipped",
    ]


def test_R_API_5_during_a_secret_rotation_both_secrets_verify_and_afterwards_only_the_new_one(
    people, subscribed, receiver, django_capture_on_commit_callbacks, settings
):
    endpoint, old = subscribed
    with at(START):
        new = webhook_secret_rotate(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    order = paid_order(buyer=people.buyer, seller=people.seller)

    ship(people, order, django_capture_on_commit_callbacks, when=START + HOUR)
    during = receiver.requests[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verify(old, during) == verify(new, during)

    after_rotation = START + timedelta(hours=settings.WEBHOOK_SECRET_ROTATION_HOURS) + SECOND
    with at(after_rotation), django_capture_on_commit_callbacks(execute=True):
        money.order_confirm_receipt(order=fresh(order), actor=people.buyer)
    after = receiver.requests[-1]
    assert verify(new, after)["type"] == "order.receipt_confirmed"
    with pytest.raises(WebhookVerificationError):
        verify(old, after)


def test_R_API_5_a_rolled_back_change_emits_no_event_and_writes_no_delivery(
    people, subscribed, receiver, django_capture_on_commit_callbacks
):
    order = paid_order(buyer=people.buyer, seller=people.seller)
    events, deliveries = DomainEvent.objects.count(), WebhookDelivery.objects.count()

    with (
        at(START + HOUR),
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        money.order_ship(order=order, actor=people.seller, carrier="DHL", tracking_number="JD1")
        raise RuntimeError("something after the change failed")

    assert queued == []
    assert (DomainEvent.objects.count(), WebhookDelivery.objects.count()) == (events, deliveries)
    assert not DomainEvent.objects.filter(type="order.shipped").exists()
    assert receiver.requests == []


def test_R_API_5_deliveries_go_to_the_active_endpoints_of_the_events_account_that_want_the_type(
    people, marketplace_client, receiver
):
    everything, _ = webhook_endpoint_create(client=marketplace_client, url=receiver.url + "/all")
    webhook_endpoint_create(
        client=marketplace_client, url=receiver.url + "/refunds", event_types=["refund.sent"]
    )
    disabled, _ = webhook_endpoint_create(client=marketplace_client, url=receiver.url + "/off")
    disabled.is_active = False
    disabled.save()
    other_account = ApiClient.objects.create(name="Other marketplace", account="other")
    webhook_endpoint_create(client=other_account, url=receiver.url + "/other")
    revoked = ApiClient.objects.create(name="Old back end", account="", is_active=False)
    webhook_endpoint_create(client=revoked, url=receiver.url + "/revoked")

    paid_order(buyer=people.buyer, seller=people.seller)

    assert [d.endpoint_id for d in WebhookDelivery.objects.all()] == [everything.pk]


def test_R_API_5_a_disabled_endpoints_deliveries_wait_and_go_out_when_it_is_enabled(
    people, subscribed, receiver
):
    endpoint, secret = subscribed
    paid_order(buyer=people.buyer, seller=people.seller)
    webhook_endpoint_set_active(endpoint=endpoint, active=False)

    assert sweep_at(START + HOUR).moved == 0
    assert receiver.requests == []

    webhook_endpoint_set_active(endpoint=endpoint, active=True)
    assert sweep_at(START + 2 * HOUR).moved == 1
    assert verify(secret, receiver.requests[0])["type"] == "order.escrow_held"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R_API_5_two_senders_at_once_post_each_delivery_once(marketplace_client, receiver):
    """The after-commit task and the sweep (or two workers) racing for the same deliveries: each is
    claimed by one of them (SKIP LOCKED and a lease), so the receiver gets every event once."""
    webhook_endpoint_create(client=marketplace_client, url=receiver.url)
    with transaction.atomic():  # written without queueing a task: the two senders below are the only ones
        events = DomainEvent.objects.bulk_create(
            [DomainEvent(type="order.shipped", account="", data={"n": n}) for n in range(30)]
        )
        ids = deliveries_create(events)

    outcomes = run_concurrently([lambda: webhook_deliver(delivery_ids=ids)] * 2)

    assert all(outcome.ok for outcome in outcomes), [outcome.error for outcome in outcomes]
    assert sum(outcome.value.claimed for outcome in outcomes) == 30
    received = [request.headers["webhook-id"] for request in receiver.requests]
    assert sorted(received) == sorted(event.uid for event in events)
    assert WebhookDelivery.objects.filter(status=Succeeded, attempts=1).count() == 30
