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


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
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
