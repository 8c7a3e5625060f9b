"""Problem details for the API's answers that no endpoint wrote (R-API-6): an unknown path (404)
and a method the path does not take (405) come from Django's URL resolver and ninja's path view
as HTML or plain text; under ``/api/`` they become ``application/problem+json`` too."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from marketplace.api.errors import PROBLEM_JSON, problem_response

API_PREFIX = "/api/"


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_JSON):
            return response
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            problem = problem_response(
                405,
                _("This path takes only: %(methods)s.") % {"methods": allowed},
                headers={"Allow": allowed},
            )
            return problem
        if response.status_code == 404:
            return problem_response(404, _("No such path in the API; see /api/v1/docs."))
        return problem_response(response.status_code)
