"""The payment provider reports payouts through a signed callback; refunds complete without a
person (R-API-2, R-REF-2)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from standardwebhooks import Webhook

from marketplace.models import DomainEvent, Refund
from tests.api.conftest import problem
from tests.marketplace.factories import make_arbiter, make_buyer, make_seller, resolved_order

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + base64.b64encode(b"payout-callback-secret-32-bytes!").decode()
URL = "/api/v1/payouts/callback"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.PAYOUT_CALLBACK_SECRET = SECRET


@pytest.fixture
def refund() -> Refund:
    order = resolved_order(
        buyer=make_buyer(), seller=make_seller(), decided_by=make_arbiter(), refund_amount="40.00"
    )
    return Refund.objects.get(order=order)


def call(body: dict, *, secret: str = SECRET, msg_id: str = "msg_1", at: datetime | None = None):
    payload = json.dumps(body)
    at = at or datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id, at, payload)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
    return Client().post(URL, payload, content_type="application/json", headers=headers)


def test_R_REF_2_sent_then_paid_completes_the_refund_without_a_person(refund):
    sent = call({"refund_id": refund.pk, "status": "sent", "reference": "PO-77"})
    paid = call({"refund_id": refund.pk, "status": "paid", "reference": "PO-77"}, msg_id="msg_2")

    assert sent.status_code == 200, sent.content
    assert sent.json()["state"] == "sent"
    assert paid.json()["state"] == "completed"
    refund.refresh_from_db()
    assert (refund.state, refund.payout_reference) == (Refund.State.COMPLETED, "PO-77")
    assert DomainEvent.objects.filter(type="refund.completed", order=refund.order).count() == 1


def test_R_REF_2_a_failed_payout_is_recorded_with_its_reason(refund):
    call({"refund_id": refund.pk, "status": "sent", "reference": "PO-78"})
    response = call(
        {"refund_id": refund.pk, "status": "failed", "failure_reason": "Card closed"}, msg_id="msg_2"
    )

    assert response.json()["state"] == "failed"
    assert response.json()["failure_reason"] == "Card closed"


def test_R_API_3_a_repeated_callback_changes_nothing_more(refund):
    call({"refund_id": refund.pk, "status": "sent", "reference": "PO-79"})
    call({"refund_id": refund.pk, "status": "paid", "reference": "PO-79"}, msg_id="msg_2")
    again = call({"refund_id": refund.pk, "status": "paid", "reference": "PO-79"}, msg_id="msg_2")

    assert again.status_code == 200
    assert DomainEvent.objects.filter(type="refund.completed", order=refund.order).count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "whsec_" + base64.b64encode(b"someone-else-entirely-32-bytes!!").decode()},
        {"at": datetime.now(tz=UTC) - timedelta(hours=1)},
    ],
    ids=["wrong-secret", "stale"],
)
def test_R_API_2_an_unsigned_or_stale_callback_answers_401(refund, kwargs):
    response = call({"refund_id": refund.pk, "status": "paid", "reference": "X"}, **kwargs)

    assert response.status_code == 401
    assert problem(response)["status"] == 401
    refund.refresh_from_db()
    assert refund.state == Refund.State.PENDING


def test_R_API_6_a_bad_result_answers_422_naming_the_field(refund):
    response = call({"refund_id": refund.pk, "status": "lost"})

    assert response.status_code == 422
    assert "status" in [error["field"] for error in problem(response)["errors"]]


def test_R_API_6_an_unknown_refund_answers_404(refund):
    assert call({"refund_id": 999999, "status": "sent", "reference": "X"}).status_code == 404


def test_R_API_6_a_refused_transition_carries_the_services_text(refund):
    response = call({"refund_id": refund.pk, "status": "failed", "failure_reason": "x"})

    assert response.status_code == 422
    assert problem(response)["detail"]
