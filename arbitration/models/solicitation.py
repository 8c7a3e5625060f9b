"""Off-platform solicitation patterns, edited by supervisors without a deploy (R-DSP-8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arbitration.solicitation.intents import Intent
from arbitration.solicitation.regex import validate_pattern


class SolicitationPattern(models.Model):
    """A pattern of off-platform solicitation (R-DSP-8), edited by supervisors without a deploy.

    Matched on the normalised message and its transliteration (``arbitration.solicitation``).
    A match of a flagging intent flags the message unless an ``exempt`` pattern covers it.
    """

    Intent = Intent

    name = models.SlugField(max_length=64, unique=True)
    pattern = models.TextField(
        help_text=_("A regular expression, matched case-insensitively on normalised text.")
    )
    language = models.CharField(
        max_length=8, choices=[("en", "English"), ("ru", "Russian"), ("any", "Any")], default="any"
    )
    intent = models.CharField(
        max_length=16,
        choices=Intent.choices,
        default=Intent.OFF_PLATFORM,
        help_text=_(
            "What a match means. Exempt patterns flag nothing: they cancel the other patterns' matches "
            "they overlap (refusals, warnings, the platform's own payment route)."
        ),
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
        validate_pattern(self.pattern)
