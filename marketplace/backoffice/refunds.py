"""Refunds and payouts in the admin (R-REF-2, R-REF-3, R-REF-4): finance's worklist of refunds
not yet paid, each refund's page with its payout operations, and bulk operations.

Every operation is a form posted to a payout service (``marketplace.services``); a refusal
(``DomainError``) is shown beside the form or as a message, and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace import services
from marketplace.backoffice.base import CsvExportMixin, FastListMixin, ReadOnlyMixin
from marketplace.backoffice.forms import (
    BulkMarkSentForm,
    RefundMarkCompletedForm,
    RefundMarkFailedForm,
    RefundMarkSentForm,
    RefundRetryForm,
)
from marketplace.errors import DomainError
from marketplace.models import Refund, User
from marketplace.presentation import admin_url, due_badge, format_money, staff_actor, state_badge, timeline
from marketplace.search import Search
from marketplace.selectors import order_money_trail


def has_payout_permission(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm("marketplace.manage_payouts")


class RefundStateFilter(admin.SimpleListFilter):
    """Finance's default view is the refunds not yet paid; "All" is one click away."""

    title = _("state")
    parameter_name = "state"
    OPEN = "open"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.OPEN, _("Not paid yet")), *Refund.State.choices, (self.ALL, _("All"))]

    def effective(self) -> str:
        """Not paid yet by default; a search without a chosen state looks at every refund (the
        payout reference finance types may be a paid one)."""
        if self.value():
            return self.value()
        return self.ALL if self.request.GET.get(SEARCH_VAR) else self.OPEN

    def choices(self, changelist):
        value = self.effective()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.effective()
        if value == self.ALL:
            return queryset
        if value == self.OPEN:
            return queryset.filter(state__in=[Refund.State.PENDING, Refund.State.SENT, Refund.State.FAILED])
        return queryset.filter(state=value)


