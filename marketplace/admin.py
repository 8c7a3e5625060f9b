"""The money core in the admin: orders, escrow, the ledger, refunds and payouts (R-REF-3).

Everything here is read-only: money rows change only through ``marketplace.services``.
Finance operators (``marketplace.manage_payouts``) get forms that call the payout
services: mark sent with a reference, mark paid, mark failed with a reason, retry.

Large tables stay fast (STYLE #8): ``list_select_related``, no per-row queries, no full
COUNT (``CappedCountPaginator`` + ``show_full_result_count = False``), filters only on
indexed columns. This module never imports ``arbitration`` (the apps depend one way);
``arbitration.admin`` extends the user admin with the parties' dispute records.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace import services
from marketplace.admin_forms import (
    BulkMarkSentForm,
    RefundMarkCompletedForm,
    RefundMarkFailedForm,
    RefundMarkSentForm,
    UserChangeForm,
    UserCreationForm,
)
from marketplace.errors import DomainError
from marketplace.models import (
    EscrowHold,
    ExtensionRequest,
    LedgerEntry,
    Notification,
    Order,
    ReconciliationRun,
    Refund,
    Shipment,
    SimulatedPayout,
    TrackingEvent,
    User,
)
from marketplace.presentation import (
    admin_url,
    badge,
    due_badge,
    format_money,
    staff_actor,
    state_badge,
    timeline,
)
from marketplace.selectors import order_money_trail
from marketplace.webhooks import admin as webhooks_admin  # noqa: F401  (registers the webhook pages)

# --- Shared pieces (arbitration.admin uses them too) ----------------------------------------


class CappedCountPaginator(Paginator):
    """Counts at most ``CAP`` rows: ``SELECT COUNT(*) FROM (SELECT id … LIMIT CAP+1)``.

    A full COUNT over a million orders costs more than the page itself and tells an operator
    nothing they act on; "10,000+" does. Filtered lists below the cap show the exact count.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by().values("pk")[: self.CAP + 1].count()
        self.capped = counted > self.CAP
        return min(counted, self.CAP)

    capped = False


