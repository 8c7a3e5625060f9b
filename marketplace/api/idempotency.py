"""``Idempotency-Key`` for every write (R-API-3), the way Stripe's idempotency keys work.

A write sent with the header runs once per client and key: the first request inserts an
``IdempotencyRecord`` (its own transaction; the unique key refuses a second), then locks it and
runs the write and stores its answer in one transaction. Afterwards:

- the same key with the same method, path and body gets the stored answer (status and body);
- the same key with anything else is refused with 422, the key being bound to its first request;
- the same key while the first request still runs is refused with 409: retry later.

Answers that are problems of the caller's request (4xx) are stored like successes; an
unexpected error (5xx) rolls the record back with the write, so the key can be retried.

A key is kept ``IDEMPOTENCY_KEY_HOURS`` (72, as long as our own webhook retries last); the
``purge_idempotency_keys`` job deletes older ones, after which the key is new again. Every
write that takes an API key declares the header in the OpenAPI document (``declare_header``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from marketplace.api.errors import PROBLEM_JSON, ApiProblem, field_problem, problem_for
from marketplace.models import ApiClient, IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

# What an endpoint's write returns: (status, body); the body a schema or plain JSON data.
Answer = tuple[int, Schema | dict[str, Any] | list[Any]]


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(b"\0" + request.path.encode() + b"\0")
    if request.content_type == "multipart/form-data":
        _digest_form(digest, request)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _digest_form(digest: Any, request: HttpRequest) -> None:
    """A multipart body is streamed into ``POST`` and ``FILES`` and is gone once read: its
    fingerprint is the form's fields and each file's name and content digest instead (the same
    files under the same names with the same fields are the same request)."""
    for name, values in sorted(request.POST.lists()):
        for value in values:
            digest.update(f"{name}={value}\0".encode())
    for name, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            digest.update(f"{name}:{upload.name}:{content.hexdigest()}\0".encode())


def _json(body: Schema | dict[str, Any] | list[Any]) -> Any:
    if isinstance(body, Schema):
        return body.model_dump(mode="json")
    return json.loads(json.dumps(body, default=str))


def _response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    problem = isinstance(body, dict) and status >= 400 and "type" in body and "title" in body
    response = JsonResponse(
        body, status=status, safe=False, content_type=PROBLEM_JSON if problem else "application/json"
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: HttpRequest, client: ApiClient, write: Callable[[], Answer]) -> HttpResponse:
    """Run ``write`` at most once per ``Idempotency-Key`` of ``client``; without the header, run it."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        status, body = write()
        return _response(status, _json(body))
    if len(key) > MAX_KEY_LENGTH:
        raise field_problem(HEADER, _("An Idempotency-Key has at most 255 characters."))
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                client=client,
                key=key,
                fingerprint=fingerprint,
                method=request.method or "",
                path=request.path[:500],
            )
    except IntegrityError:
        pass  # used before, or being used now: the lock below tells which
    with transaction.atomic():
        try:
            record = IdempotencyRecord.objects.select_for_update(nowait=True).get(client=client, key=key)
        except DatabaseError:
            raise ApiProblem(
                409,
                _("A request with this Idempotency-Key is still running; retry in a moment."),
                kind="idempotency-in-progress",
            ) from None
        if record.fingerprint != fingerprint:
            raise ApiProblem(
                422,
                _(
                    "This Idempotency-Key was used for a different request (%(method)s %(path)s "
                    "with another body); use a new key for a new request."
                )
                % {"method": record.method, "path": record.path},
                kind="idempotency-key-reused",
                errors=[(HEADER, _("Already used for a different request."))],
            )
        if record.status_code is not None:
            return _response(record.status_code, record.response_body, replayed=True)
        try:
            with transaction.atomic():
                status, body = write()
            data = _json(body)
        except Exception as exc:
            response = problem_for(request, exc)
            if response is None or response.status_code >= 500:
                raise  # rolls the record back with the write: the key can be retried
            status, data = response.status_code, json.loads(response.content)
        record.status_code, record.response_body, record.completed_at = status, data, timezone.now()
        record.save(update_fields=["status_code", "response_body", "completed_at"])
    return _response(status, data)


WRITES = frozenset({"post", "put", "patch", "delete"})


def declare_header(document: dict[str, Any]) -> dict[str, Any]:
    """Declare ``Idempotency-Key`` on every write that takes an API key (every one runs through
    ``idempotent``; the payout provider's signed callback, which has no key, is idempotent by the
    payout's own id instead)."""
    parameter = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Makes the write safe to retry: the same key with the same request returns the stored "
            "answer (header `Idempotent-Replayed: true`), with another request 422, while the first "
            f"still runs 409. Kept {settings.IDEMPOTENCY_KEY_HOURS} hours."
        ),
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    }
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method in WRITES and operation.get("security"):
                operation.setdefault("parameters", []).append(dict(parameter))
    return document
