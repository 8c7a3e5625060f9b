"""How disputes and complaints read to the people who work them: what each may do now, whose turn
it is and by when (R-DSP-10), the next step in a sentence, and the case's timeline.

``actions`` (from the FSM transitions and their labels), ``steps`` and ``timeline``; every name
is importable from ``arbitration.presentation``. Money, moments, badges and the timeline itself
are ``marketplace.presentation``.
"""

from arbitration.presentation.actions import (
    OTHER_ACTIONS,
    Availability,
    Deadline,
    Turn,
    action_label,
    available_actions,
    case_actions,
    next_deadline,
    role_in,
    whose_turn,
)
from arbitration.presentation.steps import NextStep, dispute_next_step, order_next_step, your_turn_text
from arbitration.presentation.timeline import order_timeline, party_actor, staff_actor

__all__ = [
    "OTHER_ACTIONS",
    "Availability",
    "Deadline",
    "NextStep",
    "Turn",
    "action_label",
    "available_actions",
    "case_actions",
    "dispute_next_step",
    "next_deadline",
    "order_next_step",
    "order_timeline",
    "party_actor",
    "role_in",
    "staff_actor",
    "whose_turn",
    "your_turn_text",
]
