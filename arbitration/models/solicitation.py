"""Off-platform solicitation patterns, edited by supervisors without a deploy (R-DSP-8)."""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str] | str:
    """The compiled pattern, or the reason it can't be used; cached either way, so no pattern
    is compiled again for every message."""
    try:
        # Normalised text has no "ё" (it is read as "е"), so a pattern written with it must match "е".
        regex = re.compile(pattern.replace("ё", "е").replace("Ё", "Е"), re.IGNORECASE)
    except (re.error, TypeError, ValueError, RecursionError) as error:
        return f"this is not a valid regular expression: {error}"
    if regex.search(""):
        return "this pattern matches an empty message, so it would flag every message"
    return regex


def validate_pattern(pattern: str) -> None:
    """Raise ``ValidationError`` unless ``pattern`` is a usable solicitation pattern (R-DSP-8)."""
    compiled = compile_pattern(pattern)
    if isinstance(compiled, str):
        raise ValidationError(
            "%(problem)s. Patterns are Python regular expressions, matched case-insensitively "
            "on the normalised message.",
            code="invalid_pattern",
            params={"problem": compiled[0].upper() + compiled[1:]},
        )


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
        validate_pattern(self.pattern)
