"""The buyer's claim and its versions (R-DSP-2, R-DSP-3) and the seller's offers (R-DSP-5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import MONEY
from marketplace.models.choices import ChoiceLabels


class Reason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Item not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Damaged or defective")
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_PARTS = "missing_parts", _("Missing parts")
    UNSAFE = "unsafe", _("Unsafe")


class WantedResolution(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return the item and get a refund")


class ClaimVersion(ChoiceLabels, models.Model):
    """Every version of the buyer's claim: number 0 is the original, 1…4 the amendments (R-DSP-3)."""

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="claim_versions")
    number = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    resolution = models.CharField(max_length=20, choices=WantedResolution.choices)
    requested_amount = models.DecimalField(**MONEY, null=True, blank=True)
    description = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute", "number"]
        constraints = [models.UniqueConstraint(fields=["dispute", "number"], name="claim_version_unique")]

    def __str__(self) -> str:
        return f"Claim v{self.number} of dispute #{self.dispute_id}"


class Offer(ChoiceLabels, models.Model):
    """The seller's proposal (R-DSP-5): a partial refund, or return-and-refund to an address."""

    class Kind(models.TextChoices):
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        RETURN_AND_REFUND = "return_and_refund", _("Return and refund")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the buyer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("No longer open (the dispute moved on)")

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="offers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        **MONEY, help_text=_("The refund the buyer gets (after the return, for returns).")
    )
    return_address = models.TextField(blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="offer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="return_and_refund") | ~Q(return_address=""),
                name="return_offer_has_address",
            ),
            models.UniqueConstraint(
                fields=["dispute"], condition=Q(status="pending"), name="one_pending_offer_per_dispute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
