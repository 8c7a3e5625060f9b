"""The next thing a buyer or seller should do, in one sentence, said to them (R-DSP-10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from arbitration.models import Dispute
from arbitration.presentation.actions import Availability, whose_turn
from marketplace.models import Order, Refund
from marketplace.presentation import format_money, format_when, refund_status


@dataclass(frozen=True)
class NextStep:
    text: str
    yours: bool = False  # the reader must act
    deadline: datetime | None = None


def dispute_next_step(dispute: Dispute, role: str, availability: Availability | None = None) -> NextStep:
    """Whose turn and by when (R-DSP-10), said to the reader ("you") when it is theirs."""
    turn = availability.turn if availability is not None else None
    if turn is None:
        requests = getattr(dispute, "open_requests", None)  # prefetched by the lists
        turn = whose_turn(dispute, requests)
    deadline = dispute.deadline_at if not dispute.is_closed else None
    if turn.who == role:
        return NextStep(your_turn_text(dispute, role, str(turn.what)), yours=True, deadline=deadline)
    return NextStep(str(turn.what), deadline=deadline)


def your_turn_text(dispute: Dispute, role: str, fallback: str) -> str:
    """The turn of ``whose_turn``, in the second person."""
    S = Dispute.State
    if dispute.state == S.OPEN and role == "seller":
        return _("Answer the claim: accept it, make an offer, or reject it with an explanation.")
    if dispute.state == S.OPEN and role == "buyer":
        if dispute.has_pending_offer():
            return _("Accept or decline the seller's offer.")
        return _("You may escalate to arbitration now, or wait for a new offer.")
    if dispute.state == S.UNDER_REVIEW:
        return _("The arbiter asked you for information: answer on the dispute page.")
    if dispute.state == S.AWAITING_RETURN:
        return _("Ship the item back and enter the tracking number.")
    if dispute.state == S.RETURN_IN_TRANSIT:
        return _("Confirm the return arrived, or report a problem with it.")
    return fallback


def order_next_step(
    order: Order,
    role: str,
    dispute: Dispute | None = None,
    *,
    pending_days: int | None,
    unpaid_refund: Refund | None,
) -> NextStep:
    """The next thing the reader should do with the order, in one sentence.

    ``pending_days``: the days of an extension request waiting for the seller (None: none);
    ``unpaid_refund``: a refund of the order that is not paid yet (said as the refund page says it).
    """
    S = Order.State
    if dispute is not None and not dispute.is_closed:
        return dispute_next_step(dispute, role)
    if order.state == S.PAID:
        return NextStep(_("Waiting for the seller to ship the order."))
    if order.state in Order.PROTECTED_STATES and order.is_protected:
        if role == "seller":
            if pending_days:
                return NextStep(
                    _("The buyer asks for %(days)s more days of protection: grant or decline.")
                    % {"days": pending_days},
                    yours=True,
                    deadline=order.protection_deadline,
                )
            return NextStep(
                _("Waiting for the buyer to confirm receipt."), deadline=order.protection_deadline
            )
        if pending_days:
            return NextStep(
                _("Waiting for the seller to answer your request for %(days)s more days.")
                % {"days": pending_days},
                deadline=order.protection_deadline,
            )
        if order.state == S.DELIVERED:
            text = _("Delivered: check the item, then confirm receipt or open a dispute.")
        else:
            text = _(
                "When the parcel arrives, confirm receipt. If it is late, ask for more protection time; "
                "if something is wrong, open a dispute."
            )
        return NextStep(text, yours=True, deadline=order.protection_deadline)
    if order.state == S.CONFIRMED and order.dispute_window_open:
        if role == "buyer":
            return NextStep(
                _("You confirmed receipt. You can still open a dispute until the deadline."),
                deadline=order.dispute_deadline,
            )
        return NextStep(
            _("The payment is released to you after the dispute deadline."), deadline=order.dispute_deadline
        )
    if unpaid_refund is not None and role == "buyer":
        return NextStep(
            _("Refund of %(amount)s: %(status)s")
            % {
                "amount": format_money(unpaid_refund.amount, unpaid_refund.currency),
                "status": refund_status(unpaid_refund),
            }
        )
    if order.state in Order.PROTECTED_STATES:
        # Protection ended, and the job that confirms the order and releases the payment has not
        # run yet (it runs every few minutes): the pending state, not "nothing to do".
        if role == "buyer":
            return NextStep(
                _(
                    "Your protection ended on %(date)s; the order is being confirmed and the payment "
                    "released to the seller. You can still report an unsafe product."
                )
                % {"date": format_when(order.protection_deadline)}
            )
        return NextStep(
            _("The buyer's protection ended on %(date)s; the payment is being released to you.")
            % {"date": format_when(order.protection_deadline)}
        )
    if role == "buyer":
        # What is still possible after the window (R-SAF-1) and after a dispute (R-CMP-1).
        if dispute is not None:
            return NextStep(
                _(
                    "The dispute is closed. If the agreed refund has not arrived or the seller broke an "
                    "agreement, you can file a complaint; an unsafe product can be reported at any time."
                )
            )
        if order.dispute_deadline is not None:
            return NextStep(
                _(
                    "The time to open a dispute ended on %(date)s. You can still report an unsafe "
                    "product at any time."
                )
                % {"date": format_when(order.dispute_deadline)}
            )
    return NextStep(_("Nothing to do."))
