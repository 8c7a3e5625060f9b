"""Webhook endpoints through the API (R-API-5); scope ``webhooks:manage``.

Subscribe, change, disable and enable an endpoint, rotate its signing secret (the previous one
keeps signing for a while) and send events again, through ``marketplace.webhooks.services``,
the functions the admin uses. A secret is in the answer of a subscription or a rotation only.
Endpoints are never deleted: disable them (``enabled: false``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field, StringConstraints

from marketplace.api.auth import require_scope
from marketplace.api.idempotency import idempotent
from marketplace.api.schemas import ObjectId
from marketplace.events import moment
from marketplace.models import ApiClient, DomainEvent, Scope, WebhookEndpoint
from marketplace.webhooks import services

router = Router(tags=["webhooks"])

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class EndpointIn(Schema):
    url: Url
    event_types: list[str] = Field(default_factory=list, description="Empty: every event type.")
    description: Description = ""


class EndpointChange(Schema):
    url: Url | None = None
    event_types: list[str] | None = None
    description: Description | None = None
    enabled: bool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    created_at: str | None
    updated_at: str | None
    previous_secret_valid_until: str | None


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="The signing secret: shown only in this answer.")


class RotateIn(Schema):
    previous_valid_hours: int | None = Field(None, ge=0, le=720)


class ReplayIn(Schema):
    since: datetime | None = Field(None, description="Send every event since this time again …")
    event_id: str | None = Field(None, max_length=40, description="… or one event (its webhook-id).")


class ReplayOut(Schema):
    queued: int


def endpoints_of(client: ApiClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client__account=client.account).select_related("client")


def endpoint_out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.pk,
        url=endpoint.url,
        event_types=endpoint.event_types,
        description=endpoint.description,
        enabled=endpoint.is_active,
        created_at=moment(endpoint.created_at),
        updated_at=moment(endpoint.updated_at),
        previous_secret_valid_until=moment(endpoint.rotation_ends_at()),
    )


@router.get("/webhook-endpoints", response=list[EndpointOut], summary="Your webhook endpoints")
def endpoint_list(request: HttpRequest) -> list[EndpointOut]:
    client = require_scope(request, Scope.WEBHOOKS_MANAGE)
    return [endpoint_out(endpoint) for endpoint in endpoints_of(client).order_by("pk")]


@router.post("/webhook-endpoints", response={201: EndpointWithSecret}, summary="Subscribe an endpoint")
def endpoint_create(request: HttpRequest, payload: EndpointIn) -> HttpResponse:
    client = require_scope(request, Scope.WEBHOOKS_MANAGE)

    def write() -> tuple[int, EndpointWithSecret]:
        endpoint, secret = services.webhook_endpoint_create(
            client=client, url=payload.url, event_types=payload.event_types, description=payload.description
        )
        return 201, EndpointWithSecret(**endpoint_out(endpoint).model_dump(), secret=secret)

    return idempotent(request, client, write)


@router.get("/webhook-endpoints/{endpoint_id}", response=EndpointOut, summary="A webhook endpoint")
def endpoint_get(request: HttpRequest, endpoint_id: ObjectId) -> EndpointOut:
    client = require_scope(request, Scope.WEBHOOKS_MANAGE)
    return endpoint_out(endpoints_of(client).get(pk=endpoint_id))


@router.patch("/webhook-endpoints/{endpoint_id}", response=EndpointOut, summary="Change, disable or enable")
def endpoint_change(request: HttpRequest, endpoint_id: ObjectId, payload: EndpointChange) -> HttpResponse:
    client = require_scope(request, Scope.WEBHOOKS_MANAGE)

    def write() -> tuple[int, EndpointOut]:
        endpoint = endpoints_of(client).get(pk=endpoint_id)
        if payload.url is not None or payload.event_types is not None or payload.description is not None:
            endpoint = services.webhook_endpoint_update(
                endpoint=endpoint,
                url=payload.url,
                event_types=payload.event_types,
                description=payload.description,
            )
        if payload.enabled is not None:
            endpoint = services.webhook_endpoint_set_active(endpoint=endpoint, active=payload.enabled)
        return 200, endpoint_out(endpoints_of(client).get(pk=endpoint_id))

    return idempotent(request, client, write)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response=EndpointWithSecret,
    summary="A new signing secret; the previous one signs too for a while",
)
def endpoint_rotate(request: HttpRequest, endpoint_id: ObjectId, payload: RotateIn) -> HttpResponse:
    client = require_scope(request, Scope.WEBHOOKS_MANAGE)

    def write() -> tuple[int, EndpointWithSecret]:
        endpoint = endpoints_of(client).get(pk=endpoint_id)
        secret = services.webhook_secret_rotate(
            endpoint=endpoint, previous_valid_hours=payload.previous_valid_hours
        )
        fresh = endpoints_of(client).get(pk=endpoint_id)
        return 200, EndpointWithSecret(**endpoint_out(fresh).model_dump(), secret=secret)

    return idempotent(request, client, write)


@router.post(
    "/webhook-endpoints/{endpoint_id}/replay",
    response=ReplayOut,
    summary="Send one event, or every event since a time, again (same webhook-id)",
)
def endpoint_replay(request: HttpRequest, endpoint_id: ObjectId, payload: ReplayIn) -> HttpResponse:
    client = require_scope(request, Scope.WEBHOOKS_MANAGE)

    def write() -> tuple[int, ReplayOut]:
        endpoint = endpoints_of(client).get(pk=endpoint_id)
        event = (
            DomainEvent.objects.get(uid=payload.event_id, account=client.account)
            if payload.event_id
            else None
        )
        queued = services.webhook_replay(endpoint=endpoint, event=event, since=payload.since)
        return 200, ReplayOut(queued=queued)

    return idempotent(request, client, write)
