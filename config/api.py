"""The API root (R-API-1): the money core's ``api`` with arbitration's routers added. ``config``
wires both apps; ``marketplace`` never imports ``arbitration``.

The OpenAPI document also says what every operation may answer besides its success: the problem
details of R-API-6 (401, 403, 404, 422, 429 …) as ``application/problem+json``, so a client (and
schemathesis) knows every status it can get and its shape."""

from __future__ import annotations

from typing import Any

from arbitration.api import register
from marketplace.api import api
from marketplace.api.errors import PROBLEM_JSON, Problem
from marketplace.api.idempotency import declare_header

register(api)

PROBLEMS = {
    "400": "The body is not JSON (or not the multipart form) the operation takes.",
    "401": "No API key, or a bad, revoked or disabled one.",
    "403": "The key's client lacks the scope the operation needs.",
    "404": "No such object for this client (another account's objects are never shown).",
    "409": "A conflict: the same Idempotency-Key still running, or an id used for other details.",
    "422": "Bad input (``errors`` names each field), or a rule refused the action (the text the web shows).",
    "429": "Too many requests for this key; retry after ``Retry-After`` seconds.",
}


def _with_problems(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    answer = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEMS.items():
                responses.setdefault(status, {"description": description, "content": answer})
    return document


_generate = api.get_openapi_schema


def _openapi(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return declare_header(_with_problems(dict(_generate(*args, **kwargs))))


api.get_openapi_schema = _openapi  # type: ignore[method-assign, assignment]

__all__ = ["api"]
