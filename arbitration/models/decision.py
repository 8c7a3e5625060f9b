"""An arbiter's decision on a dispute (R-ARB-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.audit.tracking import history
from marketplace.models import MONEY
from marketplace.models.choices import ChoiceLabels


@history()
class Decision(ChoiceLabels, models.Model):
    """An arbiter's decision (R-ARB-2): immutable once made; it moves the money when made."""

    class Outcome(models.TextChoices):
        FULL_REFUND = "full_refund", _("Full refund")
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        RETURN_THEN_REFUND = "return_then_refund", _("Return, then refund")
        REJECTED = "rejected", _("Claim rejected: payment to the seller")

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="decisions")
    # A case can come back (a seller reports a problem with the return): one decision per round.
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    refund_amount = models.DecimalField(**MONEY, default=0)
    return_deadline = models.DateTimeField(null=True, blank=True)
    return_address = models.TextField(blank=True)
    rationale = models.TextField()
    penalty_amount = models.DecimalField(**MONEY, null=True, blank=True)
    penalty_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "round"], name="one_decision_per_round"),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="decision_refund_not_negative"),
            models.CheckConstraint(
                condition=Q(penalty_amount__isnull=True) | (Q(penalty_amount__gt=0) & ~Q(penalty_reason="")),
                name="decision_penalty_has_amount_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_idx")]  # dashboard chart

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on dispute #{self.dispute_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A decision can't be changed after it is made.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Decisions are never deleted.")
