"""What a solicitation pattern detects (R-DSP-8): the intent it belongs to.

A message is flagged when a pattern of a *flagging* intent matches it and no ``exempt`` pattern
covers that match. ``exempt`` patterns describe what only *names* a channel or the dispute
without asking for anything: a refusal ("we can't pay by PayPal", "мы не пользуемся ватсапом"),
a warning about others ("some sellers ask you to pay on WhatsApp"), the way the buyer paid, the
platform's own refund route ("the refund goes back to your card"). They never flag anything.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Intent(TextChoices):
    CLOSE = "close", _("Asks to close, withdraw or cancel the dispute")
    OFF_PLATFORM = "off-platform", _("Moves the conversation or the money off the platform")
    BENEFIT = "benefit", _("Offers something on condition that the dispute is closed")
    EXEMPT = "exempt", _("Not a solicitation: a refusal, a warning or the platform's own payment route")


FLAGGING_INTENTS = frozenset({Intent.CLOSE, Intent.OFF_PLATFORM, Intent.BENEFIT})
