"""Evidence files: immutable after upload, stored under random names (R-EVD-3)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models.choices import ChoiceLabels


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A random name: the original name is kept as metadata only (R-EVD-3).
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(ChoiceLabels, models.Model):
    """A file a party or staff uploaded: immutable after upload (R-EVD-3)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        PDF = "pdf", _("PDF document")

    dispute = models.ForeignKey(
        "arbitration.Dispute", models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    message = models.ForeignKey(
        "arbitration.Message", models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    complaint = models.ForeignKey("Complaint", models.PROTECT, null=True, blank=True, related_name="evidence")
    safety_report = models.ForeignKey(
        "SafetyReport", models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Made in the background (R-EVD-4): a small thumbnail and a metadata-free rendition the
    # other party sees instead of the original.
    thumbnail = models.FileField(upload_to=evidence_upload_to, max_length=255, blank=True)
    rendition = models.FileField(upload_to=evidence_upload_to, max_length=255, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Tries that failed; after the last one (or a file that can't be decoded) it is failed for
    # good: the sweep stops retrying it, the other party is told, arbiters see the original.
    processing_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    processing_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        indexes = [
            # The few failed renditions, counted at each metrics scrape (R-OPS-3).
            models.Index(
                fields=["processing_failed_at"],
                condition=Q(processing_failed_at__isnull=False),
                name="evidence_failed_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dispute__isnull=False) | Q(safety_report__isnull=False),
                name="evidence_belongs_to_a_case",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def stored_name(self) -> str:
        """The original file's name in storage; every evidence row is saved with its file."""
        if not self.file.name:
            raise ValueError(f"Evidence {self.pk} has no stored file.")
        return self.file.name
