"""The marketplace feeds people, paid orders, shipments and carrier tracking in (R-API-2), every
write idempotent (R-API-3), every refusal a problem naming the field (R-API-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import (
    DomainEvent,
    EscrowHold,
    IdempotencyRecord,
    LedgerEntry,
    Order,
    TrackingEvent,
    User,
)
from marketplace.scheduling import run_job
from tests.api.conftest import problem, scoped_api
from tests.marketplace.factories import at

pytestmark = pytest.mark.django_db

BORIS = {"name": "Boris Petrov", "email": "boris@example.com", "language": "ru"}
SONYA = {"name": "Sonya Seller", "email": "sonya@example.com", "language": "en"}


def order_body(**changes):
    return {
        "external_id": "A-1001",
        "buyer": "u-boris",
        "seller": "u-sonya",
        "item_title": "Vintage camera",
        "amount": "120.50",
        "currency": "EUR",
        "payment_method": "Visa •••• 4242",
        **changes,
    }


@pytest.fixture
def parties(api):
    assert api.put("/people/u-boris", BORIS).status_code == 201
    assert api.put("/people/u-sonya", SONYA).status_code == 201


@pytest.fixture
def order(api, parties) -> Order:
    response = api.post("/orders", order_body())
    assert response.status_code == 201, response.content
    return Order.objects.get(pk=response.json()["id"])


@pytest.fixture
def shipped(api, order) -> Order:
    response = api.post(f"/orders/{order.pk}/shipment", {"carrier": "DHL", "tracking_number": "JD0001"})
    assert response.status_code == 200, response.content
    return Order.objects.get(pk=order.pk)


# --- People -------------------------------------------------------------------------------------


def test_R_API_2_a_person_is_created_then_brought_up_to_date(api):
    created = api.put("/people/u-boris", BORIS)
    updated = api.put("/people/u-boris", {**BORIS, "email": "boris@new.example"})

    assert created.status_code == 201
    assert updated.status_code == 200
    assert updated.json()["id"] == created.json()["id"]
    person = User.objects.get(account="shop", external_id="u-boris")
    assert (person.email, person.preferred_language, person.get_full_name()) == (
        "boris@new.example",
        "ru",
        "Boris Petrov",
    )
    assert not person.has_usable_password()


def test_R_API_1_the_same_person_id_in_another_account_is_another_person(api, other_api):
    mine = api.put("/people/u-boris", BORIS).json()["id"]
    theirs = other_api.put("/people/u-boris", BORIS).json()["id"]

    assert mine != theirs
    assert other_api.get("/people/u-boris").json()["id"] == theirs


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BORIS, "email": "not-an-email"}, "email"),
        ({**BORIS, "language": "fr"}, "language"),
        ({**BORIS, "name": ""}, "name"),
        ({"email": "b@example.com"}, "name"),
    ],
)
def test_R_API_6_a_bad_person_answers_422_naming_the_field(api, body, field):
    response = api.put("/people/u-boris", body)

    assert response.status_code == 422
    assert field in [error["field"] for error in problem(response)["errors"]]


def test_R_API_1_people_need_the_orders_write_scope(db):
    response = scoped_api("tracking:write").put("/people/u-boris", BORIS)

    assert response.status_code == 403
    assert "orders:write" in problem(response)["detail"]


# --- Orders -------------------------------------------------------------------------------------


def test_R_API_2_an_order_is_created_paid_with_its_escrow_held_R_ESC_1(api, order):
    escrow = EscrowHold.objects.get(order=order)

    assert order.account == "shop" and order.external_id == "A-1001"
    assert order.state == Order.State.PAID
    assert str(escrow.held) == "120.50"
    assert LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.HOLD).count() == 1
    assert DomainEvent.objects.filter(order=order, type="order.escrow_held", account="shop").exists()


def test_R_API_3_the_same_order_again_answers_200_with_the_existing_one(api, order):
    again = api.post("/orders", order_body())

    assert again.status_code == 200
    assert again.json()["id"] == order.pk
    assert Order.objects.filter(external_id="A-1001").count() == 1


def test_R_API_3_other_details_under_an_existing_order_id_answer_409(api, order):
    response = api.post("/orders", order_body(amount="99.00"))

    assert response.status_code == 409
    assert problem(response)["errors"][0]["field"] == "external_id"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "12.345"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"buyer": "u-nobody"}, "buyer"),
        ({"external_id": "has space"}, "external_id"),
        ({"item_title": ""}, "item_title"),
    ],
)
def test_R_API_6_a_bad_order_answers_422_naming_the_field(api, parties, changes, field):
    response = api.post("/orders", order_body(**changes))

    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in problem(response)["errors"]]
    assert not Order.objects.exists()


def test_R_API_6_a_domain_refusal_carries_the_services_text(api, parties):
    response = api.post("/orders", order_body(seller="u-boris"))

    assert response.status_code == 422
    assert problem(response)["detail"] == "A seller can't buy from themselves."


def test_R_API_6_a_body_that_is_not_json_answers_422_problem(api):
    response = api.http.post(
        "/api/v1/orders", "{not json", content_type="application/json", headers=api._headers(None)
    )

    assert response.status_code in (400, 422)
    assert problem(response)["status"] == response.status_code


def test_R_ESC_5_an_order_reads_with_its_money_trail_by_our_id_and_by_ext(api, order):
    ours = api.get(f"/orders/{order.pk}")
    theirs = api.get("/orders/ext:A-1001")

    assert ours.status_code == theirs.status_code == 200
    assert ours.json() == theirs.json()
    trail = ours.json()["money_trail"]
    assert (trail["paid"], trail["in_escrow"], trail["balanced"]) == ("120.50", "120.50", True)


def test_R_API_1_another_accounts_order_is_404(order, other_api):
    assert other_api.get(f"/orders/{order.pk}").status_code == 404
    assert other_api.get("/orders/ext:A-1001").status_code == 404
    response = other_api.post(f"/orders/{order.pk}/shipment", {"carrier": "DHL", "tracking_number": "X1"})
    assert response.status_code == 404
    assert problem(response)["status"] == 404


def test_R_API_1_orders_need_the_orders_write_scope(parties):
    response = scoped_api("disputes:read").post("/orders", order_body())

    assert response.status_code == 403
    assert not Order.objects.exists()


# --- Idempotency-Key ----------------------------------------------------------------------------


def test_R_API_3_same_key_same_body_returns_the_stored_response(api, parties):
    first = api.post("/orders", order_body(), headers={"Idempotency-Key": "k-1"})
    second = api.post("/orders", order_body(), headers={"Idempotency-Key": "k-1"})

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_R_API_3_same_key_other_body_is_refused_with_422(api, parties):
    api.post("/orders", order_body(), headers={"Idempotency-Key": "k-1"})
    response = api.post("/orders", order_body(external_id="A-1002"), headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "Idempotency-Key"
    assert Order.objects.count() == 1


def test_R_API_3_a_refusal_is_stored_and_replayed_too(api, parties):
    first = api.post("/orders", order_body(seller="u-boris"), headers={"Idempotency-Key": "k-2"})
    second = api.post("/orders", order_body(seller="u-boris"), headers={"Idempotency-Key": "k-2"})

    assert first.status_code == second.status_code == 422
    assert problem(second) == problem(first)


def test_R_API_3_keys_are_per_client(api, other_api, parties):
    other_api.put("/people/u-boris", BORIS)
    other_api.put("/people/u-sonya", SONYA)

    mine = api.post("/orders", order_body(), headers={"Idempotency-Key": "same"})
    theirs = other_api.post("/orders", order_body(), headers={"Idempotency-Key": "same"})

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_R_API_3_a_key_is_kept_IDEMPOTENCY_KEY_HOURS_then_purged_and_new_again(api, parties, settings):
    first = api.post("/orders", order_body(), headers={"Idempotency-Key": "k-1"})
    kept = timezone.now() + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)

    with at(kept - timedelta(seconds=5)):
        assert run_job("purge_idempotency_keys").moved == 0
        replayed = api.post("/orders", order_body(), headers={"Idempotency-Key": "k-1"})
    with at(kept + timedelta(seconds=5)):
        purged = run_job("purge_idempotency_keys")
        # The key is new again: bound to the next request it comes with, whatever that is.
        later = api.post("/orders", order_body(external_id="A-1002"), headers={"Idempotency-Key": "k-1"})

    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()
    assert purged.moved == 1
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    assert IdempotencyRecord.objects.get().path == "/api/v1/orders"


def test_R_API_3_every_write_that_takes_a_key_declares_the_header(api):
    """The OpenAPI document says which operations take ``Idempotency-Key``: every write made with an
    API key; the payout provider's signed callback (no key) is idempotent by the payout's id."""
    document = api.http.get("/api/v1/openapi.json").json()
    declared, undeclared = set(), set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
            (declared if ("header", "Idempotency-Key") in names else undeclared).add((method, path))

    assert undeclared == {("post", "/api/v1/payouts/callback")}
    assert ("post", "/api/v1/orders") in declared
    assert ("post", "/api/v1/disputes/{dispute_id}/evidence") in declared
    assert len(declared) >= 25


# --- Shipments and tracking ---------------------------------------------------------------------


def test_R_API_2_a_shipment_starts_protection_R_PRT_1(shipped):
    assert shipped.state == Order.State.SHIPPED
    assert shipped.protection_deadline is not None
    assert DomainEvent.objects.filter(order=shipped, type="order.shipped").exists()


def test_R_API_3_the_same_shipment_again_is_200_and_another_409(api, shipped):
    same = api.post(f"/orders/{shipped.pk}/shipment", {"carrier": "DHL", "tracking_number": "JD0001"})
    other = api.post(f"/orders/{shipped.pk}/shipment", {"carrier": "UPS", "tracking_number": "1Z"})

    assert same.status_code == 200
    assert other.status_code == 409
    assert problem(other)["status"] == 409


def test_R_API_2_tracking_events_are_applied_or_refused_each_on_its_own(api, shipped, parties):
    unshipped = api.post("/orders", order_body(external_id="A-2")).json()["id"]
    now = timezone.now()
    response = api.post(
        "/tracking-events",
        {
            "events": [
                {"tracking_number": "JD0001", "status": "in_transit", "occurred_at": now.isoformat()},
                {"order": "ext:NOPE", "status": "in_transit", "occurred_at": now.isoformat()},
                {"order": str(unshipped), "status": "in_transit", "occurred_at": now.isoformat()},
                {
                    "order": f"ext:{shipped.external_id}",
                    "status": "delivered",
                    "occurred_at": (now + timedelta(hours=1)).isoformat(),
                    "location": "Berlin",
                },
            ]
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["applied"], body["refused"]) == (2, 2)
    assert [result["applied"] for result in body["results"]] == [True, False, False, True]
    assert body["results"][2]["detail"] == "The order has not been shipped yet."
    assert body["results"][3]["order_state"] == "delivered"
    assert Order.objects.get(pk=shipped.pk).state == Order.State.DELIVERED
    assert DomainEvent.objects.filter(order=shipped, type="order.delivered").count() == 1


def test_R_API_3_a_repeated_tracking_event_is_recorded_once(api, shipped):
    event = {"order": str(shipped.pk), "status": "delivered", "occurred_at": timezone.now().isoformat()}

    first = api.post("/tracking-events", {"events": [event]}).json()["results"][0]
    second = api.post("/tracking-events", {"events": [event]}).json()["results"][0]

    assert first["id"] == second["id"]
    assert TrackingEvent.objects.filter(shipment__order=shipped).count() == 1


def test_R_API_2_a_batch_of_1000_is_taken_and_1001_refused(api, shipped):
    start = timezone.now()
    events = [
        {
            "order": str(shipped.pk),
            "status": "in_transit",
            "occurred_at": (start + timedelta(seconds=i)).isoformat(),
        }
        for i in range(1001)
    ]

    refused = api.post("/tracking-events", {"events": events})
    taken = api.post("/tracking-events", {"events": events[:1000]})

    assert refused.status_code == 422
    assert "events" in [error["field"] for error in problem(refused)["errors"]]
    assert taken.status_code == 200
    assert taken.json()["applied"] == 1000


def test_R_API_1_tracking_needs_the_tracking_scope(shipped):
    response = scoped_api("orders:write").post(
        "/tracking-events",
        {
            "events": [
                {"order": str(shipped.pk), "status": "delivered", "occurred_at": timezone.now().isoformat()}
            ]
        },
    )

    assert response.status_code == 403


def test_R_API_1_a_carrier_feed_cannot_touch_another_accounts_shipment(shipped, other_api):
    response = other_api.post(
        "/tracking-events",
        {
            "events": [
                {
                    "tracking_number": "JD0001",
                    "status": "delivered",
                    "occurred_at": timezone.now().isoformat(),
                }
            ]
        },
    )

    assert response.json()["results"][0]["applied"] is False
    assert Order.objects.get(pk=shipped.pk).state == Order.State.SHIPPED
