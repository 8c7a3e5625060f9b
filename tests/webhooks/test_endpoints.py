"""R-API-5: subscribing, changing, rotating and replaying through the services, and no delivery to
a private address in production (SSRF)."""

from __future__ import annotations

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from marketplace.errors import DomainError
from marketplace.events import EVENT_TYPES, emit
from marketplace.models import ApiClient, DomainEvent, Order, WebhookDelivery
from marketplace.scheduling import run_job
from marketplace.webhooks.sending import is_public
from marketplace.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_set_active,
    webhook_endpoint_update,
    webhook_replay,
    webhook_secret_rotate,
)
from tests.arbitration.conftest import DAY, HOUR, START, at
from tests.marketplace.factories import paid_order
from tests.support import fresh
from tests.webhooks.conftest import deliveries_of

pytestmark = pytest.mark.django_db


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


NOT_A_URL = "Enter the full address of your webhook receiver, such as https://example.com/webhooks."
NOT_HTTPS = "Webhook addresses must start with https://, so events travel encrypted."
PRIVATE = "Webhooks can't go to a private or local address; give a public one."


# --- Subscribing ---------------------------------------------------------------------------------


def test_R_API_5_a_new_endpoint_gets_a_standard_webhooks_secret_shown_once(marketplace_client):
    endpoint, secret = webhook_endpoint_create(
        client=marketplace_client,
        url=" https://hooks.example.com/arbitration ",
        event_types=["refund.sent", "dispute.closed", "refund.sent"],
        description="Main back end",
    )

    assert secret.startswith("whsec_")
    Webhook(secret)  # the package accepts it as a signing secret
    assert endpoint.url == "https://hooks.example.com/arbitration"
    assert endpoint.event_types == ["dispute.closed", "refund.sent"]
    assert endpoint.valid_secrets() == [secret]
    assert endpoint.is_active


def test_R_API_5_an_unknown_event_type_is_refused_by_name(marketplace_client):
    message = refused(
        lambda: webhook_endpoint_create(
            client=marketplace_client, url="https://hooks.example.com/", event_types=["dispute.reopened"]
        )
    )
    assert message == "Unknown event type “dispute.reopened”; the README lists the event types (Webhooks)."


def test_R_API_5_emit_refuses_a_type_outside_the_catalogue(people):
    order = paid_order(buyer=people.buyer, seller=people.seller)

    with pytest.raises(ValueError, match="Unknown event type 'order.teleported'"):
        emit("order.teleported", order=order, data={})
    assert "order.teleported" not in EVENT_TYPES


@pytest.mark.django_db(transaction=True)
def test_R_API_5_emit_refuses_to_write_an_event_outside_the_changes_transaction():
    """An event written in its own transaction could outlive a change that rolled back."""
    with pytest.raises(RuntimeError, match="inside the transaction"):
        emit("order.shipped", order=Order(pk=1), data={})
    with transaction.atomic(), pytest.raises(ValueError):  # inside one, only the type is checked
        emit("order.nothing", order=Order(pk=1), data={})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("hooks.example.com", NOT_A_URL),
        ("ftp://hooks.example.com/x", NOT_A_URL),
        ("http://hooks.example.com/x", NOT_HTTPS),
        ("https://127.0.0.1/x", PRIVATE),
        ("https://10.1.2.3/x", PRIVATE),
        ("https://169.254.169.254/latest/meta-data", PRIVATE),
        ("https://[::1]/x", PRIVATE),
        ("https://localhost/x", PRIVATE),
        ("https://db.internal/x", PRIVATE),
    ],
)
def test_R_API_5_in_production_an_endpoint_must_be_a_public_https_address(
    marketplace_client, settings, url, message
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    assert refused(lambda: webhook_endpoint_create(client=marketplace_client, url=url)) == message


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
    ],
)
def test_SSRF_which_addresses_count_as_public(address, public):
    assert is_public(address) is public


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_R_API_5_in_production_no_delivery_reaches_a_private_address_even_by_host_name(
    people, subscribed, receiver, settings, host
):
    """The guard resolves the host and checks the address it connects to, so a name that resolves to
    loopback (or to a private address after the check: DNS rebinding) is refused too."""
    endpoint, _ = subscribed
    webhook_endpoint_update(endpoint=endpoint, url=receiver.url.replace("127.0.0.1", host))
    paid_order(buyer=people.buyer, seller=people.seller)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    with at(START + HOUR):
        run_job("send_webhooks")

    (delivery,) = deliveries_of(endpoint)
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_response_code is None
    assert "a private address: not allowed" in delivery.last_error


