"""Labels of state transitions, declared on the transitions themselves.

A transition's django-fsm ``custom`` holds ``action`` (the button a person presses; a transition
without one is never offered to a person) and ``done`` (what happened, for timelines). The
presentation modules read them through ``transition_label``; no other list of labels exists.

A condition or permission may also say why it refuses (``refuses``: a sentence and the rule);
``refusal`` finds the check that fails and returns its ``Refusal``, so a service's error and a
page's explanation are the same sentence, from the rule that refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin
from django_fsm_log.models import StateLog

from marketplace.batches import insert_rows

# A label: a lazy translation (``gettext_lazy``) or None.
Label = str | Promise | None
# A django-fsm condition or permission.
Check = TypeVar("Check", bound=Callable[..., bool])


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


def record_transitions(
    model: type[models.Model],
    rows: Iterable[tuple[int, str | None]],
    *,
    name: str,
    target: str,
    by: models.Model | None,
    description: str = "",
    at: datetime | None = None,
) -> None:
    """Audit transitions made set-based (a sweep's batch), as django-fsm-log records one made by
    calling the transition: ``rows`` are (primary key, source state) pairs, the source None for
    an event that is not a transition (a case opened) (R-SEC-2)."""
    content_type = ContentType.objects.get_for_model(model)
    at = at or timezone.now()
    insert_rows(
        StateLog,
        (
            {
                "timestamp": at,
                "by_id": by.pk if by is not None else None,
                "source_state": source,
                "state": target,
                "transition": name,
                "content_type_id": content_type.pk,
                "object_id": pk,
                "description": description or None,
            }
            for pk, source in rows
        ),
    )


# --- Why a transition is refused --------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a person may not take a transition now: one sentence for them, and the rule behind it
    (a SPEC id such as ``R-DSP-3``; "" when only the state refuses)."""

    message: str
    rule: str = ""

    def __str__(self) -> str:
        return self.message


# What a condition or permission says when it fails: a sentence, or a function of the instance
# that builds one (a count, a date).
Saying = str | Promise | Callable[[Any], str]


def refuses(saying: Saying, rule: str = "", *, listed: bool = True) -> Callable[[Check], Check]:
    """Declare on a django-fsm condition (``(instance) -> bool``) or permission
    (``(instance, user) -> bool``) what a person is told when it fails, and the rule it enforces.
    ``refusal`` reads it; pages and services show the same sentence. ``listed=False``: said when
    the action is tried, but not listed among what is not possible now (nothing to accept when
    there is no offer)."""

    def mark(check: Check) -> Check:
        check.refusal = (saying, rule)  # type: ignore[attr-defined]
        check.refusal_listed = listed  # type: ignore[attr-defined]
        return check

    return mark


def _said(check: Any, instance: Any) -> Refusal | None:
    marked = getattr(check, "refusal", None)
    if marked is None:
        return None
    saying, rule = marked
    text = saying(instance) if callable(saying) and not isinstance(saying, Promise) else saying
    return Refusal(str(text), rule)


def state_refusal(instance: Any, name: str) -> Refusal:
    """What the state alone says: the model's own ``state_refusal`` when it has one."""
    own = getattr(instance, "state_refusal", None)
    if own is not None:
        refused: Refusal = own(name)
        return refused
    return Refusal(
        str(_("You can't do that now: the case is “%(state)s”. Reload the page to see what you can do."))
        % {"state": instance.get_state_display()}
    )


def refusal(instance: Any, name: str, user: Any) -> Refusal | None:
    """None when ``user`` may take ``instance``'s transition ``name`` now; else why not, from the
    first check that fails, in the order a person understands: the state, who they are
    (permission), then each condition in its declared order. A check with no ``refuses`` sentence
    falls back to what the state says."""
    meta = getattr(getattr(type(instance), name, None), "_django_fsm", None)
    if meta is None:
        raise TypeError(f"{type(instance).__name__}.{name} is not a transition")
    state = meta.field.get_state(instance)
    transition = meta.get_transition(state) if meta.has_transition(state) else None
    if transition is None:
        return state_refusal(instance, name)
    if not transition.has_perm(instance, user):
        return _said(transition.permission, instance) or state_refusal(instance, name)
    for condition in transition.conditions:
        if not condition(instance):
            return _said(condition, instance) or state_refusal(instance, name)
    return None


def refused_by_conditions(instance: Any, user: Any) -> dict[str, Refusal]:
    """The transitions a person would be offered in this state, and is by who they are, but a
    condition with a sentence refuses now (the 5th amendment, an early escalation): shown on the
    page instead of a button that silently is not there."""
    refused = {}
    for field in instance._meta.fields:
        if not isinstance(field, FSMFieldMixin):
            continue
        state = field.get_state(instance)
        for method in field.transitions.get(type(instance), {}).values():
            meta = method._django_fsm
            transition = meta.get_transition(state) if meta.has_transition(state) else None
            if (
                transition is None
                or transition.custom.get("action") is None
                or not transition.has_perm(instance, user)
            ):
                continue
            failed = next((c for c in transition.conditions if not c(instance)), None)
            why = _said(failed, instance) if getattr(failed, "refusal_listed", False) else None
            if why is not None:
                refused[transition.name] = why
    return refused