class FastListMixin:
    """List settings every big table shares (STYLE #8)."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are one COUNT per filter choice
    list_per_page = 50

    def action_checkbox(self, obj):
        # Django renders each row's checkbox through the form-widget templates: a third of a
        # 50-row page's time. The same HTML, written directly.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def response_action(self, request: HttpRequest, queryset):
        # The checkboxes carry primary keys; a hand-made POST with anything else is "nothing
        # selected" (as Django answers an empty selection), not a database error.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(pk.isdigit() and len(pk) <= 18 for pk in selected):
            self.message_user(
                request,
                _("Items must be selected in order to perform actions on them. No items have been changed."),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)


class NoDeleteMixin:
    """Money, evidence and case history are never deleted (R-ESC-2, R-EVD-3, R-DSP-7)."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Rows that change only through services: viewable, never added or edited in the admin."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def has_payout_permission(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm("marketplace.manage_payouts")


# --- Users --------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(FastListMixin, NoDeleteMixin, DjangoUserAdmin):
    """People and the scheduler. ``arbitration.admin`` adds the dispute records (R-ARB-5)."""

    form = UserChangeForm
    add_form = UserCreationForm

    list_display = ("username", "get_full_name", "email", "is_staff", "is_system", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "is_system", "groups")
    search_fields = ("^username", "=email")
    ordering = ("-pk",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Marketplace"), {"fields": ("preferred_language", "return_address", "is_system")}),
    )
    readonly_fields = ("is_system", "last_login", "date_joined")

    def get_search_results(self, request, queryset, search_term):
        """Username prefix (the unique index serves LIKE 'x%' on PostgreSQL) or exact email."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(email__iexact=term), False
        return queryset.filter(username__startswith=term), False

    @admin.display(description=_("name"))
    def get_full_name(self, obj: User) -> str:
        return obj.get_full_name()


# --- Orders, shipments, extensions ---------------------------------------------------------


class OrderStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Order.State.choices

    def queryset(self, request, queryset):
        return queryset.filter(state=self.value()) if self.value() else queryset


@admin.register(Order)
class OrderAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "item_title",
        "amount_display",
        "buyer",
        "seller",
        "state_display",
        "paid_at",
        "protection_deadline",
    )
    list_select_related = ("buyer", "seller")
    list_filter = (OrderStateFilter,)
    search_fields = ("=number",)
    ordering = ("-pk",)  # ids grow with time; paid_at has no index
    change_form_template = "admin/marketplace/order/change_form.html"
    fields = (
        ("number", "state"),
        "item_title",
        ("amount", "currency", "payment_method"),
        ("buyer", "seller"),
        ("paid_at", "shipped_at", "delivered_at", "confirmed_at", "completed_at"),
        ("protection_deadline", "dispute_deadline"),
        ("auto_extended_at", "protection_reminder_sent_at"),
    )

    def get_search_results(self, request, queryset, search_term):
        """Exact order number or tracking number: both indexed, no LIKE scans of a million rows."""
        term = search_term.strip()
        if not term:
            return queryset, False
        shipped = Shipment.objects.filter(tracking_number=term.upper()).values("order_id")
        return queryset.filter(Q(number=term) | Q(pk__in=shipped)), False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Order) -> str:
        return format_money(obj.amount, obj.currency)

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Order):
        return state_badge(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if order is not None:
            extra.update(
                trail=order_money_trail(order, include_penalties=True),
                shipment=Shipment.objects.filter(order=order).first(),
                tracking=TrackingEvent.objects.filter(shipment__order=order).select_related("recorded_by"),
                extensions=order.extension_requests.select_related("requested_by", "answered_by"),
                refunds=order.refunds.all(),
                timeline=timeline(order, *order.refunds.all(), actor=staff_actor(request.user), order=order),
            )
        return super().change_view(request, object_id, form_url, extra)


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ("occurred_at", "status", "location", "description", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Shipment)
class ShipmentAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("tracking_number", "carrier", "order", "shipped_at")
    list_select_related = ("order",)
    search_fields = ("=tracking_number", "=order__number")
    inlines = (TrackingEventInline,)
    ordering = ("-pk",)


@admin.register(TrackingEvent)
class TrackingEventAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("shipment", "status", "occurred_at", "location", "recorded_by")
    list_select_related = ("shipment", "recorded_by")
    search_fields = ("=shipment__tracking_number",)
    ordering = ("-pk",)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("order", "days", "status", "created_at", "answered_at", "answered_by")
    list_select_related = ("order", "answered_by")
    list_filter = ("status",)
    search_fields = ("=order__number",)
    ordering = ("-pk",)


# --- Escrow and the ledger (R-ESC-2, R-ESC-3) ----------------------------------------------


@admin.register(EscrowHold)
class EscrowHoldAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "order",
        "held",
        "released",
        "refunded",
        "refunded_by_seller",
        "balance_display",
        "currency",
        "settled_at",
    )
    list_select_related = ("order",)
    search_fields = ("=order__number",)
    ordering = ("-pk",)

    @admin.display(description=_("in escrow"))
    def balance_display(self, obj: EscrowHold) -> str:
        return format_money(obj.balance, obj.currency)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Append-only: the database itself refuses UPDATE and DELETE (migration 0002)."""

    list_display = ("created_at", "order", "kind", "source", "amount_display", "party", "actor", "reason")
    list_select_related = ("order", "party", "actor")
    list_filter = ("kind", "source")
    search_fields = ("=order__number",)
    ordering = ("-created_at",)

    @admin.display(description=_("amount"))
    def amount_display(self, obj: LedgerEntry) -> str:
        return format_money(obj.amount, obj.currency)


# --- Refunds and payouts (R-REF-2, R-REF-3) ------------------------------------------------


class RefundStateFilter(admin.SimpleListFilter):
    """Finance's default view is the refunds not yet paid; "All" is one click away."""

    title = _("state")
    parameter_name = "state"
    OPEN = "open"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.OPEN, _("Not paid yet")), *Refund.State.choices, (self.ALL, _("All"))]

    def choices(self, changelist):
        value = self.value() or self.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.OPEN
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


