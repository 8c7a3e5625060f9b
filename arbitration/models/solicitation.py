"""Off-platform solicitation patterns, edited by supervisors without a deploy (R-DSP-8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.audit.tracking import history


@history()
class SolicitationPattern(models.Model):
    """A pattern of off-platform solicitation (R-DSP-8), edited by supervisors without a deploy."""

    name = models.SlugField(max_length=64, unique=True)
    pattern = models.TextField(
        help_text=_("A regular expression, matched case-insensitively on normalised text.")
    )
    language = models.CharField(
        max_length=8, choices=[("en", "English"), ("ru", "Russian"), ("any", "Any")], default="any"
    )
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from arbitration.solicitation import validate_pattern

        validate_pattern(self.pattern)
