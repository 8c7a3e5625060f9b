"""Where a person lands, signs in and picks a language (R-SEC-3, R-NTF-1)."""

from __future__ import annotations

from typing import Literal, cast

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.i18n import set_language

from marketplace.models import Order, User
from marketplace.web.forms import LimitedPasswordResetForm, SignInForm

SameSite = Literal["Lax", "Strict", "None"]


def home(request: HttpRequest) -> HttpResponse:
    """Staff to the admin, a person who only sells to their sales, everyone else to their orders."""
    user = request.user
    if user.is_authenticated and user.is_staff:
        return redirect("admin:index")
    if (
        user.is_authenticated
        and not Order.objects.filter(buyer=user).exists()
        and Order.objects.filter(seller=user).exists()
    ):
        return redirect("sales")
    return redirect("order-list")


class SignInView(auth_views.LoginView):
    """Django's sign-in, rate limited on the shared cache (R-SEC-3), in the person's language."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address and per email address (issue 13)."""

    form_class = LimitedPasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, and for a signed-in person the choice is remembered on the
    account, so the emails they get are in that language too (R-NTF-1)."""
    response = set_language(request)  # a GET changes nothing and goes back, as Django's does
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response