PAYOUT_OPERATIONS = {
    # name: (label, form class or None, what the button says)
    "mark-sent": (_("Mark sent"), RefundMarkSentForm),
    "mark-completed": (_("Mark paid"), RefundMarkCompletedForm),
    "mark-failed": (_("Mark failed"), RefundMarkFailedForm),
    "retry": (_("Retry the payout"), None),
}

# Which operations make sense in which state (the services refuse the rest with a message).
PAYOUT_OPERATIONS_BY_STATE = {
    Refund.State.PENDING: ["mark-sent"],
    Refund.State.SENT: ["mark-completed", "mark-failed"],
    Refund.State.FAILED: ["retry"],
    Refund.State.COMPLETED: [],
}


@admin.register(Refund)
class RefundAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Finance's worklist: refunds not yet paid, earliest due first, overdue marked (R-REF-3, R-REF-4)."""

    list_display = (
        "refund_link",
        "order_number",
        "amount_display",
        "destination",
        "state_display",
        "created",
        "due_display",
        "attempts",
        "payout_reference",
    )
    list_display_links = None
    list_select_related = ("order",)
    list_filter = (RefundStateFilter, RefundDueFilter, "source", "via_gateway")
    search_fields = ("=order__number", "=payout_reference")
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
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(order__number=term) | Q(payout_reference=term)), False

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
        form = None
        if request.method == "POST":
            form = form_class(request.POST) if form_class else None
            if form is None or form.is_valid():
                data = form.cleaned_data if form else {}
                try:
                    self._run_payout(operation, refund, request.user, data)
                except DomainError as error:
                    if form is None:
                        self.message_user(request, error.message_text, messages.ERROR)
                        return HttpResponseRedirect(back)
                    form.add_error(None, error.message_text)
                else:
                    self.message_user(
                        request,
                        _("Refund #%(id)s: %(op)s done.") % {"id": refund.pk, "op": label},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(back)
        elif form_class is not None:
            form = form_class(initial={"reference": refund.payout_reference})
        else:
            return HttpResponseRedirect(back)  # retry is a POST from the refund page
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}: refund #{refund.pk}",
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
        return services.refund_retry(refund=refund, actor=actor)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        refund = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if refund is not None:
            can_pay = has_payout_permission(request)
            extra.update(
                payout_operations=[
                    (name, PAYOUT_OPERATIONS[name][0], PAYOUT_OPERATIONS[name][1] is None)
                    for name in PAYOUT_OPERATIONS_BY_STATE[refund.state]
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


@admin.register(SimulatedPayout)
class SimulatedPayoutAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The simulated provider's own book (R-REF-3), compared by reconciliation."""

    list_display = ("reference", "amount", "currency", "destination", "status", "created_at", "settles_at")
    list_filter = ("status",)
    search_fields = ("=reference",)
    ordering = ("-pk",)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "orders_checked", "refunds_checked", "discrepancies_display")
    ordering = ("-started_at",)
    readonly_fields = ("discrepancy_table",)
    fields = (
        "started_at",
        "finished_at",
        "orders_checked",
        "refunds_checked",
        "discrepancy_count",
        "discrepancy_table",
    )

    @admin.display(description=_("discrepancies"), ordering="discrepancy_count")
    def discrepancies_display(self, obj: ReconciliationRun):
        return badge(obj.discrepancy_count, "overdue" if obj.discrepancy_count else "ok")

    @admin.display(description=_("what differs"))
    def discrepancy_table(self, obj: ReconciliationRun):
        if not obj.discrepancies:
            return _("Nothing: money and payouts reconcile.")
        rows = format_html(
            "".join("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>" for _ in obj.discrepancies),
            *[
                v
                for d in obj.discrepancies
                for v in (d.get("code"), d.get("order_id") or "", d.get("refund_id") or "", d.get("detail"))
            ],
        )
        return format_html(
            '<table class="ax-table"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
            _("code"),
            _("order"),
            _("refund"),
            _("detail"),
            rows,
        )


@admin.register(Notification)
class NotificationAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "event", "recipient", "sent_at", "attempts", "last_error")
    list_select_related = ("recipient",)
    search_fields = ("=recipient__username",)
    ordering = ("-pk",)
