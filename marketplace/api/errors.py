"""Every error of the API as ``application/problem+json`` (RFC 9457, R-API-6).

A problem has ``type``, ``title``, ``status`` and ``detail``; a validation problem adds ``errors``,
one ``{field, message}`` per wrong field, where ``field`` is the dotted path in the body, query or
header (``amount``, ``events.3.status``). A domain refusal (``marketplace.errors.DomainError``,
raised by the services) carries the same text the web shows. Anything unexpected answers a 500
problem without details and is logged; no input is meant to reach it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from pydantic import BaseModel

from marketplace.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:arbitration:problem:"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []
    code: str | None = None


class ApiProblem(Exception):
    """Raised by an endpoint to answer a problem: a status, a slug for ``type`` and a detail."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str = "",
        errors: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.kind = status, detail, kind
        self.errors = list(errors)
        self.headers = dict(headers or {})


def field_problem(field: str, message: str) -> ApiProblem:
    """A 422 naming one field, for checks the schema cannot express."""
    return ApiProblem(422, message, kind="validation", errors=[(field, message)])


def problem_response(
    status: int,
    detail: str = "",
    *,
    kind: str = "",
    title: str = "",
    errors: Iterable[tuple[str, str]] = (),
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{kind}" if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    field_errors = [{"field": field, "message": message} for field, message in errors]
    if field_errors:
        body["errors"] = field_errors
    if code:
        body["code"] = code
    response = JsonResponse(body, status=status, content_type=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_path(loc: Iterable[Any]) -> str:
    """ninja's ``loc`` is ``("body", "payload", "amount")``: drop the source and the parameter
    name, keep what the caller wrote."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form", "file", "cookie"):
        source = parts[0]
        parts = parts[1:]
        # The schema parameter's own name (``payload``) is ours, not the caller's.
        if source in ("body", "query", "form") and len(parts) > 1:
            parts = parts[1:]
        elif not parts:
            parts = [source]
    return ".".join(parts) or "body"


def _validation_message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", ""))
    # pydantic prefixes custom messages with "Value error, "; the caller needs only the message.
    return message.removeprefix("Value error, ")


def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_field_path(error.get("loc", ())), _validation_message(error)) for error in exc.errors]
    fields = ", ".join(dict.fromkeys(field for field, _message in errors))
    return problem_response(
        422,
        _("Check these fields: %(fields)s.") % {"fields": fields},
        kind="validation",
        title=_("The request is not valid"),
        errors=errors,
    )


def api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem_response(exc.status, exc.detail, kind=exc.kind, errors=exc.errors, headers=exc.headers)


def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # The same text the web shows; a rule's code when the service gave one.
    code = getattr(exc, "code", None)
    return problem_response(
        422,
        exc.message_text,
        kind="refused",
        title=_("A rule does not allow this"),
        code=str(code) if code else None,
    )


def model_invalid(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
    # A model's full_clean() in a service: the fields it names are the body's fields.
    errors = (
        [(field, message) for field, messages in exc.message_dict.items() for message in messages]
        if hasattr(exc, "error_dict")
        else []
    )
    return problem_response(
        422, " ".join(exc.messages), kind="validation", title=_("The request is not valid"), errors=errors
    )


def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        401,
        _("Send a valid, unrevoked API key as 'Authorization: Bearer <key>'."),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(403, str(exc.message) if exc.message else "")


def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(403, str(exc))


def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return problem_response(
        429,
        _("Too many requests for this key; retry after the number of seconds in Retry-After."),
        kind="rate-limited",
    )


def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, str(exc))


def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, _("No such object for this client."))


def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return problem_response(404, _("No such object for this client."))


def malformed_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A body its Content-Type can't describe (``multipart/form-data`` without a boundary, a
    truncated part): the client's mistake, a 400, never a 500."""
    return problem_response(
        400,
        _("The request body can't be read as its Content-Type says (%(error)s). Send it again.")
        % {"error": exc},
        title=_("Malformed request body"),
    )


def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    log.exception("api.unexpected_error", exc_info=exc)
    return problem_response(500, _("Something went wrong on our side; it has been logged."))


# The most specific class wins, as in ninja's own lookup (DomainError before ValidationError).
HANDLERS: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
    ValidationError: validation,
    ApiProblem: api_problem,
    DomainError: refused,
    ModelValidationError: model_invalid,
    AuthenticationError: unauthenticated,
    AuthorizationError: forbidden,
    PermissionDenied: permission_denied,
    Throttled: throttled,
    HttpError: http_error,
    Http404: not_found,
    ObjectDoesNotExist: does_not_exist,
    MultiPartParserError: malformed_body,
}


def problem_for(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    """The problem answer of a known error, or None for an unexpected one (a 5xx)."""
    for klass in type(exc).__mro__:
        if klass in HANDLERS:
            return HANDLERS[klass](request, exc)
    return None


def install(api: NinjaAPI) -> None:
    for klass, handler in HANDLERS.items():
        api.add_exception_handler(klass, handler)
    api.add_exception_handler(Exception, unexpected)