# --- Changing, rotating, disabling ---------------------------------------------------------------


def test_R_API_5_an_endpoint_can_change_its_url_types_and_description(marketplace_client):
    endpoint, _ = webhook_endpoint_create(client=marketplace_client, url="https://a.example.com/")

    changed = webhook_endpoint_update(
        endpoint=endpoint, url="https://b.example.com/hooks", event_types=["penalty.applied"]
    )

    assert (changed.url, changed.event_types, changed.description) == (
        "https://b.example.com/hooks",
        ["penalty.applied"],
        "",
    )
    assert webhook_endpoint_update(endpoint=endpoint, event_types=[]).event_types == []  # all again


def test_R_API_5_rotation_keeps_two_secrets_at_most_and_can_end_the_old_one_at_once(marketplace_client):
    endpoint, first = webhook_endpoint_create(client=marketplace_client, url="https://a.example.com/")
    with at(START):
        second = webhook_secret_rotate(endpoint=endpoint)
        assert fresh(endpoint).valid_secrets() == [second, first]
        third = webhook_secret_rotate(endpoint=endpoint)
        assert fresh(endpoint).valid_secrets() == [third, second]  # the oldest stops at once
        fourth = webhook_secret_rotate(endpoint=endpoint, previous_valid_hours=0)  # e.g. after a leak
        assert fresh(endpoint).valid_secrets() == [fourth]
    with at(START + DAY + HOUR):
        assert fresh(endpoint).valid_secrets() == [fourth]
    assert "between 0 and 720 hours" in refused(
        lambda: webhook_secret_rotate(endpoint=endpoint, previous_valid_hours=-1)
    )


def test_R_API_5_replay_needs_one_event_or_a_time_an_active_endpoint_and_the_same_account(people, subscribed):
    endpoint, _ = subscribed
    paid_order(buyer=people.buyer, seller=people.seller)
    event = DomainEvent.objects.get(type="order.escrow_held")
    other = ApiClient.objects.create(name="Other marketplace", account="other")
    stranger, _ = webhook_endpoint_create(client=other, url="https://other.example.com/")
    refunds_only, _ = webhook_endpoint_create(
        client=endpoint.client, url="https://r.example.com/", event_types=["refund.sent"]
    )

    assert "Choose one event" in refused(lambda: webhook_replay(endpoint=endpoint))
    assert "Choose one event" in refused(lambda: webhook_replay(endpoint=endpoint, event=event, since=START))
    assert refused(lambda: webhook_replay(endpoint=stranger, event=event)) == (
        "That event belongs to another account than this endpoint."
    )
    assert refused(lambda: webhook_replay(endpoint=refunds_only, event=event)) == (
        "This endpoint does not subscribe to order.escrow_held events; add the type to it first."
    )
    assert webhook_replay(endpoint=refunds_only, since=START) == 0  # nothing of its types happened
    webhook_endpoint_set_active(endpoint=endpoint, active=False)
    assert refused(lambda: webhook_replay(endpoint=endpoint, event=event)) == (
        "This endpoint is disabled; enable it before sending events to it again."
    )
    assert webhook_replay(endpoint=stranger, since=START) == 0  # another account's events never leak
