"""The history of an order and its dispute as a buyer, a seller or an arbiter reads it.

One timeline (``marketplace.presentation.timeline``); only the way people are named differs:
parties read roles ("you", "the seller", "automatically"), staff read names (``staff_actor``).
"""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Model
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from arbitration.models import Dispute
from marketplace.actors import party_of
from marketplace.models import Order, User
from marketplace.presentation import Actor, TimelineEntry, staff_actor, timeline

# The timeline entries that come from the transition log (``kind``: the model's name).
TRANSITION_KINDS = {"order", "dispute", "complaint", "refund", "safetyreport"}


def party_actor(order: Order, viewer: User) -> Actor:
    """How a buyer or seller reads who acted: "you", "the buyer", "the seller", "automatically"."""

    def name(user: User | None) -> str:
        if user is None:
            return ""
        if user.pk == viewer.pk:
            return _("you")
        party = party_of(order, user)
        if party is not None:
            return _("the buyer") if party == "buyer" else _("the seller")
        if user.is_system:
            return _("automatically")
        return _("arbitration")

    return name


def order_timeline(
    order: Order, viewer: User, *, dispute: Dispute | None, only_dispute: bool = False
) -> list[TimelineEntry]:
    """Every step of the order (or only of its dispute), oldest first, as a party reads it."""
    objects: list[Model] = [] if only_dispute else [order, *order.refunds.all()]
    if dispute is not None:
        # Complaints are filed only after closure (R-CMP-1): an open dispute has none to look up.
        objects += [dispute, *(dispute.complaints.all() if dispute.is_closed else [])]

    def skip(log: StateLog) -> bool:
        # The dispute's own "opened" says the escrow was frozen for it.
        return dispute is not None and log.transition == "freeze_for_dispute"

    entries = timeline(
        *objects, actor=party_actor(order, viewer), order=None if only_dispute else order, skip=skip
    )
    # A transition's description is the audit's note for staff, in English ("Offer: Partial refund
    # 1000.00"); parties read what happened from the labels and the page, in their language.
    return [replace(entry, detail="") if entry.kind in TRANSITION_KINDS else entry for entry in entries]


__all__ = ["order_timeline", "party_actor", "staff_actor"]
