"""Texts the platform writes into a case, shown in the reader's language (issue 14).

A message or complaint the platform writes itself (the claim's evidence, a complaint opened
because a refund is overdue) is stored as a record in English, and shown here from what it
records, in the language and date format of whoever reads it: a Russian seller never reads the
English a buyer's browser or the scheduler happened to write.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from arbitration.models import Complaint, Message
from arbitration.solicitation.classifier import CLASSIFIER
from arbitration.solicitation.intents import Intent
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


def seller_flag_warning(message: Message) -> str:
    """What a seller is told about their own flagged message (R-DSP-8): that it was flagged, why
    (the kind of request and the words), and what follows from it."""
    reasons = []
    for flag in message.solicitation_patterns or []:
        if isinstance(flag, Mapping):
            intent = flag.get("intent")
            if intent == CLASSIFIER:
                label = _("Reads like a request to close the dispute or to leave the platform")
            else:
                label = str(Intent(intent).label) if intent in Intent.values else _("Matched")
            reasons.append(
                _("%(intent)s: “%(matched)s”") % {"intent": label, "matched": flag.get("matched", "")}
            )
    text = _(
        "This message was flagged: it asks the buyer to close the dispute, or offers money or a discount "
        "outside the platform. The buyer sees a warning beside it, the arbiters see it, and it counts on "
        "your seller record."
    )
    if reasons:
        text += " " + _("Why: %(reasons)s.") % {"reasons": "; ".join(reasons)}
    return str(text)
