"""The one place where staff without a verified second factor are stopped (R-OPS-1).

After django-otp's ``OTPMiddleware`` (which sets ``request.user.is_verified()``), any request of
a staff account whose session has not passed a second factor is sent to the enrolment or
verification page: every admin page and every admin action (a POST is redirected, never run),
and the staff's other pages too. Buyers and sellers pass untouched. The sign-in page, signing
out, the second-factor pages themselves, the passkey ceremony endpoints, static files, health
and metrics stay reachable.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from marketplace.security.devices import needs_second_factor


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("two-factor"),
        reverse("login"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("otp_webauthn:credential-registration-begin").rsplit("registration/", 1)[0],
        "/i18n/",
        "/" + settings.STATIC_URL.lstrip("/"),
        "/health/",
        "/metrics",
    )


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and needs_second_factor(user) and not user.is_verified():
            if self._open is None:
                self._open = _open_paths()
            if not request.path.startswith(self._open):
                return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.headers.get("accept", "").startswith("application/json"):
            return JsonResponse({"detail": _("Confirm it is you with your second factor first.")}, status=403)
        target = request.get_full_path() if request.method == "GET" else reverse("admin:index")
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': target})}")


def private_pages_not_stored(get_response):
    """``Cache-Control: no-store`` on every page answered to a signed-in person (issue 13).

    Signed-in pages show personal and money data (orders, refunds, disputes, the admin); no
    browser cache, shared computer or proxy may keep a copy. A view that chose its own
    ``Cache-Control`` (the evidence files: ``private, no-store``) keeps it.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
