"""Cursor pagination with ``updated_since``, so a client syncs incrementally (R-API-4).

A list is ordered by (``updated_at``, id) ascending. ``updated_at`` is when the object last
changed: the time of the latest event about it in the outbox (``DomainEvent``; every state change
writes one in its transaction, R-API-5), or its creation time when there is none. A client
stores the largest ``updated_at`` it has seen and asks again with ``updated_since`` for what
changed after it; ``next_cursor`` (opaque) walks one result set page by page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db.models import F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from marketplace.api.errors import field_problem
from marketplace.models import DomainEvent
from marketplace.text import is_plain_number

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ListParams(Schema):
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    updated_since: datetime | None = Field(
        None,
        description="only objects changed at or after this time: ISO 8601 with a time zone, "
        "e.g. 2026-12-06T09:00:00Z",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    @field_validator("updated_since", mode="before")
    @classmethod
    def _iso_8601_with_a_zone(cls, value: object) -> datetime | None:
        """Only what the docs promise: not a bare number (pydantic would read "0.5" as seconds
        since 1970), not a time without a zone, and only moments that exist in UTC (a zone
        offset at the edge of the calendar, e.g. 0001-01-01T00:00+23:59, has none)."""
        if value is None:
            return None
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError("Give an ISO 8601 time with a time zone, e.g. 2026-12-06T09:00:00Z.")
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValueError("This time is outside the calendar once converted to UTC.") from None


def last_event_at(order_field: str, type_prefixes: Sequence[str]) -> Subquery:
    """The time of the latest event of these types about the row's order (one indexed lookup)."""
    types = Q()
    for prefix in type_prefixes:
        types |= Q(type__startswith=prefix)
    latest = (
        DomainEvent.objects.filter(types, order_id=OuterRef(order_field))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return Subquery(latest)


def with_updated_at(
    rows: QuerySet[M], *, created: str, order_field: str, types: Sequence[str]
) -> QuerySet[M]:
    event = last_event_at(order_field, types)
    return rows.annotate(updated_at=Greatest(Coalesce(event, F(created)), F(created)))  # type: ignore[return-value]


def encode_cursor(updated_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, _bar, pk_text = text.partition("|")
        moment = parse_datetime(moment_text)
        if moment is None or not is_plain_number(pk_text):
            raise ValueError(text)
        return moment, int(pk_text)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise field_problem("cursor", _("This cursor is not one we gave; start again without it.")) from None


def paginate(rows: QuerySet[M], params: ListParams, render: Callable[[list[M]], list[Any]]) -> dict[str, Any]:
    """One page of ``rows`` (annotated with ``updated_at`` by ``with_updated_at``)."""
    if params.updated_since is not None:
        rows = rows.filter(updated_at__gte=params.updated_since)
    if params.cursor:
        moment, pk = decode_cursor(params.cursor)
        rows = rows.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    page = list(rows.order_by("updated_at", "pk")[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    last = page[-1] if page else None
    return {
        "next_cursor": encode_cursor(last.updated_at, last.pk) if more and last is not None else None,  # type: ignore[attr-defined]
        "results": render(page),
    }
