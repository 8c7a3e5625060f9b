"""What every arbitration case shares: who may act on it, and its arbitration lifecycle.

A case is a dispute in arbitration or a complaint after closure (R-ARB-1, R-CMP-1). Both are
taken by an arbiter (theirs until decided or released), released, reassigned by a supervisor
and decided — one definition, here. ``case_lifecycle()`` builds those four transitions for a
model from its own states, so each model gets its own transition functions (django-fsm keeps
a transition's metadata on the function object) from one source.

Every transition carries its labels in ``custom`` (``marketplace.fsm.labels``): ``action``, the
button a person presses (none: never offered to a person, e.g. the scheduler's), and ``done``,
what happened, for timelines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.fsm import Refusal, labels, refuses
from marketplace.models.choices import ChoiceLabels

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_fsm import Transition

    from marketplace.models import User

# --- Who may act (django-fsm ``permission`` callables: (case, user) -> bool) ---------------------


@refuses(_("Only the buyer can do that."))
def is_buyer(case, user) -> bool:
    return user.pk is not None and user.pk == case.buyer_id


@refuses(_("Only the seller can do that."))
def is_seller(case, user) -> bool:
    return user.pk is not None and user.pk == case.seller_id


def is_arbiter(case, user) -> bool:
    return user.is_active and user.has_perm("arbitration.arbitrate")


def is_holding_arbiter(case, user) -> bool:
    """The arbiter who took the case: two arbiters never hold or decide one case (R-ARB-1)."""
    return is_arbiter(case, user) and case.assigned_arbiter_id == user.pk


def is_supervisor(case, user) -> bool:
    return user.is_active and user.has_perm("arbitration.supervise")


def is_holding_arbiter_or_supervisor(case, user) -> bool:
    return is_holding_arbiter(case, user) or is_supervisor(case, user)


@refuses(_("Only the scheduler does that, when the time runs out."))
def is_scheduler(case, user) -> bool:
    return bool(getattr(user, "is_system", False))


class ArbitrationCase(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """An abstract case that arbiters take, release, reassign and decide (R-ARB-1, R-ARB-2).

    ``ConcurrentTransitionMixin`` refuses to save a state someone else changed meanwhile (a
    second line of defence behind the services' row locks); it includes ``FSMModelMixin``, so
    ``refresh_from_db()`` reloads the protected state field.
    """

    assigned_arbiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="assigned_%(class)ss"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    # Events recorded in the transition log that are not transitions (e.g. opening the case).
    EVENT_LABELS: dict[str, object] = {}

    class Meta:
        abstract = True

    def state_refusal(self, transition: str) -> Refusal:
        """What the state alone says to a person refused ``transition`` (``marketplace.fsm.refusal``)."""
        return Refusal(
            _("You can't do that now: the case is “%(state)s”. Reload the page to see what you can do.")
            % {"state": self.get_state_display()}  # type: ignore[attr-defined]  # each case model's FSMField
        )

    def is_held_by(self, user: object) -> bool:
        """Whether ``user`` is the arbiter holding the case (R-ARB-1)."""
        return self.assigned_arbiter_id is not None and self.assigned_arbiter_id == getattr(user, "pk", None)

    if TYPE_CHECKING:
        # Added to each case model by its FSMField ``state`` when the class is built.
        def get_available_user_state_transitions(
            self, user: User | AnonymousUser
        ) -> Iterator[Transition]: ...


def case_lifecycle(*, queued, reviewing, decided) -> tuple:
    """take / release / reassign / decide for a case waiting in ``queued``, reviewed in
    ``reviewing`` and decided into ``decided`` (a state, or a ``RETURN_VALUE``: ``decide``
    returns ``self.state_after_decision(needs_return)``)."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field="state",
        source=queued,
        target=reviewing,
        permission=is_arbiter,
        custom=labels(_("Take the case"), _("Case taken")),
    )
    def take(self, by=None, description=None) -> None:
        """The case is the arbiter's until decided or released (R-ARB-1)."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field="state",
        source=reviewing,
        target=queued,
        permission=is_holding_arbiter_or_supervisor,
        custom=labels(_("Release the case"), _("Case released")),
    )
    def release(self, by=None, description=None) -> None:
        """Back to the queue for another arbiter."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field="state",
        source=[queued, reviewing],
        target=reviewing,
        permission=is_supervisor,
        custom=labels(_("Reassign the case"), _("Case reassigned")),
    )
    def reassign(self, by=None, description=None) -> None:
        """A supervisor gives the case to another arbiter."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field="state",
        source=reviewing,
        target=decided,
        permission=is_holding_arbiter,
        custom=labels(_("Decide"), _("Decided")),
    )
    def decide(self, by=None, description=None, needs_return: bool = False):
        """Only the holding arbiter decides; a decision is final (R-ARB-2)."""
        return self.state_after_decision(needs_return)

    return take, release, reassign, decide
