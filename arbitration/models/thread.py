"""The dispute's thread (R-DSP-7) and the arbiter's questions in it (R-ARB-6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from marketplace.models.choices import ChoiceLabels


class Message(ChoiceLabels, models.Model):
    """One message in the dispute's thread (R-DSP-7). Never edited, never deleted."""

    # The body of the message that carries the files sent with a claim: stored as this source
    # text, shown in each reader's language (``arbitration.presentation.texts``).
    CLAIM_EVIDENCE = gettext_noop("Evidence with the claim")

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")
        ARBITER = "arbiter", _("Arbiter")
        SYSTEM = "system", _("Marketplace")

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Names of the solicitation patterns the text matched (R-DSP-8); empty for a clean message.
    solicitation_patterns = models.JSONField(default=list, blank=True)
    is_flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dispute", "created_at"], name="message_thread_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on dispute #{self.dispute_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Messages are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Messages are never deleted.")


class InformationRequest(ChoiceLabels, models.Model):
    """An arbiter asks a party for more information or evidence, by a deadline (R-ARB-6)."""

    class Party(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="information_requests")
    party = models.CharField(max_length=10, choices=Party.choices)
    question = models.TextField()
    due_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.OneToOneField(
        Message, models.PROTECT, null=True, blank=True, related_name="answers_request"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Request to the {self.party} on dispute #{self.dispute_id}"

    @property
    def is_overdue(self) -> bool:
        return self.answered_at is None and timezone.now() >= self.due_at
