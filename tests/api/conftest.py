"""The marketplace's API client with every scope and its key, and a test client that sends it.

``api`` is django's test ``Client`` speaking to ``/api/v1/`` with ``Authorization: Bearer <key>``;
``api.get("/orders")``, ``api.post("/orders", {...})`` (JSON), any extra header as a keyword
(``headers={"Idempotency-Key": "k1"}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from marketplace.models import ApiClient, ApiKey, Scope
from marketplace.services.clients import api_key_issue

PREFIX = "/api/v1"


@dataclass
class Api:
    """A test client for the API with one key."""

    key: str
    http: Client

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(headers or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, *, headers=None):
        return self.http.get(PREFIX + path, params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, headers=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(self.http, method)(
            PREFIX + path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, *, headers=None):
        return self.send("post", path, body, headers=headers)

    def put(self, path: str, body: Any = None, *, headers=None):
        return self.send("put", path, body, headers=headers)

    def patch(self, path: str, body: Any = None, *, headers=None):
        return self.send("patch", path, body, headers=headers)

    def delete(self, path: str, *, headers=None):
        return self.http.delete(PREFIX + path, headers=self._headers(headers))


def make_client(
    *, account: str = "shop", scopes=None, name: str = "Marketplace back end", **extra
) -> ApiClient:
    return ApiClient.objects.create(
        name=name, account=account, scopes=list(Scope.values if scopes is None else scopes), **extra
    )


def api_for(client: ApiClient) -> Api:
    _key, plaintext = api_key_issue(client=client)
    return Api(key=plaintext, http=Client())


@pytest.fixture(autouse=True)
def _fresh_rate_windows():
    cache.clear()


@pytest.fixture
def api_client(db) -> ApiClient:
    """The marketplace "shop" with every scope."""
    return make_client()


@pytest.fixture
def api(api_client) -> Api:
    return api_for(api_client)


@pytest.fixture
def other_api(db) -> Api:
    """Another marketplace ("rival"), every scope: it must never see the shop's objects."""
    return api_for(make_client(account="rival", name="Rival marketplace"))


def scoped_api(*scopes: str, account: str = "shop") -> Api:
    """A client of the same account with only ``scopes``."""
    return api_for(make_client(account=account, scopes=list(scopes), name=f"Only {', '.join(scopes)}"))


def problem(response) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return response.json()


def key_row(api: Api) -> ApiKey:
    return ApiKey.objects.get(prefix=api.key.partition(".")[0])
