"""One order from creation to a paid refund, only through the API, and every webhook heard in order
(issue 12: R-API-2, R-API-3, R-API-4, R-API-5, R-REF-2).

The marketplace's key creates the buyer and the seller, the paid order, its shipment and the
carrier's "delivered" event; acting for the buyer it opens a dispute, acting for the seller it
accepts the claim; the payment provider's signed callback reports the refund paid. A real receiver
on 127.0.0.1 gets every event of the order, each verified with ``standardwebhooks``' own
``Webhook.verify`` exactly as an integrator would. After-commit work (webhook deliveries, the
payout) runs as on a real commit.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from standardwebhooks import Webhook

from marketplace.models import DomainEvent, Refund
from marketplace.webhooks.services import webhook_endpoint_create
from tests.api.conftest import Api
from tests.arbitration.conftest import HOUR, SECOND
from tests.marketplace.factories import DAY, START, at
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

PAYOUT_SECRET = "whsec_" + base64.b64encode(b"e2e-payout-callback-secret-32by!").decode()


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver listens on 127.0.0.1
    settings.PAYOUT_CALLBACK_SECRET = PAYOUT_SECRET


def payout_callback(body: dict, msg_id: str):
    """What the payment provider sends: the result, signed per Standard Webhooks."""
    payload = json.dumps(body)
    now = datetime.now(tz=UTC)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(PAYOUT_SECRET).sign(msg_id, now, payload),
    }
    return Client().post(
        "/api/v1/payouts/callback", payload, content_type="application/json", headers=headers
    )


def test_R_API_4_R_API_5_one_order_to_a_paid_refund_only_through_the_api(
    api: Api, api_client, django_capture_on_commit_callbacks
):
    def call(method: str, path: str, body: dict, *, when, expect: int = 200, key: str | None = None):
        headers = {"Idempotency-Key": key} if key else None
        with at(when), django_capture_on_commit_callbacks(execute=True):
            response = api.send(method, path, body, headers=headers)
        assert response.status_code == expect, response.content
        return response.json()

    with Receiver() as receiver:
        _endpoint, secret = webhook_endpoint_create(client=api_client, url=receiver.url)

        # The marketplace: people, a paid order (escrow held), the shipment, the carrier's event.
        call(
            "put",
            "/people/b-17",
            {"name": "Boris Buyer", "email": "boris@example.com"},
            when=START,
            expect=201,
        )
        call(
            "put", "/people/s-42", {"name": "Sam Seller", "email": "sam@example.com"}, when=START, expect=201
        )
        order = call(
            "post",
            "/orders",
            {
                "external_id": "A-1001",
                "buyer": "b-17",
                "seller": "s-42",
                "item_title": "Power bank 20000 mAh",
                "amount": "100.00",
                "currency": "USD",
                "payment_method": "Visa •••• 4242",
            },
            when=START,
            expect=201,
            key="order-A-1001",
        )
        call(
            "post",
            "/orders/ext:A-1001/shipment",
            {"carrier": "China Post", "tracking_number": "RR123456789CN"},
            when=START + HOUR,
        )
        delivered = START + 12 * DAY
        batch = call(
            "post",
            "/tracking-events",
            {
                "events": [
                    {
                        "tracking_number": "RR123456789CN",
                        "status": "delivered",
                        "occurred_at": delivered.isoformat(),
                        "location": "Moscow",
                    }
                ]
            },
            when=delivered,
        )
        assert batch["applied"] == 1

        # Acting for the buyer, then the seller (R-API-4).
        dispute = call(
            "post",
            "/orders/ext:A-1001/dispute",
            {
                "acting_as": {"party": "buyer", "external_id": "b-17"},
                "reason": "not_as_described",
                "resolution": "full_refund",
                "description": "The power bank holds 5000 mAh, not 20000.",
            },
            when=delivered + DAY,
            expect=201,
            key="dispute-A-1001",
        )
        assert dispute["allowed_actions"]["seller"] and "accept_claim" in dispute["allowed_actions"]["seller"]
        closed = call(
            "post",
            f"/disputes/{dispute['id']}/accept-claim",
            {"acting_as": {"party": "seller", "external_id": "s-42"}},
            when=delivered + 2 * DAY,
            key="accept-A-1001",
        )
        assert closed["state"] == "closed"
        assert closed["allowed_actions"] == {"buyer": ["file_complaint"], "seller": []}

        # The payout went to the provider after commit; its signed callback says it was paid.
        refund = Refund.objects.get(order_id=order["id"])
        assert refund.amount == 100
        with django_capture_on_commit_callbacks(execute=True):
            paid = payout_callback(
                {"refund_id": refund.pk, "status": "paid", "reference": "PO-1001"}, msg_id="po-1001-paid"
            )
        assert paid.status_code == 200, paid.content
        assert paid.json()["state"] == "completed"
        refund.refresh_from_db()
        assert refund.state == Refund.State.COMPLETED

    # Every event of the order reached the receiver once, in the order it happened, verified as an
    # integrator verifies it.
    events = list(DomainEvent.objects.filter(order_id=order["id"]).order_by("pk"))
    heard = []
    for request in receiver.delivered:
        sent = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
        with at(sent + SECOND):  # verified when it arrived (the clock of this test travels)
            heard.append(Webhook(secret).verify(request.body, request.headers))
    assert [message["type"] for message in heard] == [event.type for event in events]
    assert [request.headers["webhook-id"] for request in receiver.delivered] == [
        event.uid for event in events
    ]
    types = [message["type"] for message in heard]
    story = [
        "order.escrow_held",
        "order.shipped",
        "order.delivered",
        "dispute.opened",
        "refund.created",
        "dispute.closed",
        "refund.sent",
        "refund.completed",
    ]
    assert [t for t in types if t in story] == story, types
    assert heard[-1]["data"]["state"] == "completed"
    assert heard[-1]["data"]["amount"] == "100.00"
