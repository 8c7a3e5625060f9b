"""Enrolment and verification of the second factor (R-OPS-1), and a supervisor's reset.

One page, ``/account/two-factor/``: a person without a device enrols (an authenticator app by
QR code, or a passkey / security key), then sees recovery codes once; a person with a device
confirms it is them (an app code, a recovery code, or the passkey). Staff are sent here by
``StaffSecondFactorMiddleware`` until they pass.
"""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from marketplace.errors import DomainError
from marketplace.models import User
from marketplace.security import devices
from marketplace.security.forms import CodeForm, ResetForm
from marketplace.web.access import AuthenticatedRequest


def _next(request: AuthenticatedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    target = _next(request)
    if devices.is_verified(user):
        if not StaticToken.objects.filter(device__user=user).exists():
            # Enrolled with a passkey just now: the recovery codes come once, here.
            return _show_codes(request, devices.recovery_codes_issue(user=user), target)
        return redirect(target)
    if devices.has_device(user):
        return _verify(request, target)
    return _enrol(request, target)


def _verify(request: AuthenticatedRequest, target: str) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = devices.second_factor_verify(user=request.user, token=form.cleaned_data["token"])
        except DomainError as exc:
            form.add_error("token", exc.message_text)
        else:
            otp_login(request, device)
            return redirect(target)
    return render(request, "security/verify.html", {"form": form, "next": target})


def _enrol(request: AuthenticatedRequest, target: str) -> HttpResponse:
    device = devices.totp_device_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = devices.totp_device_confirm(
                user=request.user, device_id=device.pk, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            form.add_error("token", exc.message_text)
        else:
            otp_login(request, device)
            return _show_codes(request, codes, target)
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": target,
        "qr": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "security/enrol.html", context)


def _show_codes(request: AuthenticatedRequest, codes: list[str], target: str) -> HttpResponse:
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": target})


@never_cache
@login_required
@require_http_methods(["POST"])
def recovery_codes_renew(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); only from a verified session."""
    if not devices.is_verified(request.user):
        return redirect("two-factor")
    return _show_codes(request, devices.recovery_codes_issue(user=request.user), _next(request))


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_reset(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """A supervisor removes a person's devices (a lost phone or key); they enrol again at sign-in.

    Mounted under the admin with ``admin.site.admin_view`` (config/urls.py): staff only, verified."""
    person = get_object_or_404(User, pk=user_id, is_system=False)
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removed = devices.second_factor_reset(
                user=person, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message_text)
        else:
            messages.success(
                request,
                _("%(count)d second-factor devices of %(person)s removed; they enrol again at sign-in.")
                % {"count": removed, "person": person},
            )
            return redirect("admin:index")
    context = {
        "form": form,
        "person": person,
        "title": _("Reset the second factor of %(person)s") % {"person": person},
        "site_header": _("Buyer Protection back office"),
    }
    return render(request, "security/reset.html", context)
