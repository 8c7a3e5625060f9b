"""Refunds and their payouts, read (R-API-4, R-REF-1..4); scope ``refunds:read``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from marketplace.api.auth import require_scope
from marketplace.api.pagination import ListParams, paginate, with_updated_at
from marketplace.api.schemas import ObjectId, RefundOut, RefundPage
from marketplace.events import moment, refund_payload
from marketplace.models import ApiClient, Refund, Scope

router = Router(tags=["refunds"])


def refunds_of(client: ApiClient) -> QuerySet[Refund]:
    rows = Refund.objects.filter(order__account=client.account).select_related("order")
    return with_updated_at(rows, created="created_at", order_field="order_id", types=["refund."])


def refund_out(refund: Refund) -> RefundOut:
    out = RefundOut(**refund_payload(refund))
    if (updated_at := getattr(refund, "updated_at", None)) is not None:
        out.updated_at = moment(updated_at)
    return out


@router.get("/refunds", response=RefundPage, summary="Refunds, oldest change first")
def refund_list(request: HttpRequest, params: Query[ListParams]) -> dict:
    client = require_scope(request, Scope.REFUNDS_READ)
    return paginate(refunds_of(client), params, lambda page: [refund_out(refund) for refund in page])


@router.get("/refunds/{refund_id}", response=RefundOut, summary="A refund and its payout")
def refund_get(request: HttpRequest, refund_id: ObjectId) -> RefundOut:
    client = require_scope(request, Scope.REFUNDS_READ)
    return refund_out(refunds_of(client).get(pk=refund_id))
