"""Texts the platform writes into a case, shown in the reader's language (issue 14).

A message or complaint the platform writes itself (the claim's evidence, a complaint opened
because a refund is overdue) is stored as a record in English, and shown here from what it
records, in the language and date format of whoever reads it: a Russian seller never reads the
English a buyer's browser or the scheduler happened to write.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from arbitration.models import Complaint, Message
from marketplace.presentation import format_money, format_when

# What the platform writes, by source text: stored in English, shown translated.
PLATFORM_BODIES = {Message.CLAIM_EVIDENCE}


def message_text(message: Message) -> str:
    """A message's body; the platform's own in the reader's language."""
    if message.body in PLATFORM_BODIES:
        return _(message.body)
    return message.body


def complaint_text(complaint: Complaint) -> str:
    """A complaint's description; one opened automatically for an overdue refund (R-REF-4) is
    said from its refund, with the amount and the date in the reader's format."""
    refund = complaint.refund
    if complaint.kind == Complaint.Kind.REFUND_OVERDUE and refund is not None:
        return _("The refund of %(amount)s was due by %(due)s and has not been paid.") % {
            "amount": format_money(refund.amount, refund.currency),
            "due": format_when(refund.due_at),
        }
    return complaint.description
