"""The money actions on one order: confirm receipt, ask for and answer more protection time, and
the refund page (R-PRT-2, R-PRT-4, R-ESC-5, R-REF-2). Each calls one service; a refusal of the
service is shown to the person, never a 500."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace import services
from marketplace.actors import party_of
from marketplace.errors import DomainError
from marketplace.models import ExtensionRequest, Order, Refund
from marketplace.presentation import format_when, transition_entries
from marketplace.selectors import order_money_trail
from marketplace.web.access import AuthenticatedRequest, party_order, refuse_unless
from marketplace.web.forms import ConfirmReceiptForm, ExtensionDeclineForm, ExtensionRequestForm


def _buyer_order(request: AuthenticatedRequest, pk: int) -> tuple[Order, HttpResponse | None]:
    """The order if the reader is its buyer; a refusal redirect for its seller; 404 for anyone else."""
    order = party_order(request, pk)
    return order, refuse_unless(request, order, "buyer", _("Only the buyer of this order can do that."))


@login_required
def confirm_receipt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
    effects_heading, effects = confirm_receipt_effects(order, new_deadline)
    return render(
        request,
        "marketplace/confirm_receipt.html",
        {
            "order": order,
            "form": ConfirmReceiptForm(),
            "new_deadline": new_deadline,
            "effects_heading": effects_heading,
            "effects": effects,
        },
    )


def confirm_receipt_effects(order: Order, new_deadline) -> tuple[str, list[str]]:
    """What confirming receipt does to the dispute window (R-PRT-2), said before the button."""
    if new_deadline is not None and order.protection_deadline and new_deadline < order.protection_deadline:
        return _("Confirming shortens your protection."), [
            _(
                "After you confirm, you can open a dispute only until %(date)s (instead of %(protection)s). "
                "Then the payment goes to the seller. Confirm only when the item has arrived and works as "
                "described."
            )
            % {"date": format_when(new_deadline), "protection": format_when(order.protection_deadline)}
        ]
    return "", [
        _(
            "Your protection ends on %(date)s either way: until then you can still open a dispute, and then "
            "the payment goes to the seller. Confirm only when the item has arrived and works as described."
        )
        % {"date": format_when(new_deadline)}
    ]


@login_required
def extension_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
    request: AuthenticatedRequest, pk: int, request_pk: int
) -> tuple[Order, ExtensionRequest, HttpResponse | None]:
    """The order and its pending extension request if the reader is the seller; else a refusal."""
    order = party_order(request, pk)
    extension = get_object_or_404(ExtensionRequest.objects.filter(order=order), pk=request_pk)
    refused = refuse_unless(
        request, order, "seller", _("Only the seller answers a request for more protection time.")
    )
    if refused:
        return order, extension, refused
    if extension.status != ExtensionRequest.Status.PENDING:
        messages.info(
            request,
            _("This request has already been answered: %(status)s.")
            % {"status": extension.get_status_display()},
        )
        return order, extension, redirect("order-detail", order.pk)
    return order, extension, None


@login_required
def extension_grant(request: AuthenticatedRequest, pk: int, request_pk: int) -> HttpResponse:
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
def extension_decline(request: AuthenticatedRequest, pk: int, request_pk: int) -> HttpResponse:
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
def refund_detail(request: AuthenticatedRequest, pk: int, refund_pk: int) -> HttpResponse:
    """Every cent of a refund and the payout reference a bank asks for (R-ESC-5, R-REF-2)."""
    order = party_order(request, pk, "escrow")
    refund = get_object_or_404(Refund.objects.filter(order=order), pk=refund_pk)
    return render(
        request,
        "marketplace/refund_detail.html",
        {
            "order": order,
            "refund": refund,
            "role": party_of(order, request.user),
            "trail": order_money_trail(order, include_penalties=party_of(order, request.user) == "seller"),
            "language": translation.get_language(),
            # Every attempt of the payout, oldest first: sent, failed, retried, paid (one history).
            "history": transition_entries([refund], actor=lambda user: ""),
        },
    )
