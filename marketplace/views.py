"""The money pages of the site: sign-in, language, receipt, protection extensions, refunds.

The order list and order page show disputes too, so they are ``arbitration.views`` (this app
never imports ``arbitration``). Every page answers 404 to anyone but the order's buyer and
seller, never 403: existence is not disclosed (R-SEC-1).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from marketplace import services
from marketplace.errors import DomainError
from marketplace.forms import ConfirmReceiptForm, ExtensionDeclineForm, ExtensionRequestForm, SignInForm
from marketplace.http import AuthenticatedHttpRequest
from marketplace.models import ExtensionRequest, Order, Refund, User
from marketplace.presentation import format_when
from marketplace.selectors import order_money_trail, party_orders


def home(request: HttpRequest) -> HttpResponse:
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
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, and for a signed-in person the choice is remembered on the
    account, so the emails they get are in that language too (R-NTF-1)."""
    response = set_language(request)  # a GET changes nothing and goes back, as Django's does
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response


def _buyer_order(request: AuthenticatedHttpRequest, pk: int) -> tuple[Order, HttpResponse | None]:
    """The order if the reader is its buyer; a refusal redirect for its seller; 404 for anyone else."""
    order = get_object_or_404(party_orders(request.user).select_related("buyer", "seller"), pk=pk)
    if order.buyer_id != request.user.pk:
        messages.error(request, _("Only the buyer of this order can do that."))
        return order, redirect("order-detail", order.pk)
    return order, None


@login_required
def confirm_receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The buyer confirms receipt, warned first that it shortens protection (R-PRT-2)."""
    order, refused = _buyer_order(request, pk)
    if refused:
        return refused
    if not order.is_protected:
        messages.error(
            request,
            _("Receipt can't be confirmed for this order any more: %(state)s.")
            % {"state": order.get_state_display()},
        )
        return redirect("order-detail", order.pk)
    new_deadline = order.dispute_deadline_for(confirmed_at=timezone.now())
    if request.method == "POST":
        try:
            order = services.order_confirm_receipt(order=order, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message_text)
        else:
            messages.success(
                request,
                _("Receipt confirmed. You can still open a dispute until %(date)s.")
                % {"date": format_when(order.dispute_deadline)},
            )
        return redirect("order-detail", order.pk)
    return render(
        request,
        "marketplace/confirm_receipt.html",
        {"order": order, "form": ConfirmReceiptForm(), "new_deadline": new_deadline},
    )


@login_required
def extension_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """R-PRT-4: "my protection is running out but the parcel is still in transit"."""
    order, refused = _buyer_order(request, pk)
    if refused:
        return refused
    if not order.is_protected:
        messages.error(request, _("Protection time can only be extended while the order is protected."))
        return redirect("order-detail", order.pk)
    if order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        messages.info(request, _("You already have a request waiting for the seller's answer."))
        return redirect("order-detail", order.pk)
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extension_request_create(
                order=order,
                actor=request.user,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message_text)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent to the seller. If the seller does not answer before your "
                    "protection ends, it is extended automatically."
                ),
            )
            return redirect("order-detail", order.pk)
    return render(request, "marketplace/extension_request.html", {"order": order, "form": form})


def _seller_request(
    request: AuthenticatedHttpRequest, pk: int, request_pk: int
) -> tuple[Order, ExtensionRequest, HttpResponse | None]:
    order = get_object_or_404(party_orders(request.user).select_related("buyer", "seller"), pk=pk)
    extension = get_object_or_404(ExtensionRequest.objects.filter(order=order), pk=request_pk)
    if order.seller_id != request.user.pk:
        messages.error(request, _("Only the seller answers a request for more protection time."))
        return order, extension, redirect("order-detail", order.pk)
    if extension.status != ExtensionRequest.Status.PENDING:
        messages.info(
            request,
            _("This request has already been answered: %(status)s.")
            % {"status": extension.get_status_display()},
        )
        return order, extension, redirect("order-detail", order.pk)
    return order, extension, None


@login_required
def extension_grant(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    order, extension, refused = _seller_request(request, pk, request_pk)
    if refused:
        return refused
    if request.method == "POST":
        try:
            services.extension_grant(request=extension, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message_text)
        else:
            order.refresh_from_db()
            messages.success(
                request,
                _("You granted %(days)s more days. The buyer is protected until %(date)s.")
                % {"days": extension.days, "date": format_when(order.protection_deadline)},
            )
        return redirect("order-detail", order.pk)
    return render(
        request,
        "marketplace/extension_answer.html",
        {
            "order": order,
            "extension": extension,
            "grant": True,
            "new_deadline": order.protection_deadline + timedelta(days=extension.days)
            if order.protection_deadline
            else None,
        },
    )


@login_required
def extension_decline(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    order, extension, refused = _seller_request(request, pk, request_pk)
    if refused:
        return refused
    form = ExtensionDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extension_decline(
                request=extension, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message_text)
        else:
            messages.success(request, _("You declined the request. The buyer has been told."))
            return redirect("order-detail", order.pk)
    return render(
        request,
        "marketplace/extension_answer.html",
        {"order": order, "extension": extension, "grant": False, "form": form},
    )


@login_required
def refund_detail(request: AuthenticatedHttpRequest, pk: int, refund_pk: int) -> HttpResponse:
    """Every cent of a refund and the payout reference a bank asks for (R-ESC-5, R-REF-2)."""
    order = get_object_or_404(party_orders(request.user).select_related("buyer", "seller", "escrow"), pk=pk)
    refund = get_object_or_404(Refund.objects.filter(order=order), pk=refund_pk)
    role = "buyer" if order.buyer_id == request.user.pk else "seller"
    return render(
        request,
        "marketplace/refund_detail.html",
        {
            "order": order,
            "refund": refund,
            "role": role,
            "trail": order_money_trail(order),
            "language": translation.get_language(),
        },
    )
