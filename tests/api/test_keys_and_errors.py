"""API keys, scopes, the rate limit and problem details (R-API-1, R-API-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from marketplace.models import ApiKey
from marketplace.services.clients import api_key_digest, api_key_issue, api_key_revoke, api_key_rotate
from tests.api.conftest import Api, api_for, key_row, make_client, problem

pytestmark = pytest.mark.django_db


def test_R_API_1_a_valid_key_names_its_client_and_account(api, api_client):
    response = api.get("/me")

    assert response.status_code == 200
    assert response.json()["account"] == "shop"
    assert response.json()["client"] == api_client.name


def test_R_API_1_only_the_hash_of_the_secret_is_stored(api):
    prefix, _dot, secret = api.key.partition(".")
    row = ApiKey.objects.get(prefix=prefix)

    assert secret not in row.hashed_key
    assert row.hashed_key == api_key_digest(secret)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer nonsense", "Bearer mk_000000000000.wrong", "Basic dXNlcjpwYXNz"],
    ids=["none", "empty", "no-dot", "unknown", "basic"],
)
def test_R_API_1_no_or_bad_key_answers_401_problem(db, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = Client().get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert problem(response)["status"] == 401
    assert "Bearer" in response["WWW-Authenticate"]


def test_R_API_1_the_right_prefix_with_a_wrong_secret_answers_401(api):
    prefix = api.key.partition(".")[0]
    response = Api(key=f"{prefix}.not-the-secret", http=Client()).get("/me")

    assert response.status_code == 401


def test_R_API_1_a_revoked_key_answers_401(api):
    api_key_revoke(key=key_row(api))

    assert api.get("/me").status_code == 401


def test_R_API_1_a_key_of_a_disabled_client_answers_401(api, api_client):
    api_client.is_active = False
    api_client.save()

    assert api.get("/me").status_code == 401


def test_R_API_1_a_rotated_key_works_until_its_grace_ends_and_the_new_one_at_once(api):
    old = key_row(api)
    _new, plaintext = api_key_rotate(key=old, grace=timedelta(hours=1))
    new_api = Api(key=plaintext, http=Client())

    assert new_api.get("/me").status_code == 200
    assert api.get("/me").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        cache.clear()
        assert api.get("/me").status_code == 401
        assert new_api.get("/me").status_code == 200


def test_R_API_1_the_plaintext_is_shown_once_and_differs_for_every_key(api_client):
    first = api_key_issue(client=api_client)[1]
    second = api_key_issue(client=api_client)[1]

    assert first != second
    assert first.partition(".")[0] != second.partition(".")[0]


def test_R_API_1_last_used_is_written_at_most_once_a_minute(api):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get("/me")
        first = key_row(api).last_used_at
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api.get("/me")
        assert key_row(api).last_used_at == first
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api.get("/me")
        assert key_row(api).last_used_at == start + timedelta(seconds=61)
    assert first == start


def test_R_API_1_too_many_requests_answer_429_with_retry_after(db):
    api = api_for(make_client(rate_limit_per_minute=3))
    with time_machine.travel(timezone.now().replace(second=10, microsecond=0), tick=False):
        codes = [api.get("/me").status_code for _ in range(4)]
        refused = api.get("/me")

    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert problem(refused)["status"] == 429
    assert refused["Retry-After"] == "50"


def test_R_API_1_the_limit_is_per_key(db):
    client = make_client(rate_limit_per_minute=1)
    first, second = api_for(client), api_for(client)

    assert first.get("/me").status_code == 200
    assert first.get("/me").status_code == 429
    assert second.get("/me").status_code == 200


def test_R_API_1_the_limit_fails_open_when_the_cache_is_down(api, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    # (Django's setting_changed signal drops the cache connections, so this takes effect.)
    response = api.get("/me")

    assert response.status_code == 200
    assert "api.rate_limit_cache_unavailable" in caplog.text


def test_R_API_6_an_unknown_path_answers_404_problem(api):
    response = api.get("/no-such-thing")

    assert response.status_code == 404
    assert problem(response)["status"] == 404


def test_R_API_6_a_wrong_method_answers_405_problem_with_allow(api):
    response = api.delete("/me")

    assert response.status_code == 405
    assert problem(response)["status"] == 405
    assert "GET" in response["Allow"]


def test_R_API_1_the_schema_and_the_docs_are_served_beside_the_api(db):
    schema = Client().get("/api/v1/openapi.json")
    docs = Client().get("/api/v1/docs")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    assert "/api/v1/me" in schema.json()["paths"]
    assert docs.status_code == 200
