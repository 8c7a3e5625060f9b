"""The email outbox (R-NTF-1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """An email to send, written in the same transaction as the change it reports (R-NTF-1).

    A rolled-back change leaves no row, so no mail; a committed one is sent by a Celery task
    queued on commit, and a sweep re-sends rows whose task was lost (the outbox pattern).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="notifications")
    event = models.CharField(max_length=64)
    context = models.JSONField(default=dict)
    # Events that must reach a person once (a reminder) carry a key; a second notify() is a no-op.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient}"
