"""Labels of state transitions, declared on the transitions themselves.

A transition's django-fsm ``custom`` holds ``action`` (the button a person presses; a transition
without one is never offered to a person) and ``done`` (what happened, for timelines). The
presentation modules read them through ``transition_label``; no other list of labels exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_fsm_log.models import StateLog


def labels(action=None, done=None) -> dict:
    """A transition's ``custom``: its button label (None: never offered) and its past tense."""
    return {"action": action, "done": done}


def _transition_custom(model: type[models.Model], name: str) -> dict:
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return {}
    for transition in meta.transitions.values():
        return transition.custom
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


def record_transitions(
    model: type[models.Model],
    rows: Iterable[tuple[int, str]],
    *,
    name: str,
    target: str,
    by,
    description: str = "",
    at: datetime | None = None,
) -> None:
    """Audit transitions made set-based (a sweep's batch), as django-fsm-log records one made by
    calling the transition: ``rows`` are (primary key, source state) pairs (R-SEC-2)."""
    content_type = ContentType.objects.get_for_model(model)
    at = at or timezone.now()
    StateLog.objects.bulk_create(
        StateLog(
            timestamp=at,
            by=by,
            source_state=source,
            state=target,
            transition=name,
            content_type=content_type,
            object_id=pk,
            description=description or None,
        )
        for pk, source in rows
    )
