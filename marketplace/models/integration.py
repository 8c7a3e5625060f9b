"""The marketplace's machine clients and the events told to them (R-API-1, R-API-5).

An ``ApiClient`` is one integration of the marketplace that runs this back office (its main back
end, a carrier feed, a mobile back end), with scopes and hashed keys. Clients of one ``account``
share its data: orders and people created through the API belong to the caller's account, and
a client never sees another account's (404). The web pages and the demo work in the default
account "".

A ``DomainEvent`` is written by a service in the same transaction as the state change it reports
(the outbox): no event without the change and no change without the event. Webhook deliveries
(``marketplace.webhooks``) are made from these rows after commit, and can be replayed.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.audit.tracking import history


class Scope(models.TextChoices):
    ORDERS_WRITE = "orders:write", _("Create people, orders, payments and shipments")
    TRACKING_WRITE = "tracking:write", _("Post carrier tracking events")
    DISPUTES_READ = "disputes:read", _("Read disputes, complaints and safety reports")
    DISPUTES_ACT = "disputes:act", _("Act for a buyer or a seller in disputes")
    REFUNDS_READ = "refunds:read", _("Read refunds and payouts")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage webhook endpoints and replay events")


@history()
class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100)
    account = models.SlugField(
        _("account"),
        max_length=50,
        blank=True,
        help_text=_("Clients of one account share its data; empty is the default account."),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@history(exclude=["last_used_at"])
class ApiKey(models.Model):
    """A secret shown once at creation; only its hash is kept. ``prefix`` identifies it in lists."""

    client = models.ForeignKey(ApiClient, models.PROTECT, related_name="keys")
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_active(self) -> bool:
        """A rotated key keeps working until its grace time ends (``revoked_at`` in the future)."""
        revoked = self.revoked_at is not None and self.revoked_at <= timezone.now()
        return not revoked and self.client.is_active


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


class DomainEvent(models.Model):
    """One state change, as the marketplace hears it (R-API-5). Never edited, never deleted."""

    uid = models.CharField(max_length=40, unique=True, default=new_event_id, editable=False)
    type = models.CharField(max_length=64)
    account = models.SlugField(max_length=50, blank=True)
    order = models.ForeignKey("marketplace.Order", models.PROTECT, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["account", "created_at", "id"], name="event_account_time_idx"),
            models.Index(fields=["type", "created_at"], name="event_type_time_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(type=""), name="event_has_type")]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Events are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Events are never deleted.")


class IdempotencyRecord(models.Model):
    """A write made with an ``Idempotency-Key`` header and the answer it got (R-API-3).

    The row is inserted before the write runs (the unique key makes a second, concurrent one
    fail) and locked while it runs; the answer is stored in the write's own transaction, so a
    crash leaves neither the change nor the answer and the key can be used again.
    """

    client = models.ForeignKey(ApiClient, models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique_per_client")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return self.key
