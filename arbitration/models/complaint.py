"""Complaints after a dispute closed (R-CMP-1) and the ones the scheduler opens (R-REF-4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from arbitration.models.case import ArbitrationCase, case_lifecycle
from marketplace.audit.tracking import history
from marketplace.models import MONEY, Refund


@history(fields=["state", "outcome", "refund_amount", "refund", "new_refund"])
class Complaint(ArbitrationCase):
    """After closure the buyer can't reopen a dispute but can complain (R-CMP-1)."""

    class Kind(models.TextChoices):
        REFUND_NOT_RECEIVED = "refund_not_received", _("The agreed refund has not arrived")
        AGREEMENT_BROKEN = "agreement_broken", _("The seller broke an agreement")
        REFUND_OVERDUE = "refund_overdue", _("Refund overdue (opened automatically)")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for an arbiter")
        UNDER_REVIEW = "under_review", _("Under review by an arbiter")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        REISSUE_REFUND = "reissue_refund", _("Re-issue the refund")
        REFUND_FROM_SELLER = "refund_from_seller", _("Refund from the seller's balance")
        CONFIRMED_PAID = "confirmed_paid", _("Confirmed: the refund was paid")
        REJECTED = "rejected", _("Rejected")

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="complaints")
    refund = models.ForeignKey(Refund, models.PROTECT, null=True, blank=True, related_name="complaints")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    description = models.TextField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(help_text=_("Decision due (R-ARB-4)."))
    state = FSMField(default=State.OPEN, choices=State.choices, protected=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    rationale = models.TextField(blank=True)
    refund_amount = models.DecimalField(**MONEY, null=True, blank=True)
    new_refund = models.OneToOneField(Refund, models.PROTECT, null=True, blank=True, related_name="+")
    penalty_amount = models.DecimalField(**MONEY, null=True, blank=True)
    penalty_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            # The scheduler opens one complaint per overdue refund, however often it runs (R-REF-4).
            models.UniqueConstraint(
                fields=["refund"], condition=Q(kind="refund_overdue"), name="one_overdue_complaint_per_refund"
            ),
            models.UniqueConstraint(
                fields=["dispute"], condition=~Q(state="decided"), name="one_open_complaint_per_dispute"
            ),
            models.CheckConstraint(
                condition=~Q(state="decided")
                | (~Q(outcome="") & ~Q(rationale="") & Q(decided_at__isnull=False)),
                name="decided_complaint_has_outcome_and_rationale",
            ),
            models.CheckConstraint(
                condition=~Q(state="under_review") | Q(assigned_arbiter__isnull=False),
                name="complaint_under_review_has_arbiter",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "opened_at"], name="complaint_queue_idx"),
            models.Index(fields=["state", "deadline_at"], name="complaint_due_idx"),  # "overdue" filter
        ]

    def __str__(self) -> str:
        return f"Complaint #{self.pk} on dispute #{self.dispute_id}"

    @property
    def buyer_id(self) -> int:
        return self.dispute.buyer_id

    @property
    def is_overdue(self) -> bool:
        return self.state != self.State.DECIDED and timezone.now() >= self.deadline_at

    EVENT_LABELS = {"file": _("Complaint filed")}

    def state_after_decision(self, needs_return: bool) -> str:
        return self.State.DECIDED

    # Decided like a dispute, by the arbiter who took it (R-CMP-1, R-ARB-1).
    take, release, reassign, decide = case_lifecycle(
        queued=State.OPEN, reviewing=State.UNDER_REVIEW, decided=State.DECIDED
    )
