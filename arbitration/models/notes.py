"""What staff keep for themselves about a case (issue 14): internal notes and reply templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arbitration.models.staff import StaffEdited


class CaseNote(models.Model):
    """A staff-only note on a dispute (R-ARB-3): what arbiters tell each other and never the
    parties. Kept like the thread's messages: never edited, never deleted (the database refuses
    too, migration 0014); a correction is a new note."""

    dispute = models.ForeignKey("arbitration.Dispute", models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dispute", "created_at"], name="casenote_dispute_idx")]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"Note on dispute #{self.dispute_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Notes are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Notes are never deleted.")


class ReplyTemplate(StaffEdited):
    """A ready answer an arbiter starts a thread message from, in both languages; supervisors
    edit them (``arbitration.change_replytemplate``), arbiters use them."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    body_en = models.TextField(_("text in English"))
    body_ru = models.TextField(_("text in Russian"))
    is_active = models.BooleanField(_("offered to arbiters"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title
