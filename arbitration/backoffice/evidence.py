"""Evidence in the back office (R-EVD-3): links to the files, always through the permission-checked
evidence views (never a public URL), and the read-only list of every file with its checksum."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from arbitration.backoffice.base import case_url
from arbitration.models import Evidence
from marketplace.backoffice.base import FastListMixin, ReadOnlyMixin


@dataclass(frozen=True)
class EvidenceView:
    evidence: Evidence
    thumbnail_url: str | None
    file_url: str | None
    original_url: str | None

    @property
    def is_image(self) -> bool:
        return self.evidence.kind == Evidence.Kind.IMAGE

    @property
    def is_video(self) -> bool:
        return self.evidence.kind == Evidence.Kind.VIDEO

    @property
    def is_pdf(self) -> bool:
        return self.evidence.kind == Evidence.Kind.PDF


def _reverse(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def evidence_view(evidence: Evidence) -> EvidenceView:
    file_url = _reverse("evidence-file", evidence.pk)
    thumbnail_url = None
    if evidence.kind == Evidence.Kind.IMAGE:
        # Until the background job made the thumbnail, the image itself (scaled by CSS) stands in.
        thumbnail_url = (
            _reverse("evidence-thumbnail", evidence.pk) if evidence.thumbnail else None
        ) or file_url
    return EvidenceView(evidence, thumbnail_url, file_url, _reverse("evidence-original", evidence.pk))


@admin.register(Evidence)
class EvidenceAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Immutable after upload (R-EVD-3); the files are served by the permission-checked views."""

    list_display = (
        "preview",
        "original_name",
        "kind",
        "size_display",
        "checksum",
        "uploaded_by",
        "created_at",
        "case_link",
    )
    list_select_related = ("uploaded_by",)
    list_filter = ("kind",)
    search_fields = ("=sha256",)
    search_help_text = _("The file's full SHA-256.")
    ordering = ("-pk",)
    fields = (
        "preview",
        "original_name",
        "kind",
        "content_type",
        "size_display",
        "sha256",
        "uploaded_by",
        "created_at",
        "dispute",
        "message",
        "complaint",
        "safety_report",
        "processed_at",
        "processing_attempts",
        "processing_failed_at",
    )
    readonly_fields = ("preview", "size_display")

    @admin.display(description=_("preview"))
    def preview(self, obj: Evidence):
        return render_to_string(
            "admin/arbitration/includes/evidence_item.html",
            {"item": evidence_view(obj), "compact": True},
        )

    @admin.display(description=_("size"))
    def size_display(self, obj: Evidence) -> str:
        return filesizeformat(obj.size)

    @admin.display(description=_("SHA-256"))
    def checksum(self, obj: Evidence):
        return format_html('<code class="ax-mono" title="{}">{}…</code>', obj.sha256, obj.sha256[:16])

    @admin.display(description=_("case"))
    def case_link(self, obj: Evidence):
        if obj.dispute_id:
            return format_html('<a href="{}">#{}</a>', case_url(obj.dispute_id), obj.dispute_id)
        if obj.safety_report_id:
            return format_html(
                '<a href="{}">{} #{}</a>',
                reverse("admin:arbitration_safetyreport_change", args=[obj.safety_report_id]),
                _("safety report"),
                obj.safety_report_id,
            )
        return "—"
