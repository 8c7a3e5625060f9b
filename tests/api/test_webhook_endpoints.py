"""Managing webhook endpoints through the API (R-API-5), scope ``webhooks:manage``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import WebhookDelivery, WebhookEndpoint
from tests.api.conftest import problem, scoped_api

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/arbitration"


@pytest.fixture(autouse=True)
def _public_urls_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False


def test_R_API_5_subscribe_shows_the_secret_once(api):
    created = api.post("/webhook-endpoints", {"url": URL, "event_types": ["dispute.opened"]})
    read = api.get(f"/webhook-endpoints/{created.json()['id']}")

    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    assert "secret" not in read.json()
    assert read.json()["event_types"] == ["dispute.opened"]


def test_R_API_5_change_disable_and_rotate(api):
    endpoint_id = api.post("/webhook-endpoints", {"url": URL}).json()["id"]

    changed = api.patch(
        f"/webhook-endpoints/{endpoint_id}", {"event_types": ["refund.sent"], "enabled": False}
    )
    rotated = api.post(f"/webhook-endpoints/{endpoint_id}/rotate-secret", {"previous_valid_hours": 2})

    assert changed.json()["enabled"] is False
    assert changed.json()["event_types"] == ["refund.sent"]
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["previous_secret_valid_until"] is not None
    assert len(WebhookEndpoint.objects.get(pk=endpoint_id).valid_secrets()) == 2


def test_R_API_6_a_bad_url_or_event_type_carries_the_services_text(api):
    private = api.post("/webhook-endpoints", {"url": "http://127.0.0.1/hook"})
    unknown = api.post("/webhook-endpoints", {"url": URL, "event_types": ["order.teleported"]})

    assert private.status_code == unknown.status_code == 422
    assert "order.teleported" in problem(unknown)["detail"]


def test_R_API_5_replay_since_a_time_queues_the_accounts_events(api, other_api):
    api.put("/people/u-b", {"name": "B", "email": "b@example.com"})
    api.put("/people/u-s", {"name": "S", "email": "s@example.com"})
    endpoint_id = api.post("/webhook-endpoints", {"url": URL}).json()["id"]
    api.post(
        "/orders",
        {
            "external_id": "o-1",
            "buyer": "u-b",
            "seller": "u-s",
            "item_title": "Lamp",
            "amount": "10.00",
            "currency": "USD",
            "payment_method": "Card",
        },
    )
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    replayed = api.post(f"/webhook-endpoints/{endpoint_id}/replay", {"since": since})

    assert replayed.status_code == 200, replayed.content
    assert replayed.json()["queued"] == 1
    assert WebhookDelivery.objects.filter(endpoint_id=endpoint_id).count() == 2  # the original + the replay
    assert other_api.post(f"/webhook-endpoints/{endpoint_id}/replay", {"since": since}).status_code == 404


def test_R_API_1_endpoints_need_the_webhooks_scope_and_are_per_account(api, other_api):
    endpoint_id = api.post("/webhook-endpoints", {"url": URL}).json()["id"]

    assert scoped_api("orders:write").get("/webhook-endpoints").status_code == 403
    assert other_api.get(f"/webhook-endpoints/{endpoint_id}").status_code == 404
    assert other_api.get("/webhook-endpoints").json() == []
