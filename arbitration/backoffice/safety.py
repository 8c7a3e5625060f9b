"""Dangerous-product reports in the admin (R-SAF-1): their queue, oldest first, and the report page
where an arbiter closes a report, only with an outcome and the reason the buyer will read."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from arbitration import services
from arbitration.backoffice.base import ARBITRATE, age, render_page, require, url_pk
from arbitration.backoffice.evidence import evidence_view
from arbitration.backoffice.filters import SAFETY_SEARCH, SafetyStateFilter
from arbitration.backoffice.forms import SafetyReportCloseForm
from arbitration.models import Evidence, SafetyReport
from arbitration.selectors import seller_record
from marketplace.backoffice.base import FastListMixin, ReadOnlyMixin
from marketplace.errors import DomainError
from marketplace.presentation import staff_actor, state_badge, timeline


@admin.register(SafetyReport)
class SafetyReportAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("report", "item", "reporter", "seller", "waiting", "state_display", "outcome")
    list_select_related = ("order", "order__seller", "reporter")
    list_filter = (SafetyStateFilter, "outcome")
    search_fields = ("order__number",)
    search_help_text = _(
        "Any part of an order number, item, tracking number, reporter's or seller's name or e-mail; "
        "or #report id."
    )
    sortable_by = ("waiting", "report")

    def get_ordering(self, request):
        return ["created_at", "pk"]

    def get_search_results(self, request, queryset, search_term):
        return SAFETY_SEARCH.filter(queryset, search_term), False

    @admin.display(description=_("report"), ordering="pk")
    def report(self, obj: SafetyReport):
        return format_html("#{} · {}", obj.pk, obj.order.number)

    @admin.display(description=_("item"))
    def item(self, obj: SafetyReport) -> str:
        return obj.order.item_title

    @admin.display(description=_("seller"))
    def seller(self, obj: SafetyReport):
        return obj.order.seller

    @admin.display(description=_("waiting"), ordering="created_at")
    def waiting(self, obj: SafetyReport) -> str:
        return age(obj.created_at) if obj.state == SafetyReport.State.OPEN else "—"

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: SafetyReport):
        return state_badge(obj)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="arbitration_safetyreport_close",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.report_page(request, url_pk(object_id))

    def report_page(
        self, request: HttpRequest, object_id: int, form: SafetyReportCloseForm | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        report = get_object_or_404(
            SafetyReport.objects.select_related(
                "order", "order__seller", "order__buyer", "reporter", "closed_by"
            ),
            pk=object_id,
        )
        can_close = report.state == SafetyReport.State.OPEN and request.user.has_perm(ARBITRATE)
        same_seller = (
            SafetyReport.objects.filter(order__seller_id=report.order.seller_id)
            .exclude(pk=report.pk)
            .select_related("order")
            .order_by("-created_at")[:10]
        )
        return render_page(
            self,
            request,
            "admin/arbitration/safetyreport/case.html",
            _("Safety report #%(id)s") % {"id": report.pk},
            report=report,
            order=report.order,
            evidence=[
                evidence_view(e)
                for e in Evidence.objects.filter(safety_report=report).select_related("uploaded_by")
            ],
            timeline=timeline(report, actor=staff_actor(request.user), order=report.order),
            seller_record=seller_record(report.order.seller_id),
            same_seller=list(same_seller),
            form=form or (SafetyReportCloseForm() if can_close else None),
            can_close=can_close,
        )

    def close_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Closed only with an outcome and a reason; the form re-renders with the arbiter's text otherwise."""
        require(request, ARBITRATE)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:arbitration_safetyreport_change", args=[object_id]))
        report = get_object_or_404(SafetyReport, pk=object_id)
        form = SafetyReportCloseForm(request.POST)
        if form.is_valid():
            try:
                services.safety_report_close(
                    report=report,
                    actor=request.user,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                form.add_error(None, error.message_text)
            else:
                messages.success(
                    request,
                    _("Report closed: %(outcome)s. The buyer sees the outcome.")
                    % {"outcome": SafetyReport.Outcome(form.cleaned_data["outcome"]).label},
                )
                return HttpResponseRedirect(reverse("admin:arbitration_safetyreport_changelist"))
        return self.report_page(request, object_id, form=form)
