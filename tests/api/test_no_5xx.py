"""Odd input answers a 4xx problem, never a 5xx (R-API-6). Schemathesis explores the schema in
CI; these are the shapes hand-written clients send by mistake."""

from __future__ import annotations

import base64

import pytest

from tests.api.conftest import problem

pytestmark = pytest.mark.django_db

BODIES = ["", "null", "[]", '"text"', "42", "{", '{"events": null}', '{"events": [null]}', "\x00\xff"]
WRITES = [
    ("put", "/people/u-1"),
    ("post", "/orders"),
    ("post", "/orders/1/shipment"),
    ("post", "/orders/ext:x/shipment"),
    ("post", "/tracking-events"),
    ("post", "/webhook-endpoints"),
    ("patch", "/webhook-endpoints/1"),
    ("post", "/webhook-endpoints/1/replay"),
    ("post", "/payouts/callback"),
]


@pytest.fixture(autouse=True)
def _callback_on(settings):
    settings.PAYOUT_CALLBACK_SECRET = "whsec_" + "A" * 44


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_R_API_6_a_malformed_body_answers_a_4xx_problem(api, method, path, body):
    response = getattr(api.http, method)(
        "/api/v1" + path, body, content_type="application/json", headers=api._headers(None)
    )

    assert 400 <= response.status_code < 500, (response.status_code, response.content)
    problem(response)


@pytest.mark.parametrize(
    "path",
    [
        "/orders/%00",
        "/orders/ext:%F0%9F%92%A5",
        "/orders/-1",
        "/orders?limit=abc",
        "/orders?limit=100000",
        "/orders?updated_since=yesterday",
        "/orders?cursor=%00",
        "/disputes/abc",
        "/disputes/0",
        "/people/%20",
        "/refunds?updated_since=2025-13-45",
        "/webhook-endpoints/99999999999999999999999",
        "/orders/%C2%B9",  # "¹": a digit to str.isdigit, not to int() (schemathesis found it)
        "/orders/%D9%A3",  # "٣", an Arabic-Indic three
        "/orders/1234567890123456789012",
        "/orders?cursor=" + base64.urlsafe_b64encode("2026-01-01T00:00:00+00:00|¹".encode()).decode(),
    ],
)
def test_R_API_6_odd_paths_and_queries_answer_a_4xx_problem(api, path):
    response = api.get(path)

    assert 400 <= response.status_code < 500, (response.status_code, response.content)
    problem(response)


def test_R_API_6_an_over_long_idempotency_key_names_the_header(api):
    body = {"name": "Boris", "email": "boris@example.com"}
    response = api.put("/people/u-1", body, headers={"Idempotency-Key": "k" * 300})

    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "Idempotency-Key"


MULTIPART_WRITES = ["/disputes/1/evidence", "/disputes/1/complaints", "/disputes/1/return/acknowledge"]


@pytest.mark.parametrize("path", MULTIPART_WRITES)
def test_R_API_6_multipart_without_a_boundary_answers_400_not_500(api, path):
    """Found by schemathesis: ``Content-Type: multipart/form-data`` with no boundary made Django's
    parser raise inside the view."""
    response = api.http.post(
        "/api/v1" + path, b"x", content_type="multipart/form-data", headers=api._headers(None)
    )

    assert response.status_code == 400, (response.status_code, response.content)
    problem(response)


@pytest.mark.parametrize("ref", ["%C2%B9", "%D9%A3", "1234567890123456789012"])
def test_R_API_6_an_order_ref_in_other_digits_is_a_404_for_writes_too(api, ref):
    response = api.post(
        f"/orders/{ref}/extension-requests",
        {"acting_as": {"external_id": "0", "party": "buyer"}, "days": 1, "reason": "0"},
    )

    assert response.status_code == 404, response.content
    problem(response)
