"""The buyer's orders, the seller's sales, one order's page, and the two things a buyer starts from
an order: a dispute (R-DSP-2) and a safety report (R-SAF-1).

These pages live here, not in ``marketplace``, because they show each order's dispute and
``arbitration`` uses ``marketplace``, never the reverse. The money-only actions (confirm
receipt, protection extensions, the refund page) are ``marketplace.web``, and so is the access
rule shared by every order page (``party_order``: 404 for anyone but the buyer and the seller).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration import services
from arbitration.models import Dispute, WantedResolution
from arbitration.presentation import dispute_next_step, order_next_step, order_timeline
from arbitration.selectors import dispute_of, open_requests_prefetch, turn_prefetch
from arbitration.web import forms
from marketplace.actors import party_of
from marketplace.errors import DomainError
from marketplace.models import ExtensionRequest, Order, Refund
from marketplace.presentation import format_money, format_when, url_for_ids
from marketplace.selectors import order_money_trail
from marketplace.templatetags.market import protection, when, with_html
from marketplace.web.access import AuthenticatedRequest, party_order, refuse_unless
from marketplace.web.forms import ExtensionDeclineForm, ExtensionRequestForm

PAGE_SIZE = 20


@login_required
def order_list(request: AuthenticatedRequest) -> HttpResponse:
    """The buyer's orders: state, protection countdown, the next thing to do."""
    orders = (
        Order.objects.filter(buyer=request.user)
        .select_related("dispute")
        .annotate(
            pending_days=Subquery(
                ExtensionRequest.objects.filter(
                    order=OuterRef("pk"), status=ExtensionRequest.Status.PENDING
                ).values("days")[:1]
            ),
            unpaid_refund_id=Subquery(
                Refund.objects.filter(order=OuterRef("pk"))
                .exclude(state=Refund.State.COMPLETED)
                .order_by("-created_at")
                .values("pk")[:1]
            ),
            # Whose turn it is needs the disputes' offer facts: read with the rows, not prefetched.
            **Dispute.fact_annotations({"dispute__order": OuterRef("pk")}, ["offers"]),
        )
        .order_by("-paid_at", "-pk")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    disputes = [dispute for dispute in map(dispute_of, rows) if dispute is not None]
    for dispute in disputes:
        dispute.know_facts(dispute.order)  # the row it came with, annotated with its facts
    # The open information requests matter only while an arbiter reviews (whose turn it is).
    prefetch_related_objects(
        [dispute for dispute in disputes if dispute.state == Dispute.State.UNDER_REVIEW],
        open_requests_prefetch(),
    )
    unpaid = Refund.objects.in_bulk(
        [order.unpaid_refund_id for order in rows if order.unpaid_refund_id]  # type: ignore[attr-defined]
    )
    urls = Urls(order=url_for_ids("order-detail"), dispute=url_for_ids("dispute-detail"))
    return render(
        request,
        "marketplace/order_list.html",
        {"rows": [order_row(order, unpaid, urls) for order in rows], "page": page},
    )


@dataclass(frozen=True)
class Urls:
    """The links of a list's rows, each reversed once per page (``url_for_ids``)."""

    order: Callable[[int], str]
    dispute: Callable[[int], str]


def order_row(order: Order, unpaid: dict[int, Refund], urls: Urls) -> dict[str, Any]:
    """One row of "my orders", worked out here rather than by the template (issue 15: the page's
    CPU went to the template's lookups, filters and tags per row): the texts in the reader's
    language, the links, the protection countdown as of now."""
    dispute = dispute_of(order)
    step = order_next_step(
        order,
        "buyer",
        dispute,
        pending_days=order.pending_days,  # type: ignore[attr-defined]  # annotated in order_list
        unpaid_refund=unpaid.get(order.unpaid_refund_id),  # type: ignore[attr-defined]  # annotated
    )
    return {
        "url": urls.order(order.pk),
        "title": order.item_title,
        "number": order.number,
        "amount": format_money(order.amount, order.currency),
        "state": order.get_state_display(),
        "dispute_url": urls.dispute(dispute.pk) if dispute else "",
        "dispute_state": dispute.get_state_display() if dispute else "",
        "protection": protection(order),
        "next": step.text,
        "yours": step.yours,
        "by": with_html(_("by %(date)s"), date=when(step.deadline)) if step.deadline and dispute else "",
    }


@login_required
def sales(request: AuthenticatedRequest) -> HttpResponse:
    """The seller's desk: open disputes sorted by "answer by", extension requests, other sales."""
    user = request.user
    disputes = (
        Dispute.objects.filter(seller=user)
        .exclude(state=Dispute.State.CLOSED)
        .select_related("order", "buyer")
        .prefetch_related(*turn_prefetch())
        .order_by(F("deadline_at").asc(nulls_last=True), "pk")
    )[:200]
    steps = [(d, dispute_next_step(d, "seller")) for d in disputes]
    # Disputes waiting for the seller first, each group by its deadline.
    steps.sort(key=lambda row: not row[1].yours)
    dispute_rows = [{"dispute": d, "next": step} for d, step in steps]
    extension_requests = (
        ExtensionRequest.objects.filter(order__seller=user, status=ExtensionRequest.Status.PENDING)
        .select_related("order", "order__buyer")
        .order_by("order__protection_deadline")
    )
    orders = (
        Order.objects.filter(seller=user)
        .exclude(state=Order.State.DISPUTED)
        .select_related("buyer")
        .order_by("-paid_at", "-pk")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/sales.html",
        {"dispute_rows": dispute_rows, "extension_requests": extension_requests, "page": page},
    )


@login_required
def order_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    order = party_order(request, pk, "shipment", "escrow")
    role = party_of(order, request.user)
    assert role is not None  # party_order lets only the buyer and the seller in
    dispute = dispute_of(order)
    extension_requests = list(order.extension_requests.select_related("requested_by", "answered_by"))
    pending = next((r for r in extension_requests if r.status == ExtensionRequest.Status.PENDING), None)
    refunds = list(order.refunds.all())
    shipment = getattr(order, "shipment", None)  # none until shipped
    context = {
        "order": order,
        "role": role,
        "dispute": dispute,
        "shipment": shipment,
        "tracking": list(shipment.events.all()) if shipment else [],
        "timeline": order_timeline(order, request.user, dispute=dispute),
        "trail": order_money_trail(order, include_penalties=role == "seller"),  # R-ARB-5
        "refunds": refunds,
        "extension_requests": extension_requests,
        "pending_extension": pending,
        "next": order_next_step(
            order,
            role,
            dispute,
            pending_days=pending.days if pending else None,
            unpaid_refund=next((r for r in reversed(refunds) if r.state != Refund.State.COMPLETED), None),
        ),
        "can_confirm": role == "buyer" and order.is_protected,
        "can_extend": role == "buyer" and order.is_protected and pending is None,
        "can_dispute": role == "buyer" and dispute is None and order.dispute_window_open,
        # The window ended (or the dispute closed): say what is still possible (R-SAF-1, R-CMP-1).
        "still_possible": role == "buyer"
        and order.state != Order.State.PAID
        and (dispute.is_closed if dispute is not None else not order.dispute_window_open),
        "safety_reports": list(order.safety_reports.filter(reporter=request.user)) if role == "buyer" else [],
        "extension_form": ExtensionRequestForm(),
        "decline_form": ExtensionDeclineForm(),
        "confirm_preview": order.dispute_deadline_for(confirmed_at=timezone.now()),
    }
    return render(request, "marketplace/order_detail.html", context)


def _explain_no_dispute(order: Order) -> str:
    if order.state == Order.State.PAID:
        return _("The order has not been shipped yet, so there is nothing to dispute.")
    if order.dispute_deadline is None:
        return _("The time to open a dispute for this order has ended.")
    return _("The time to open a dispute for this order ended on %(date)s.") % {
        "date": format_when(order.dispute_deadline)
    }


@login_required
def dispute_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-DSP-2: reason, resolution wanted, amount for a partial refund, description, evidence."""
    order = party_order(request, pk)
    if refused := refuse_unless(
        request, order, "buyer", _("Only the buyer can open a dispute on this order.")
    ):
        return refused
    existing = dispute_of(order)
    if existing is not None:
        messages.info(
            request,
            _(
                "This order already has a dispute; an order has one dispute, and a closed one can't be "
                "reopened. Follow it here; if it is closed and the agreed refund has not arrived, file a "
                "complaint."
            ),
        )
        return redirect("dispute-detail", existing.pk)
    if not order.dispute_window_open:
        if order.state == Order.State.PAID:
            messages.error(request, _explain_no_dispute(order))
            return redirect("order-detail", order.pk)
        # Ended: say so on this page, and what is still possible (R-SAF-1).
        return render(
            request, "arbitration/dispute_open.html", {"order": order, "ended": _explain_no_dispute(order)}
        )
    form = forms.DisputeOpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = services.dispute_open(
                order=order,
                actor=request.user,
                reason=data["reason"],
                resolution=data["resolution"],
                description=data["description"],
                requested_amount=data["requested_amount"],
                files=data["files"],
            )
        except DomainError as exc:
            forms.form_refused(form, exc)
        else:
            messages.success(
                request,
                _("Your dispute is open. The seller has until %(date)s to answer; the payment stays on hold.")
                % {"date": format_when(dispute.deadline_at)},
            )
            return redirect("dispute-detail", dispute.pk)
    return render(
        request,
        "arbitration/dispute_open.html",
        {"order": order, "form": form, "partial": WantedResolution.PARTIAL_REFUND},
    )


@login_required
def safety_report_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-SAF-1: any time, even after protection ended, with evidence."""
    order = party_order(request, pk)
    refused = refuse_unless(
        request, order, "buyer", _("Only the buyer of this order can report it as unsafe.")
    )
    if refused:
        return refused
    form = forms.SafetyReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_report_file(
                order=order,
                actor=request.user,
                description=form.cleaned_data["description"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            forms.form_refused(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The safety team reviews every report; you will see the outcome on this "
                    "order's page."
                ),
            )
            return redirect("order-detail", order.pk)
    return render(request, "arbitration/safety_report_form.html", {"order": order, "form": form})
