"""Where the marketplace hears of events, and how each delivery went (R-API-5).

A ``WebhookEndpoint`` belongs to an API client and receives the events of the client's account
that pass its type filter, signed per the Standard Webhooks spec with its secret (two during a
rotation). A ``WebhookDelivery`` is one event for one endpoint: written in the same transaction as
the event (``marketplace.events.emit``), sent after commit, retried with backoff for about three
days, then marked failed. A replay is a new delivery of the same event (same ``webhook-id``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from marketplace.audit.tracking import history
from marketplace.models.integration import ApiClient, DomainEvent


def _moment(text: str) -> datetime:
    """A stored ISO moment (written by ``webhooks.services``, so always well formed)."""
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"Not a moment: {text!r}")
    return moment


@history(exclude=["secrets"])
class WebhookEndpoint(models.Model):
    client = models.ForeignKey(ApiClient, models.PROTECT, related_name="webhook_endpoints")
    # Checked by the services (``checked_url``: https and a public host in production), not here.
    url = models.CharField(_("URL"), max_length=2000)
    # Event types this endpoint receives; empty: every type (``marketplace.events.EVENT_TYPES``).
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    # [{"secret": "whsec_…", "created_at": iso, "expires_at": iso or null}], newest first. Every
    # unexpired secret signs each delivery, so the receiver may verify with the old or the new one.
    secrets = models.JSONField(default=list, editable=False)
    is_active = models.BooleanField(_("enabled"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["client__name", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        permissions = [("manage_webhooks", "Can add, change, disable, rotate and replay webhook endpoints")]

    def __str__(self) -> str:
        return self.url

    @property
    def account(self) -> str:
        return self.client.account

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def valid_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets that sign a delivery now: the current one and, during a rotation, the previous."""
        now = now or timezone.now()
        return [
            entry["secret"]
            for entry in self.secrets
            if not entry.get("expires_at") or _moment(entry["expires_at"]) > now
        ]

    def rotation_ends_at(self, now: datetime | None = None) -> datetime | None:
        """When the previous secret stops signing, while a rotation is under way."""
        now = now or timezone.now()
        ends = [_moment(e["expires_at"]) for e in self.secrets if e.get("expires_at")]
        ends = [moment for moment in ends if moment > now]
        return max(ends) if ends else None


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(DomainEvent, models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, models.PROTECT, related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    is_replay = models.BooleanField(_("replay"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When a pending delivery is next sent (a sender holding it pushes this forward while it sends).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The sender's sweep: pending deliveries by the time they are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_due_idx"),
            # An endpoint's delivery log, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_log_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                name="pending_delivery_has_next_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint}"
