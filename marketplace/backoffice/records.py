"""The money books in the admin, read-only: escrow holds and the append-only ledger (R-ESC-2,
R-ESC-3), the simulated provider's payouts and the reconciliation runs (R-REF-3, R-JOB-4), and
the notifications sent (R-NTF-1)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice.base import CsvExportMixin, FastListMixin, ReadOnlyMixin
from marketplace.models import EscrowHold, LedgerEntry, Notification, ReconciliationRun, SimulatedPayout
from marketplace.presentation import badge, format_money


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
class LedgerEntryAdmin(CsvExportMixin, FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Append-only: the database itself refuses UPDATE and DELETE (migration 0002). "Download
    CSV" exports what the filters show: penalties are ``?kind=penalty``."""

    csv_name = "ledger"
    csv_related = ("order", "party", "actor")
    csv_columns = (
        (_("entry"), lambda e: e.pk),
        (_("created"), lambda e: e.created_at),
        (_("order number"), lambda e: e.order.number),
        (_("kind"), lambda e: e.get_kind_display()),
        (_("source"), lambda e: e.get_source_display()),
        (_("amount"), lambda e: e.amount),
        (_("currency"), lambda e: e.currency),
        (_("whose money"), lambda e: e.party.get_full_name() or e.party.username),
        (_("by"), lambda e: e.actor.get_full_name() or e.actor.username),
        (_("reason"), lambda e: e.reason),
    )

    list_display = ("created_at", "order", "kind", "source", "amount_display", "party", "actor", "reason")
    list_select_related = ("order", "party", "actor")
    list_filter = ("kind", "source")
    search_fields = ("=order__number",)
    ordering = ("-created_at",)

    @admin.display(description=_("amount"))
    def amount_display(self, obj: LedgerEntry) -> str:
        return format_money(obj.amount, obj.currency)


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
