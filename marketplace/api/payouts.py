"""``POST /payouts/callback``: the payment provider reports a refund's payout (R-API-2, R-REF-2).

Not an API key: the provider signs each call per Standard Webhooks with ``PAYOUT_CALLBACK_SECRET``
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), verified with the
``standardwebhooks`` package; a bad or stale signature answers 401. The result goes through the
refund services finance uses (``refund_mark_sent`` / ``refund_mark_completed`` /
``refund_mark_failed``) as the scheduler user, so refunds complete without a person. Repeated
callbacks are answered 200 without a second change: the refund already is where they say.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import StringConstraints, ValidationError
from standardwebhooks import Webhook, WebhookVerificationError

from marketplace.actors import scheduler_user
from marketplace.api.errors import ApiProblem
from marketplace.api.schemas import ObjectId, RefundOut
from marketplace.events import refund_payload
from marketplace.models import Refund
from marketplace.services import refund_mark_completed, refund_mark_failed, refund_mark_sent

router = Router(tags=["payouts"])

# The refund state each reported outcome leads to: a repeat finds the refund already there.
REACHED = {
    "sent": {Refund.State.SENT, Refund.State.COMPLETED},
    "paid": {Refund.State.COMPLETED},
    "failed": {Refund.State.FAILED},
}


class PayoutResultIn(Schema):
    refund_id: ObjectId
    status: Literal["sent", "paid", "failed"]
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    failure_reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


def _verified(request: HttpRequest) -> PayoutResultIn:
    secret = settings.PAYOUT_CALLBACK_SECRET
    if not secret:
        raise ApiProblem(503, _("The payout callback is not configured (PAYOUT_CALLBACK_SECRET)."))
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        Webhook(secret).verify(request.body, headers)
    except WebhookVerificationError:
        raise ApiProblem(
            401,
            _("The signature does not verify: sign with the shared secret per Standard Webhooks."),
            kind="bad-signature",
        ) from None
    try:
        return PayoutResultIn.model_validate(json.loads(request.body))
    except (ValueError, ValidationError) as exc:
        errors = (
            [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
            if isinstance(exc, ValidationError)
            else [("body", _("Send a JSON object."))]
        )
        raise ApiProblem(
            422, _("The payout result is not valid."), kind="validation", errors=errors
        ) from None


@router.post(
    "/payouts/callback",
    auth=None,
    response=RefundOut,
    summary="A payout's result from the payment provider (signed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PayoutResultIn.model_json_schema()}},
        }
    },
)
def payout_callback(request: HttpRequest) -> dict:
    result = _verified(request)
    refund = Refund.objects.select_related("order").get(pk=result.refund_id)
    if refund.state not in REACHED[result.status]:
        actor = scheduler_user()
        if result.status == "sent":
            refund = refund_mark_sent(refund=refund, actor=actor, reference=result.reference)
        elif result.status == "paid":
            if refund.state == Refund.State.PENDING:
                refund = refund_mark_sent(refund=refund, actor=actor, reference=result.reference)
            refund = refund_mark_completed(refund=refund, actor=actor, reference=result.reference)
        else:
            refund = refund_mark_failed(
                refund=refund, actor=actor, reason=result.failure_reason or _("Payout failed")
            )
        refund = Refund.objects.select_related("order").get(pk=refund.pk)
    return refund_payload(refund)
