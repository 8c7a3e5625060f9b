"""What a user may do on a dispute now, whose turn it is and by when (R-DSP-10).

The actions are exactly the dispute's FSM transitions whose state, conditions and
permission allow this user, plus writing in the thread and filing a complaint. Pages and
the admin render their buttons from this, and the services check the same transitions, so
what is offered is what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arbitration.models import CLOSED_HINT, Complaint, Dispute, InformationRequest, is_arbiter
from arbitration.selectors import message_role
from marketplace.actors import party_of
from marketplace.fsm import Refusal, offered_to_people, refusal, refused_by_conditions, transition_label
from marketplace.models import User

# What a person may do besides the dispute's transitions.
OTHER_ACTIONS = {
    "message": _("Write a message or add evidence"),
    "file_complaint": _("File a complaint"),
}


def action_label(name: str) -> str:
    """The button label of an action: the transition's own ``action`` label, or one above."""
    if name in OTHER_ACTIONS:
        return str(OTHER_ACTIONS[name])
    return transition_label(Dispute, name, key="action")


@dataclass(frozen=True)
class Turn:
    who: str  # buyer, seller, arbitration, nobody
    what: str | Promise


@dataclass(frozen=True)
class Deadline:
    at: datetime
    consequence: str | Promise


@dataclass
class Availability:
    role: str | None
    actions: list[str] = field(default_factory=list)
    turn: Turn | None = None
    deadline: Deadline | None = None
    open_requests: list[InformationRequest] = field(default_factory=list)
    # Actions this reader would be offered in this state but a rule refuses now, with its sentence
    # (the 5th amendment, an early escalation): the page says why instead of hiding the button.
    refused: dict[str, Refusal] = field(default_factory=dict)
    dispute: Dispute | None = field(default=None, repr=False)
    user: User | AnonymousUser | None = field(default=None, repr=False)

    def __contains__(self, action: str) -> bool:
        return action in self.actions

    def why_not(self, action: str) -> Refusal:
        """Why ``action`` is not offered to this reader now: the sentence and rule of the check that
        failed, the same one the service would refuse with (``marketplace.fsm.refusal``)."""
        assert self.dispute is not None and self.user is not None
        return why_not(self.dispute, action, self.user)

    @property
    def labelled(self) -> list[tuple[str, str]]:
        return [(name, action_label(name)) for name in self.actions]

    @property
    def refused_labelled(self) -> list[tuple[str, str, Refusal]]:
        return [(name, action_label(name), why) for name, why in self.refused.items()]


def role_in(case: Dispute | Complaint, user: User | AnonymousUser) -> str | None:
    """The role of ``user`` in a dispute or complaint: buyer, seller, arbiter, or None."""
    party = party_of(case, user)
    if party is not None:
        return party
    return "arbiter" if is_arbiter(case, user) else None


def case_actions(case: Dispute | Complaint, user: User | AnonymousUser) -> list[str]:
    """The transitions of a dispute or complaint that ``user`` may take now and may be offered
    (state, conditions, permission; never the scheduler's)."""
    if not user.is_authenticated or getattr(user, "is_system", False):
        return []
    model = type(case)
    return [
        t.name for t in case.get_available_user_state_transitions(user) if offered_to_people(model, t.name)
    ]


def available_actions(
    dispute: Dispute,
    user: User | AnonymousUser,
    *,
    information_requests: list[InformationRequest] | None = None,
) -> Availability:
    """What ``user`` may do with ``dispute`` now, whose turn it is and the next deadline (R-DSP-10).
    ``information_requests``: all the dispute's requests, when the caller has them already."""
    availability = Availability(role=role_in(dispute, user), dispute=dispute, user=user)
    if user.is_authenticated and not getattr(user, "is_system", False):
        availability.actions = case_actions(dispute, user)
        if availability.role in ("buyer", "seller"):
            availability.refused = refused_by_conditions(dispute, user)
        if message_role(dispute, user) is not None:
            availability.actions.append("message")
        if (
            dispute.is_closed
            and user.pk == dispute.buyer_id
            and not dispute.complaints.exclude(state=Complaint.State.DECIDED).exists()
        ):
            availability.actions.append("file_complaint")
    availability.open_requests = (
        [r for r in information_requests if r.answered_at is None]
        if information_requests is not None
        else list(dispute.information_requests.filter(answered_at__isnull=True))
    )
    availability.turn = whose_turn(dispute, availability.open_requests)
    availability.deadline = next_deadline(dispute)
    return availability


