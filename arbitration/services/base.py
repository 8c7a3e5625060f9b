"""What every arbitration service shares: the dispute's row lock, the one refusal check
(``_allow``: the transition must be allowed for this user now, the same check
``arbitration.presentation.available_actions`` offers buttons from), texts and the refund bounds.

``CLOSED_HINT`` (R-DSP-1) lives with the dispute's other refusals on the model."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from arbitration.models import (
    Complaint,
    Dispute,
    SafetyReport,
)
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.fsm import refusal
from marketplace.models import User
from marketplace.text import without_bidi_controls

# A case arbiters decide: a dispute in arbitration or a complaint (R-ARB-1, R-CMP-1).
Case = TypeVar("Case", Dispute, Complaint)


def _lock_dispute(dispute_id: int) -> Dispute:
    # Locks the dispute row; the money services lock the order and escrow after it.
    return Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute_id)


def _allow(case: Dispute | Complaint | SafetyReport, transition: str, actor: User) -> None:
    """Refuse unless ``transition`` is allowed for ``actor`` now (state, permission, conditions),
    with the sentence and the rule of the check that failed (``marketplace.fsm.refusal``): the
    same one the pages show when they don't offer the action."""
    why = refusal(case, transition, actor)
    if why is not None:
        raise DomainError(why.message, code=why.rule or None)


def _when(moment: datetime) -> str:
    """A date and time in the reader's language and format (messages are shown to people)."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# The one bound on free text, for parties and staff alike (issue 13: an arbiter's 1 MB question
# was stored, emailed and made a 3.2 MB buyer page). A text is what a person reads in one go: a
# description, message, question, rationale or explanation; a note is a short addition (an
# offer's note, a reason for declining or for a penalty). The forms show the same limits.
TEXT_MAX_CHARS = 5000
NOTE_MAX_CHARS = 2000


def _bounded(value: str | None, *, limit: int = TEXT_MAX_CHARS) -> str:
    """``value`` stripped and without bidirectional controls (``marketplace.text``), or a refusal
    when it is longer than ``limit`` characters."""
    value = without_bidi_controls(value or "").strip()
    if len(value) > limit:
        raise DomainError(
            _("The text is %(length)s characters long; the limit is %(limit)s. Shorten it and send it again.")
            % {"length": len(value), "limit": limit}
        )
    return value


def _text(value: str, message: str, *, limit: int = TEXT_MAX_CHARS) -> str:
    """A required free text: ``message`` when it is empty, refused when longer than ``limit``."""
    value = _bounded(value, limit=limit)
    if not value:
        raise DomainError(message)
    return value


def refund_within(
    value: money.Amount | None, *, ceiling: Decimal, refusal: str, whole_allowed: bool = False
) -> Decimal:
    """The one check of a refund's bounds: more than 0 and less than ``ceiling`` (a partial refund),
    or up to all of it when ``whole_allowed`` (the refund after a return). ``refusal`` says why in
    the words of the form that asked."""
    amount = money.to_money(value if value not in (None, "") else "0")
    if not (Decimal("0") < amount < ceiling or (whole_allowed and amount == ceiling)):
        raise DomainError(refusal)
    return amount


def _log_event(
    case: Dispute | Complaint | SafetyReport, *, name: str, actor: User, description: str = ""
) -> None:
    """Audit an event that is not a transition (opening a case) in the same log as transitions."""
    StateLog.objects.create(
        content_object=case,
        source_state=None,
        state=case.state,
        transition=name,
        by=actor,
        description=description[:500] or None,
    )
