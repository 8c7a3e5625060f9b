"""The return agreed or decided in a dispute (R-RET-1, R-RET-2)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import MONEY
from marketplace.models.choices import ChoiceLabels
from marketplace.search import trigram_index


class ReturnShipment(ChoiceLabels, models.Model):
    """The return agreed by an accepted offer or claim, or decided by an arbiter (R-RET-1, R-RET-2).

    Its deadlines are the dispute's ``deadline_at``: ship by (AWAITING_RETURN), confirm by
    (RETURN_IN_TRANSIT).
    """

    class Acknowledgement(models.TextChoices):
        RECEIVED_OK = "received_ok", _("Received in full and as sent")
        NOT_RECEIVED = "not_received", _("Not received")
        DAMAGED = "damaged", _("Received damaged")
        EMPTY_OR_DIFFERENT = "empty_or_different", _("Empty box or a different item")
        MISSING_PARTS = "missing_parts", _("Parts missing")

    dispute = models.OneToOneField("arbitration.Dispute", models.PROTECT, related_name="return_shipment")
    address = models.TextField()
    refund_amount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.CharField(max_length=20, choices=Acknowledgement.choices, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(refund_amount__gt=0), name="return_refund_positive"),
            models.CheckConstraint(
                condition=Q(shipped_at__isnull=True) | ~Q(tracking_number=""),
                name="shipped_return_has_tracking",
            ),
        ]
        indexes = [trigram_index("tracking_number", name="return_tracking_trgm")]  # the queue's search

    def __str__(self) -> str:
        return f"Return for dispute #{self.dispute_id}"
