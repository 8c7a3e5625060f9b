"""Audit checks in the admin: read-only, newest first, the first broken link on top."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from marketplace.audit.models import AuditCheck
from marketplace.audit.verify import event_models


@admin.register(AuditCheck)
class AuditCheckAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "events_checked", "problem_count")
    ordering = ("-started_at",)
    readonly_fields = ("started_at", "finished_at", "events_checked", "problem_count", "report")
    exclude = ("problems", "checkpoints")
    show_full_result_count = False

    @admin.display(description="Problems")
    def report(self, check: AuditCheck):
        return format_html("<pre>{}</pre>", json.dumps(check.problems, indent=2, ensure_ascii=False))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventAdmin(admin.ModelAdmin):
    """A table's row history, read-only: what each row became, when, by whom (R-OPS-2)."""

    list_display = ("pgh_id", "pgh_created_at", "pgh_label", "pgh_obj_id_or_row", "context")
    list_filter = ("pgh_label",)
    ordering = ("-pgh_id",)
    show_full_result_count = False

    @admin.display(description="Row")
    def pgh_obj_id_or_row(self, event):
        return getattr(event, "pgh_obj_id", None) or getattr(event, "pk", None)

    @admin.display(description="Who")
    def context(self, event):
        return json.dumps(event.pgh_context or {}, ensure_ascii=False)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for _event_model in event_models():
    admin.site.register(_event_model, EventAdmin)
