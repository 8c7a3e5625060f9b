"""Audit checks in the admin: read-only, newest first, the first broken link on top."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from marketplace.audit.models import AuditCheck


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
