"""Orders, shipments, carrier events and protection extensions in the admin: read-only, with the
order's money trail and timeline on its page (R-ESC-5, R-SEC-2)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice.base import FastListMixin, ReadOnlyMixin
from marketplace.models import ExtensionRequest, Order, Shipment, TrackingEvent
from marketplace.presentation import format_money, staff_actor, state_badge, timeline
from marketplace.selectors import order_money_trail


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
