"""The case files, read-only (R-ARB-2, R-DSP-3, R-DSP-7, R-SEC-2): claim versions, offers, messages,
decisions, returns and information requests, each linking to its case page (which shows them
in context), and the log of every transition of every case, order and refund."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_fsm_log.models import StateLog

from arbitration.backoffice.base import case_url
from arbitration.models import (
    CaseNote,
    ClaimVersion,
    Decision,
    InformationRequest,
    Message,
    Offer,
    ReturnShipment,
)
from arbitration.solicitation import flag_explanations
from marketplace.backoffice.base import FastListMixin, ReadOnlyMixin
from marketplace.models import Order
from marketplace.presentation import badge
from marketplace.text import is_plain_number


class CaseFileAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """A read-only list of one kind of case record, each linking to its case page."""

    search_fields = ("dispute__order__number",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.startswith("#") and is_plain_number(term[1:]):
            return queryset.filter(dispute_id=int(term[1:])), False
        if term:
            return queryset.filter(dispute__order__in=Order.objects.filter(number=term).values("pk")), False
        return queryset, False

    @admin.display(description=_("dispute"))
    def case_link(self, obj):
        return format_html('<a href="{}">#{}</a>', case_url(obj.dispute_id), obj.dispute_id)


@admin.register(ClaimVersion)
class ClaimVersionAdmin(CaseFileAdmin):
    list_display = (
        "case_link",
        "number",
        "reason",
        "resolution",
        "requested_amount",
        "created_by",
        "created_at",
    )
    list_select_related = ("created_by",)
    ordering = ("-pk",)


@admin.register(Offer)
class OfferAdmin(CaseFileAdmin):
    list_display = ("case_link", "kind", "amount", "status", "created_at", "answered_at")
    list_filter = ("status",)
    ordering = ("-pk",)


@admin.register(Message)
class MessageAdmin(CaseFileAdmin):
    """Messages are never edited or deleted (R-DSP-7)."""

    list_display = ("case_link", "created_at", "role", "author", "excerpt", "flag")
    list_select_related = ("author",)
    list_filter = ("role", "is_flagged")
    ordering = ("-pk",)

    @admin.display(description=_("message"))
    def excerpt(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 90 else obj.body[:87] + "…"

    @admin.display(description=_("flag"))
    def flag(self, obj: Message):
        if not obj.is_flagged:
            return ""
        return badge("⚑ " + "; ".join(flag_explanations(obj)), "flag")


@admin.register(CaseNote)
class CaseNoteAdmin(CaseFileAdmin):
    """Internal notes, staff only; never edited or deleted, like messages."""

    list_display = ("case_link", "created_at", "author", "excerpt")
    list_select_related = ("author",)
    ordering = ("-pk",)

    @admin.display(description=_("note"))
    def excerpt(self, obj: CaseNote) -> str:
        return obj.body if len(obj.body) <= 90 else obj.body[:87] + "…"


@admin.register(Decision)
class DecisionAdmin(CaseFileAdmin):
    """A decision can't be changed after it is made (R-ARB-2)."""

    list_display = (
        "case_link",
        "round",
        "outcome",
        "refund_amount",
        "penalty_amount",
        "decided_by",
        "decided_at",
    )
    list_select_related = ("decided_by",)
    list_filter = ("outcome",)
    ordering = ("-pk",)


@admin.register(ReturnShipment)
class ReturnShipmentAdmin(CaseFileAdmin):
    list_display = (
        "case_link",
        "refund_amount",
        "carrier",
        "tracking_number",
        "shipped_at",
        "acknowledgement",
    )
    search_fields = ("=tracking_number",)
    ordering = ("-pk",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term:
            return queryset.filter(tracking_number__in={term, term.upper()}), False
        return queryset, False


@admin.register(InformationRequest)
class InformationRequestAdmin(CaseFileAdmin):
    list_display = ("case_link", "party", "question_excerpt", "due_at", "answered", "requested_by")
    list_select_related = ("requested_by",)
    ordering = ("-pk",)

    @admin.display(description=_("question"))
    def question_excerpt(self, obj: InformationRequest) -> str:
        return obj.question if len(obj.question) <= 90 else obj.question[:87] + "…"

    @admin.display(description=_("answered"))
    def answered(self, obj: InformationRequest):
        if obj.answered_at:
            return badge(
                _("answered %(date)s") % {"date": f"{timezone.localtime(obj.answered_at):%Y-%m-%d}"}, "ok"
            )
        return badge(_("overdue"), "overdue") if obj.is_overdue else badge(_("waiting"), "neutral")


# --- The audit log of transitions (R-SEC-2) ---------------------------------------------------


@admin.register(StateLog)
class StateLogAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Who moved what, when: every transition of every dispute, order, refund, complaint, report."""

    list_display = ("timestamp", "subject", "transition", "change", "by", "description")
    list_select_related = ("by", "content_type")
    list_filter = ("content_type",)
    search_fields = ("=object_id",)
    search_help_text = _("The id of the dispute, order, refund … (choose the type on the right).")
    ordering = ("-pk",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if is_plain_number(term):
            return queryset.filter(object_id=int(term)), False
        return (queryset.none() if term else queryset), False

    @admin.display(description=_("what"))
    def subject(self, obj: StateLog):
        label = f"{obj.content_type.name} #{obj.object_id}"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id]
            )
        except NoReverseMatch:  # a model without an admin page
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("change"))
    def change(self, obj: StateLog) -> str:
        return f"{obj.source_state or '∅'} → {obj.state}"
