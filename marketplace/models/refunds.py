"""Refunds followed until paid (R-REF-2), the simulated provider's records (R-REF-3) and the
reconciliation runs (R-JOB-4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.audit.tracking import history
from marketplace.fsm import labels
from marketplace.models.choices import ChoiceLabels
from marketplace.models.escrow import LedgerEntry
from marketplace.models.money import MONEY, Currency
from marketplace.models.orders import Order
from marketplace.search import trigram_index


@history()
class Refund(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """Money owed to the buyer, followed until it is paid (R-REF-2)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent to the payment provider")
        COMPLETED = "completed", _("Paid")
        FAILED = "failed", _("Payout failed")

    order = models.ForeignKey(Order, models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    source = models.CharField(
        max_length=20,
        choices=[
            (LedgerEntry.Source.ESCROW, _("Escrow")),
            (LedgerEntry.Source.SELLER_BALANCE, _("Seller's balance")),
        ],
        default=LedgerEntry.Source.ESCROW,
    )
    destination = models.CharField(_("paid to"), max_length=100)
    state = FSMField(default=State.PENDING, choices=State.choices, protected=True)
    # One refund per cause, e.g. "dispute:12:resolution" (R-REF-2).
    idempotency_key = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    payout_reference = models.CharField(max_length=100, blank=True)
    via_gateway = models.BooleanField(default=False, help_text=_("Sent through the payment gateway."))
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_payouts", "Can mark refund payouts sent, completed or failed")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="completed") | ~Q(payout_reference=""),
                name="completed_refund_has_reference",
            ),
        ]
        indexes = [
            # Finance's worklist: unpaid refunds by due date (flagged overdue or not).
            models.Index(fields=["due_at"], condition=~Q(state="completed"), name="refund_unpaid_due_idx"),
            # The dashboard's time-to-pay chart.
            models.Index(fields=["completed_at"], condition=Q(state="completed"), name="refund_paid_idx"),
            models.Index(
                fields=["due_at"],
                condition=~Q(state="completed") & Q(overdue_flagged_at__isnull=True),
                name="refund_overdue_due_idx",
            ),
            models.Index(fields=["state", "sent_at"], name="refund_state_idx"),
            trigram_index("payout_reference", name="refund_payout_reference_trgm"),  # finance's search
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} {self.currency} for {self.order}"

    @property
    def is_overdue(self) -> bool:
        return self.state != self.State.COMPLETED and timezone.now() >= self.due_at

    @property
    def payout_attempts(self) -> int:
        """How many times the payout has been sent: the first attempt and each retry (``attempts``
        counts the retries). The one count every page shows."""
        return self.attempts + 1 if self.attempts or self.state != self.State.PENDING else 0

    @property
    def gateway_key(self) -> str:
        """The idempotency key sent with payout attempt number ``attempts``."""
        return f"{self.idempotency_key}#{self.attempts}"

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.PENDING, target=State.SENT, custom=labels(done=_("Payout sent")))
    def mark_sent(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.SENT, target=State.COMPLETED, custom=labels(done=_("Refund paid")))
    def mark_completed(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.SENT, target=State.FAILED, custom=labels(done=_("Payout failed")))
    def mark_failed(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.FAILED, target=State.PENDING, custom=labels(done=_("Payout retried"))
    )
    def retry(self, by=None, description=None) -> None:
        pass


class SimulatedPayout(models.Model):
    """The simulated payment provider's own records (R-REF-3), one per idempotency key.

    Kept in the database so the demo's gateway survives restarts and reconciliation can
    compare refunds with what the "provider" says it did.
    """

    class Status(models.TextChoices):
        PROCESSING = "processing", "processing"
        PAID = "paid", "paid"
        FAILED = "failed", "failed"

    idempotency_key = models.CharField(max_length=220, unique=True)
    reference = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    destination = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=Status.choices)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settles_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference


class ReconciliationRun(models.Model):
    """One run of the money check (R-JOB-4); staff see discrepancies in the admin."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    orders_checked = models.PositiveIntegerField(default=0)
    refunds_checked = models.PositiveIntegerField(default=0)
    discrepancy_count = models.PositiveIntegerField(default=0)
    discrepancies = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Reconciliation {self.started_at:%Y-%m-%d %H:%M}: {self.discrepancy_count} discrepancies"