class RefundDueFilter(admin.SimpleListFilter):
    """R-REF-4: not paid by the due date; or due within a week."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("week", _("Due within 7 days"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        unpaid = ~Q(state=Refund.State.COMPLETED)
        if self.value() == "overdue":
            return queryset.filter(unpaid, due_at__lte=now)
        if self.value() == "week":
            return queryset.filter(unpaid, due_at__gt=now, due_at__lte=now + timedelta(days=7))
        return queryset


# What finance's search looks in (``marketplace.search``).
REFUND_SEARCH = Search(
    text=("payout_reference", "order__number", "order__item_title", "order__shipment__tracking_number"),
    people=("order__buyer",),
)

PAYOUT_OPERATIONS = {
    # name in the URL: (what the button says, the form to fill in)
    "mark-sent": (_("Mark sent"), RefundMarkSentForm),
    "mark-completed": (_("Mark paid"), RefundMarkCompletedForm),
    "mark-failed": (_("Mark failed"), RefundMarkFailedForm),
    "retry": (_("Retry the payout"), RefundRetryForm),
}

# Which operations make sense in which state (the services refuse the rest with a message).
PAYOUT_OPERATIONS_BY_STATE = {
    Refund.State.PENDING: ["mark-sent"],
    Refund.State.SENT: ["mark-completed", "mark-failed"],
    Refund.State.FAILED: ["retry"],
    Refund.State.COMPLETED: [],
}


@admin.register(Refund)
class RefundAdmin(CsvExportMixin, FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Finance's worklist: refunds not yet paid, earliest due first, overdue marked (R-REF-3, R-REF-4)."""

    # "Download CSV": the worklist as filtered, one row per refund.
    csv_name = "refunds"
    csv_related = ("order",)
    csv_columns = (
        (_("refund"), lambda r: r.pk),
        (_("order number"), lambda r: r.order.number),
        (_("amount"), lambda r: r.amount),
        (_("currency"), lambda r: r.currency),
        (_("source"), lambda r: r.get_source_display()),
        (_("destination"), lambda r: r.destination),
        (_("state"), lambda r: r.get_state_display()),
        (_("created"), lambda r: r.created_at),
        (_("due"), lambda r: r.due_at),
        (_("sent"), lambda r: r.sent_at),
        (_("paid"), lambda r: r.completed_at),
        (_("failed"), lambda r: r.failed_at),
        (_("why it failed"), lambda r: r.failure_reason),
        (_("attempts"), lambda r: r.attempts),
        (_("payout reference"), lambda r: r.payout_reference),
    )

    list_display = (
        "refund_link",
        "order_number",
        "amount_display",
        "destination",
        "state_display",
        "created",
        "due_display",
        "attempts_display",
        "payout_reference",
    )
    list_display_links = None
    list_select_related = ("order",)
    list_filter = (RefundStateFilter, RefundDueFilter, "source", "via_gateway")
    search_fields = ("order__number",)  # the search box; get_search_results does the work
    search_help_text = _(
        "Any part of a payout reference, order number, item, tracking number, buyer's name or e-mail; "
        "or #refund id."
    )
    ordering = ("due_at", "id")
    actions = ("mark_sent_action", "mark_completed_action", "mark_failed_action", "retry_action")
    change_form_template = "admin/marketplace/refund/change_form.html"
    fields = (
        ("order", "state"),
        ("amount", "currency", "source"),
        "destination",
        "reason",
        ("created_by", "created_at", "due_at"),
        ("payout_reference", "via_gateway", "attempts"),
        ("sent_at", "completed_at", "failed_at"),
        "failure_reason",
        "overdue_flagged_at",
        "idempotency_key",
    )

    def has_manage_payouts_permission(self, request: HttpRequest) -> bool:
        return has_payout_permission(request)

    def get_search_results(self, request, queryset, search_term):
        return REFUND_SEARCH.filter(queryset, search_term), False

    @admin.display(description=_("refund"), ordering="id")
    def refund_link(self, obj: Refund):
        return format_html('<a href="{}">#{}</a>', admin_url(obj), obj.pk)

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, obj: Refund) -> str:
        return obj.order.number

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj: Refund) -> str:
        return timezone.localtime(obj.created_at).strftime("%Y-%m-%d")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Refunds to pay"), **(extra_context or {})})

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Refund) -> str:
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Refund):
        return state_badge(obj)

    @admin.display(description=_("attempts"), ordering="attempts")
    def attempts_display(self, obj: Refund) -> int:
        """The payout attempts, counted as every page counts them (``Refund.payout_attempts``)."""
        return obj.payout_attempts

    @admin.display(description=_("due"), ordering="due_at")
    def due_display(self, obj: Refund):
        return format_html(
            "{} {}",
            timezone.localtime(obj.due_at).strftime("%Y-%m-%d"),
            due_badge(obj.due_at, done=obj.state == Refund.State.COMPLETED),
        )

    # One refund at a time: a form per operation, posted to the service.

    def get_urls(self):
        return [
            path(
                "<int:refund_id>/payout/<str:operation>/",
                self.admin_site.admin_view(self.payout_view),
                name="marketplace_refund_payout",
            ),
            *super().get_urls(),
        ]

    def payout_view(self, request: HttpRequest, refund_id: int, operation: str):
        if operation not in PAYOUT_OPERATIONS:
            raise PermissionDenied
        if not has_payout_permission(request):
            raise PermissionDenied
        refund = get_object_or_404(Refund.objects.select_related("order"), pk=refund_id)
        label, form_class = PAYOUT_OPERATIONS[operation]
        back = admin_url(refund)
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    self._run_payout(operation, refund, request.user, form.cleaned_data)
                except DomainError as error:
                    form.add_error(None, error.message_text)  # the page keeps what was typed
                else:
                    self.message_user(
                        request,
                        _("Refund #%(id)s: %(op)s done.") % {"id": refund.pk, "op": label},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(back)
        else:
            form = form_class(
                initial={"reference": refund.payout_reference, "destination": refund.destination}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(op)s: refund #%(id)s") % {"op": label, "id": refund.pk},
            "opts": self.opts,
            "refund": refund,
            "form": form,
            "operation_label": label,
            "back_url": back,
        }
        return TemplateResponse(request, "admin/marketplace/refund/payout_form.html", context)

    @staticmethod
    def _run_payout(operation: str, refund: Refund, actor: User, data: dict) -> Refund:
        if operation == "mark-sent":
            return services.refund_mark_sent(refund=refund, actor=actor, reference=data["reference"])
        if operation == "mark-completed":
            return services.refund_mark_completed(
                refund=refund, actor=actor, reference=data.get("reference", "")
            )
        if operation == "mark-failed":
            return services.refund_mark_failed(refund=refund, actor=actor, reason=data["reason"])
        return services.refund_retry(refund=refund, actor=actor, destination=data.get("destination", ""))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        refund = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if refund is not None:
            can_pay = has_payout_permission(request)
            extra.update(
                payout_operations=[
                    (name, PAYOUT_OPERATIONS[name][0]) for name in PAYOUT_OPERATIONS_BY_STATE[refund.state]
                ]
                if can_pay
                else [],
                trail=order_money_trail(refund.order),
                timeline=timeline(refund, actor=staff_actor(request.user)),
                due=due_badge(refund.due_at, done=refund.state == Refund.State.COMPLETED),
            )
        return super().change_view(request, object_id, form_url, extra)

    # Many refunds at once. Each is its own service call: one refusal doesn't stop the others.

    def _bulk(self, request, queryset, operation: str, data_for) -> None:
        done, refused = 0, []
        for refund in queryset.select_related("order"):
            try:
                self._run_payout(operation, refund, request.user, data_for(refund))
            except DomainError as error:
                refused.append(f"#{refund.pk}: {error.message_text}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d refund updated.", "%(n)d refunds updated.", done) % {"n": done},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def _bulk_form(self, request, queryset, *, action: str, title: str, form, rows=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "refunds": list(queryset.select_related("order")),
            "rows": rows,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/marketplace/refund/bulk_payout.html", context)

    @admin.action(description=_("Mark sent, with each payout's reference…"), permissions=["manage_payouts"])
    def mark_sent_action(self, request, queryset):
        refunds = list(queryset.select_related("order"))
        form = BulkMarkSentForm(request.POST if "apply" in request.POST else None, refunds=refunds)
        if "apply" in request.POST and form.is_valid():
            references = form.references()
            self._bulk(request, queryset, "mark-sent", lambda refund: {"reference": references[refund.pk]})
            return None
        return self._bulk_form(
            request,
            queryset,
            action="mark_sent_action",
            title=_("Mark refunds sent"),
            form=form,
            rows=form.rows(),
        )

    @admin.action(description=_("Mark paid (completed)…"), permissions=["manage_payouts"])
    def mark_completed_action(self, request, queryset):
        if "apply" in request.POST:
            self._bulk(request, queryset, "mark-completed", lambda refund: {})
            return None
        return self._bulk_form(
            request, queryset, action="mark_completed_action", title=_("Mark refunds paid"), form=None
        )

    @admin.action(description=_("Mark failed, with the reason…"), permissions=["manage_payouts"])
    def mark_failed_action(self, request, queryset):
        form = RefundMarkFailedForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._bulk(request, queryset, "mark-failed", lambda refund: {"reason": reason})
            return None
        return self._bulk_form(
            request, queryset, action="mark_failed_action", title=_("Mark payouts failed"), form=form
        )

    @admin.action(description=_("Retry failed payouts"), permissions=["manage_payouts"])
    def retry_action(self, request, queryset):
        self._bulk(request, queryset, "retry", lambda refund: {})
