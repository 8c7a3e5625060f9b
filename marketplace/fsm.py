"""Labels of state transitions, declared on the transitions themselves.

A transition's django-fsm ``custom`` holds ``action`` (the button a person presses; a transition
without one is never offered to a person) and ``done`` (what happened, for timelines). The
presentation modules read them through ``transition_label``; no other list of labels exists.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.functional import Promise

# A label: a lazy translation (``gettext_lazy``) or None.
Label = str | Promise | None


def labels(action: Label = None, done: Label = None) -> dict[str, Label]:
    """A transition's ``custom``: its button label (None: never offered) and its past tense."""
    return {"action": action, "done": done}


def _transition_custom(model: type[models.Model], name: str) -> dict[str, Any]:
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return {}
    for transition in meta.transitions.values():
        custom: dict[str, Any] = transition.custom
        return custom
    return {}


def transition_label(model: type[models.Model], name: str, key: str = "done") -> str:
    """The ``done`` (or ``action``) label of ``model``'s transition ``name``; for events logged
    beside transitions (opening a case), the model's ``EVENT_LABELS``; else the name itself."""
    label = _transition_custom(model, name).get(key)
    if label is None and key == "done":
        label = getattr(model, "EVENT_LABELS", {}).get(name)
    return str(label) if label is not None else name.replace("_", " ").capitalize()


def offered_to_people(model: type[models.Model], name: str) -> bool:
    """Whether a person may be offered the transition (the scheduler's have no action label)."""
    return _transition_custom(model, name).get("action") is not None
