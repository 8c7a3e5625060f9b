"""Two identical writes at once make one change (R-API-3), on PostgreSQL with real threads."""

from __future__ import annotations

import time

import pytest
from django.test import Client

import marketplace.api.orders as orders_api
from marketplace.models import EscrowHold, IdempotencyRecord, Order
from marketplace.services.clients import api_key_issue
from tests.api.conftest import Api, make_client
from tests.api.test_inbound import BORIS, SONYA, order_body
from tests.marketplace.factories import run_concurrently

# Serialized rollback like the other transactional modules: a flush that re-creates content types
# (post_migrate) before a module that reloads its serialized rows would collide with them.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def shop():
    client = make_client()
    key = api_key_issue(client=client)[1]
    setup = Api(key=key, http=Client())
    setup.put("/people/u-boris", BORIS)
    setup.put("/people/u-sonya", SONYA)
    return key


def post_order(key: str, **headers):
    return lambda: Api(key=key, http=Client()).post("/orders", order_body(), headers=headers)


def test_R_API_3_two_requests_with_one_key_at_once_make_one_order_and_the_other_is_409(shop, monkeypatch):
    real_order_pay = orders_api.order_pay

    def slow_order_pay(**kwargs):
        time.sleep(0.5)  # the first request is still running when the second arrives
        return real_order_pay(**kwargs)

    monkeypatch.setattr(orders_api, "order_pay", slow_order_pay)

    outcomes = run_concurrently([post_order(shop, **{"Idempotency-Key": "k-1"})] * 2)

    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes]
    assert sorted(outcome.value.status_code for outcome in outcomes) == [201, 409]
    assert Order.objects.count() == EscrowHold.objects.count() == 1
    later = Api(key=shop, http=Client()).post("/orders", order_body(), headers={"Idempotency-Key": "k-1"})
    assert later.status_code == 201
    assert later["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().status_code == 201


def test_R_API_3_two_identical_orders_at_once_without_a_key_make_one_order(shop):
    outcomes = run_concurrently([post_order(shop)] * 4)

    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes]
    codes = sorted(outcome.value.status_code for outcome in outcomes)
    assert codes == [200, 200, 200, 201]
    assert len({outcome.value.json()["id"] for outcome in outcomes}) == 1
    assert Order.objects.count() == EscrowHold.objects.count() == 1


def test_R_API_3_two_identical_people_at_once_make_one_person(db):
    client = make_client()
    key = api_key_issue(client=client)[1]

    outcomes = run_concurrently(
        [lambda: Api(key=key, http=Client()).put("/people/u-new", BORIS) for _ in range(4)]
    )

    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes]
    assert sorted(o.value.status_code for o in outcomes) == [200, 200, 200, 201]
