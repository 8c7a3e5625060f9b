"""Off-platform solicitation patterns, edited by supervisors without a deploy (R-DSP-8), and
the supervisors' setting of the trained classifier beside them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from arbitration.models.staff import StaffEdited
from arbitration.solicitation.intents import Intent
from arbitration.solicitation.regex import validate_pattern
from marketplace.audit.tracking import history


@history()
class SolicitationPattern(StaffEdited):
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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_pattern(self.pattern)


def _veto_field(verbose_name: Any, help_text: Any) -> models.DecimalField:
    """A score from 0.00 (never overrule) to 0.50 below which the classifier overrules a shipped
    pattern's flag; empty: the one chosen when the classifier was trained."""
    return models.DecimalField(
        verbose_name,
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("0.50"))],
        help_text=help_text,
    )


@history()
class SolicitationClassifierSetting(StaffEdited):
    """Supervisors' hold on the trained classifier (R-DSP-8, issue 17 rounds 4 and 10), without a
    deploy: switch it off, ask for a higher score before it flags, or change the scores below
    which it overrules a shipped pattern (and, from round 22, a channel merely named). One row
    (``current``); the weights themselves are committed data
    (``arbitration/solicitation/classifier_weights.json``)."""

    is_active = models.BooleanField(
        _("classifier flags messages"),
        default=True,
        help_text=_("Off: only the patterns flag messages, and nothing overrules them."),
    )
    threshold = models.DecimalField(
        _("score needed to flag"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.50")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("From 0.50 to 0.99. Empty: the threshold chosen when the classifier was trained."),
    )
    veto_threshold = _veto_field(
        _("score below which a shipped pattern is overruled"),
        _(
            "From 0.00 (never overrule) to 0.50. A message a shipped pattern flags but the classifier "
            "scores below this is not flagged; patterns staff wrote or edited are never overruled. "
            "Empty: the one chosen when the classifier was trained."
        ),
    )
    name_veto_threshold = _veto_field(
        _("score below which a messenger or e-wallet merely named is overruled"),
        _(
            "From 0.00 (never overrule) to 0.50. A message flagged only because it names a messenger or an "
            'e-wallet is not flagged when the classifier scores the whole message below this ("My Telegram? '
            'No, I only answer here"), unless the words around the name read as an ask on their own. Empty: '
            "the one chosen when the classifier was trained."
        ),
    )

    class Meta:
        verbose_name = _("solicitation classifier")
        verbose_name_plural = _("solicitation classifier")

    def __str__(self) -> str:
        return str(_("Solicitation classifier"))

    @classmethod
    def current(cls) -> SolicitationClassifierSetting:
        """The one row; an unsaved default (on, trained threshold) before anyone edits it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
