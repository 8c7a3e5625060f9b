"""Reports of dangerous products (R-SAF-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from arbitration.models.case import is_arbiter
from marketplace.fsm import labels
from marketplace.models import Order
from marketplace.models.choices import ChoiceLabels


class SafetyReport(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """A dangerous product (R-SAF-1): any time, even after protection ended; closed only with an outcome."""

    class State(models.TextChoices):
        OPEN = "open", _("Being reviewed")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        LISTING_BLOCKED = "listing_blocked", _("Listing blocked")
        SELLER_WARNED = "seller_warned", _("Seller warned")
        NO_ACTION = "no_action", _("No action")

    order = models.ForeignKey(Order, models.PROTECT, related_name="safety_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="safety_reports")
    description = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    state = FSMField(default=State.OPEN, choices=State.choices, protected=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="closed")
                | (~Q(outcome="") & ~Q(outcome_reason="") & Q(closed_at__isnull=False)),
                name="closed_safety_report_has_outcome_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="safety_queue_idx")]

    EVENT_LABELS = {"file": _("Report filed")}

    def __str__(self) -> str:
        return f"Safety report #{self.pk} on order {self.order_id}"

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.CLOSED,
        permission=is_arbiter,
        custom=labels(_("Close the report"), _("Closed")),
    )
    def close(self, by=None, description=None) -> None:
        pass
