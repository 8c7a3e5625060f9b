"""The people, the marketplace's API client, a real receiver and its endpoint (R-API-5).

People and cases come from the dispute-lifecycle helpers (``tests/arbitration/conftest.py``),
built through the real services at fixed moments. Orders made that way belong to the default
account "", so the client below (account "") hears of them.
"""

from __future__ import annotations

import pytest
from django.db.models import Max

from marketplace.models import ApiClient, DomainEvent, WebhookDelivery, WebhookEndpoint
from marketplace.webhooks.services import webhook_endpoint_create
from tests.people import People, ensure_staff_groups, make_people
from tests.webhooks.receiver import Receiver


@pytest.fixture
def people(db) -> People:
    ensure_staff_groups()
    return make_people()


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    """The receivers here listen on 127.0.0.1, which production refuses (SSRF)."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def marketplace_client(db) -> ApiClient:
    return ApiClient.objects.create(name="Marketplace back end", account="", scopes=["webhooks:manage"])


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def subscribed(marketplace_client, receiver) -> tuple[WebhookEndpoint, str]:
    """An endpoint for every event type at the real receiver, and its signing secret."""
    return webhook_endpoint_create(client=marketplace_client, url=receiver.url)


def last_event_id() -> int:
    return DomainEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def events_after(event_id: int, type: str | None = None) -> list[DomainEvent]:
    found = DomainEvent.objects.filter(pk__gt=event_id).order_by("pk")
    return list(found.filter(type=type) if type else found)


def deliveries_of(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("pk"))
