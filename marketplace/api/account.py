"""``GET /me``: which client a key belongs to, its account and scopes (a first call to try a key)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from marketplace.api.auth import client_of

router = Router(tags=["account"])


class Me(Schema):
    client: str
    account: str
    scopes: list[str]
    rate_limit_per_minute: int


@router.get("/me", response=Me, summary="The calling client")
def me(request: HttpRequest) -> Me:
    client = client_of(request)
    return Me(
        client=client.name,
        account=client.account,
        scopes=sorted(client.scopes),
        rate_limit_per_minute=client.rate_limit_per_minute,
    )
