"""What supervisors edit for arbiters: solicitation patterns (R-DSP-8) without a deploy — a pattern
the detector can't use is refused on save, and a sample message shows what it would flag — and
the reply templates arbiters start their messages from."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from arbitration.models import ReplyTemplate, SolicitationClassifierSetting, SolicitationPattern
from arbitration.solicitation import validate_pattern
from arbitration.solicitation.classifier import default_classifier
from arbitration.solicitation.detector import find_solicitation
from marketplace.backoffice.base import NoDeleteMixin


class StaffEditedAdmin(NoDeleteMixin, admin.ModelAdmin):
    """What staff edit here (``arbitration.models.staff.StaffEdited``): never deleted, and it
    records who saved it last."""

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class SolicitationPatternForm(forms.ModelForm):
    """A pattern is refused on save when the detector can't use it (R-DSP-8); a sample message
    shows, before saving, whether the pattern would flag it."""

    sample = forms.CharField(
        label=_("Try it on a message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        help_text=_("Optional: a seller message to test the pattern on before saving. Not stored."),
    )

    class Meta:
        model = SolicitationPattern
        fields = ("name", "pattern", "language", "intent", "description", "is_active")
        widgets = {"pattern": forms.Textarea(attrs={"rows": 3, "cols": 70, "class": "ax-mono"})}

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"].strip()
        if not pattern:
            raise ValidationError(_("Enter a regular expression."))
        validate_pattern(pattern)
        return pattern

    def sample_matches(self) -> bool | None:
        """Whether the sample text would be flagged by this pattern alone (None: nothing to try)."""
        if not self.is_valid() or not self.cleaned_data.get("sample"):
            return None
        row = {
            "name": self.cleaned_data["name"] or "pattern",
            "pattern": self.cleaned_data["pattern"],
            "intent": self.cleaned_data.get("intent"),
        }
        return bool(find_solicitation(self.cleaned_data["sample"], patterns=[row], classifier=False))


@admin.register(SolicitationPattern)
class SolicitationPatternAdmin(StaffEditedAdmin):
    """Supervisors edit the patterns without a deploy; a broken regex is refused on save.

    Patterns are switched off, never deleted: flagged messages keep the names they matched.
    """

    form = SolicitationPatternForm
    list_display = ("name", "intent", "language", "is_active", "pattern_display", "updated_at", "updated_by")
    list_select_related = ("updated_by",)
    list_filter = ("is_active", "intent", "language")
    search_fields = ("name", "description")
    readonly_fields = ("updated_at", "updated_by")
    fields = (
        "name",
        "pattern",
        "language",
        "intent",
        "description",
        "is_active",
        "sample",
        "updated_at",
        "updated_by",
    )

    @admin.display(description=_("pattern"))
    def pattern_display(self, obj: SolicitationPattern):
        text = obj.pattern if len(obj.pattern) <= 80 else obj.pattern[:77] + "…"
        return format_html('<code class="ax-mono">{}</code>', text)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        verdict = form.sample_matches()
        if verdict is not None:
            self.message_user(
                request,
                _("The sample message would be flagged by this pattern.")
                if verdict
                else _("The sample message would NOT be flagged by this pattern."),
                messages.INFO if verdict else messages.WARNING,
            )


@admin.register(SolicitationClassifierSetting)
class SolicitationClassifierSettingAdmin(StaffEditedAdmin):
    """Supervisors switch the trained classifier off or change the scores it flags and overrules
    at, without a deploy (R-DSP-8); the weights are committed data. One row, made by the
    migration."""

    fields = (
        "is_active",
        "threshold",
        "trained_threshold",
        "veto_threshold",
        "trained_veto_threshold",
        "name_veto_threshold",
        "trained_name_veto_threshold",
        "updated_at",
        "updated_by",
    )
    list_display = ("__str__", *fields)
    readonly_fields = (
        "trained_threshold",
        "trained_veto_threshold",
        "trained_name_veto_threshold",
        "updated_at",
        "updated_by",
    )

    def has_add_permission(self, request) -> bool:
        # The row is the migration's; no query here (the admin asks on every page's menu).
        return False

    @admin.display(description=_("trained threshold"))
    def trained_threshold(self, obj: SolicitationClassifierSetting) -> str:
        model = default_classifier()
        return f"{model.threshold:.2f}" if model is not None else "—"

    @admin.display(description=_("trained veto threshold"))
    def trained_veto_threshold(self, obj: SolicitationClassifierSetting) -> str:
        model = default_classifier()
        return f"{model.veto:.2f}" if model is not None else "—"

    @admin.display(description=_("trained name veto threshold"))
    def trained_name_veto_threshold(self, obj: SolicitationClassifierSetting) -> str:
        model = default_classifier()
        return f"{model.name_veto:.2f}" if model is not None else "—"


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(StaffEditedAdmin):
    """Reply templates for arbiters' messages, in both languages: supervisors write them
    (``change_replytemplate``), arbiters read them and pick one on the case page. Switched off,
    never deleted."""

    list_display = ("title", "is_active", "updated_at", "updated_by")
    list_select_related = ("updated_by",)
    list_filter = ("is_active",)
    search_fields = ("title", "body_en", "body_ru")
    readonly_fields = ("updated_at", "updated_by")
    fields = ("title", "body_en", "body_ru", "is_active", "updated_at", "updated_by")