def why_not(dispute: Dispute, action: str, user: User | AnonymousUser) -> Refusal:
    """Why ``user`` may not take ``action`` on ``dispute`` now: a transition's failed check
    (``marketplace.fsm.refusal``), or why writing or a complaint is not open to them."""
    if action == "message":
        if dispute.is_closed:
            return Refusal(str(CLOSED_HINT), rule="R-DSP-1")
        return Refusal(
            gettext("Only the buyer, the seller and the arbiter holding the case write here."), "R-DSP-7"
        )
    if action == "file_complaint":
        if user.pk != dispute.buyer_id:
            return Refusal(gettext("Only the buyer can file a complaint."), "R-CMP-1")
        if not dispute.is_closed:
            return Refusal(
                gettext(
                    "A complaint is for a closed dispute; while it is open, say what is wrong in the dispute."
                ),
                "R-CMP-1",
            )
        return Refusal(
            gettext("Your complaint is with arbitration; you can file another once it is decided."), "R-CMP-1"
        )
    return refusal(dispute, action, user) or Refusal(
        gettext("That is not offered here. The dispute page shows what you can do.")
    )


def whose_turn(dispute: Dispute, open_requests: list[InformationRequest] | None = None) -> Turn:
    state = dispute.state
    S = Dispute.State
    if state == S.OPEN:
        if dispute.has_pending_offer():
            return Turn("buyer", _("The buyer accepts or declines the seller's offer."))
        if dispute.seller_rejected_at is None and not dispute.has_offers():
            return Turn("seller", _("The seller answers: accept the claim, make an offer, or reject it."))
        return Turn("buyer", _("The buyer may escalate to arbitration now, or wait for a new offer."))
    if state == S.ESCALATED:
        return Turn("arbitration", _("An arbiter will take the case."))
    if state == S.UNDER_REVIEW:
        requests = (
            open_requests
            if open_requests is not None
            else list(dispute.information_requests.filter(answered_at__isnull=True))
        )
        if requests:
            return Turn(
                requests[0].party,
                _("The arbiter asked the %(party)s for information.")
                % {"party": requests[0].get_party_display().lower()},
            )
        return Turn("arbitration", _("The arbiter is reviewing the case."))
    if state == S.AWAITING_RETURN:
        return Turn("buyer", _("The buyer ships the item back and enters the tracking number."))
    if state == S.RETURN_IN_TRANSIT:
        return Turn("seller", _("The seller confirms the return arrived, or reports a problem with it."))
    return Turn("nobody", _("The dispute is closed."))


CONSEQUENCES = {
    Dispute.State.OPEN: _("If there is no agreement by then, the dispute goes to arbitration automatically."),
    Dispute.State.ESCALATED: _("The decision is due by then; after it the case is marked overdue."),
    Dispute.State.UNDER_REVIEW: _("The decision is due by then; after it the case is marked overdue."),
    Dispute.State.AWAITING_RETURN: _(
        "If the return is not shipped by then, the dispute closes and the payment goes to the seller."
    ),
    Dispute.State.RETURN_IN_TRANSIT: _(
        "If the seller neither confirms the return nor reports a problem by then, the buyer is refunded "
        "automatically."
    ),
}


def next_deadline(dispute: Dispute) -> Deadline | None:
    if dispute.deadline_at is None or dispute.state not in CONSEQUENCES:
        return None
    return Deadline(at=dispute.deadline_at, consequence=CONSEQUENCES[dispute.state])
