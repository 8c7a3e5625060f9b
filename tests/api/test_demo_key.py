"""``make demo`` prints a demo API key that works, and the docs URL (issue 12, R-API-1)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from marketplace.demo import ensure_api_client
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_a_working_api_key_and_the_docs_when_debug_is_on(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)

    key = re.search(r"Demo API key \(all scopes, default account\): (\S+)", out.getvalue()).group(1)
    assert "/api/v1/docs" in out.getvalue()
    response = Api(key=key, http=Client()).get("/disputes")
    assert response.status_code == 200
    assert response.json()["results"]  # the demo's disputes, in the default account


def test_without_debug_there_is_no_known_demo_key(db):
    assert ensure_api_client(with_key=False) is None
    assert (
        Api(key="mk_demo.local-demo-secret-do-not-use-in-production", http=Client()).get("/me").status_code
        == 401
    )
