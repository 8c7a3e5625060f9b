"""One scenario per event type: a case brought to the moment before the change, and the change.

``SCENARIOS[type](people)`` builds the case through the real services (events emitted meanwhile
are not counted) and returns ``act``: the one service call that makes the change, returning the
object the event is about. Times are fixed with ``at`` so every deadline is the services' own.
"""

from __future__ import annotations

from collections.abc import Callable

from arbitration import services
from arbitration.models import Complaint, SafetyReport
from marketplace import services as money
from marketplace.models import ExtensionRequest, LedgerEntry, Order, Refund, TrackingEvent
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    SECOND,
    START,
    at,
    awaiting_return,
    closed_by_seller,
    decline,
    escalate_overdue,
    fresh,
    offer,
    open_dispute,
    png,
    reject,
    report_return_problem,
    return_in_transit,
    seller_accepts,
    ship_return,
    shipped,
    take,
    under_review,
)
from tests.marketplace.factories import paid_order

Act = Callable[[], object]
SCENARIOS: dict[str, Callable[..., Act]] = {}


def scenario(event_type: str):
    def register(make: Callable[..., Act]) -> Callable[..., Act]:
        SCENARIOS[event_type] = make
        return make

    return register


# --- Orders, protection, escrow -----------------------------------------------------------------


@scenario("order.escrow_held")
def _(people):
    return lambda: paid_order(buyer=people.buyer, seller=people.seller)


@scenario("order.shipped")
def _(people):
    order = paid_order(buyer=people.buyer, seller=people.seller)

    def act():
        with at(START + HOUR):
            return money.order_ship(order=order, actor=people.seller, carrier="DHL", tracking_number="JD01")

    return act


@scenario("order.delivered")
def _(people):
    order = shipped(people)

    def act():
        with at(START + 9 * DAY):
            money.tracking_event_record(
                order=order, actor=people.seller, status=TrackingEvent.Status.DELIVERED
            )
        return fresh(order)

    return act


@scenario("order.receipt_confirmed")
def _(people):
    order = shipped(people)

    def act():
        with at(START + 10 * DAY):
            return money.order_confirm_receipt(order=order, actor=people.buyer)

    return act


def _asked_for_days(people, order: Order, *, when) -> ExtensionRequest:
    with at(when):
        return money.extension_request_create(
            order=order, actor=people.buyer, days=10, reason="Still in transit at customs."
        )


@scenario("order.extension_requested")
def _(people):
    order = shipped(people)

    def act():
        _asked_for_days(people, order, when=START + 50 * DAY)
        return fresh(order)

    return act


@scenario("order.extension_declined")
def _(people):
    order = shipped(people)
    request = _asked_for_days(people, order, when=START + 50 * DAY)

    def act():
        with at(START + 51 * DAY):
            money.extension_decline(request=request, actor=people.seller, reason="It was delivered.")
        return fresh(order)

    return act


@scenario("order.protection_extended")
def _(people):
    order = shipped(people)
    request = _asked_for_days(people, order, when=START + 50 * DAY)

    def act():
        with at(START + 51 * DAY):
            money.extension_grant(request=request, actor=people.seller)
        return fresh(order)

    return act


@scenario("order.extension_lapsed")
def _(people):
    """The one automatic extension is used; a second unanswered request lapses (R-PRT-4)."""
    order = shipped(people)
    _asked_for_days(people, order, when=START + 50 * DAY)
    with at(fresh(order).protection_deadline + SECOND):
        assert money.extension_auto_grant(order=order, actor=people.scheduler)
    order = fresh(order)
    _asked_for_days(people, order, when=order.protection_deadline - DAY)

    def act():
        with at(order.protection_deadline + SECOND):
            assert not money.extension_auto_grant(order=order, actor=people.scheduler)
        return fresh(order)

    return act


@scenario("order.protection_ending")
def _(people):
    order = shipped(people)

    def act():
        with at(order.protection_deadline - 2 * DAY):
            assert money.protection_remind(order=order)
        return fresh(order)

    return act


@scenario("order.escrow_frozen")
def _(people):
    order = shipped(people)

    def act():
        open_dispute(people, order=order)
        return fresh(order)

    return act


@scenario("order.escrow_released")
def _(people):
    order = shipped(people)

    def act():
        with at(order.dispute_deadline + SECOND):
            assert money.order_release_if_due(order=order, actor=people.scheduler)
        return fresh(order)

    return act


# --- Refunds and penalties -------------------------------------------------------------------------


def _refund(people) -> Refund:
    return fresh(closed_by_seller(people)).refund


def _sent_by_finance(people) -> Refund:
    refund = _refund(people)
    with at(refund.created_at + HOUR):
        return money.refund_mark_sent(refund=refund, actor=people.finance, reference="BANK-1")


@scenario("refund.created")
def _(people):
    dispute = open_dispute(people)

    def act():
        return fresh(seller_accepts(people, dispute)).refund

    return act


@scenario("refund.sent")
def _(people):
    refund = _refund(people)

    def act():
        with at(refund.created_at + HOUR):
            return money.refund_send(refund=refund, actor=people.scheduler)

    return act


@scenario("refund.completed")
def _(people):
    refund = _sent_by_finance(people)

    def act():
        with at(refund.sent_at + DAY):
            return money.refund_mark_completed(refund=refund, actor=people.finance)

    return act


@scenario("refund.failed")
def _(people):
    refund = _sent_by_finance(people)

    def act():
        with at(refund.sent_at + DAY):
            return money.refund_mark_failed(refund=refund, actor=people.finance, reason="Card closed")

    return act


@scenario("refund.retried")
def _(people):
    refund = _sent_by_finance(people)
    with at(refund.sent_at + DAY):
        refund = money.refund_mark_failed(refund=refund, actor=people.finance, reason="Card closed")

    def act():
        with at(refund.failed_at + HOUR):
            return money.refund_retry(refund=refund, actor=people.finance, destination="Mir •••• 1111")

    return act


@scenario("refund.overdue")
def _(people):
    refund = _refund(people)

    def act():
        with at(refund.due_at + SECOND):
            assert money.refund_flag_overdue(refund=refund, actor=people.scheduler)
        return fresh(refund)

    return act


@scenario("penalty.applied")
def _(people):
    dispute = under_review(people)

    def act():
        with at(fresh(dispute).assigned_at + HOUR):
            services.dispute_decide(
                dispute=dispute,
                actor=people.arbiter,
                outcome="full_refund",
                rationale="The seller sent a brick.",
                penalty_amount="15.00",
                penalty_reason="Sent a brick instead of the item.",
            )
        return LedgerEntry.objects.get(order_id=dispute.order_id, kind=LedgerEntry.Kind.PENALTY)

    return act


# --- Disputes and arbitration -------------------------------------------------------------------


@scenario("dispute.opened")
def _(people):
    order = shipped(people)
    return lambda: open_dispute(people, order=order)


@scenario("dispute.amended")
def _(people):
    dispute = open_dispute(people)

    def act():
        with at(dispute.opened_at + HOUR):
            return services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="partial_refund",
                requested_amount="40.00",
                description="It came, but broken.",
            )

    return act


@scenario("dispute.answered")
def _(people):
    dispute = open_dispute(people)
    return lambda: reject(people, dispute)


@scenario("dispute.offer_made")
def _(people):
    dispute = open_dispute(people)

    def act():
        offer(people, dispute)
        return fresh(dispute)

    return act


@scenario("dispute.offer_answered")
def _(people):
    dispute = open_dispute(people)
    offer(people, dispute)
    return lambda: decline(people, dispute)


@scenario("dispute.message_posted")
def _(people):
    dispute = open_dispute(people)

    def act():
        with at(dispute.opened_at + HOUR):
            services.dispute_post_message(
                dispute=dispute, actor=people.seller, body="Pay you by PayPal if you close the dispute?"
            )
        return fresh(dispute)

    return act


@scenario("dispute.escalated")
def _(people):
    dispute = open_dispute(people)
    return lambda: escalate_overdue(people, dispute)


@scenario("dispute.assigned")
def _(people):
    dispute = escalate_overdue(people, open_dispute(people))
    return lambda: take(people, dispute)


@scenario("dispute.unassigned")
def _(people):
    dispute = under_review(people)

    def act():
        with at(dispute.assigned_at + HOUR):
            return services.case_release(case=dispute, actor=people.arbiter)

    return act


@scenario("dispute.information_requested")
def _(people):
    dispute = under_review(people)

    def act():
        with at(dispute.assigned_at + HOUR):
            services.dispute_request_information(
                dispute=dispute, actor=people.arbiter, party="seller", question="The carrier's photo, please."
            )
        return fresh(dispute)

    return act


@scenario("dispute.decision_overdue")
def _(people):
    dispute = escalate_overdue(people, open_dispute(people))

    def act():
        with at(dispute.deadline_at + SECOND):
            assert services.dispute_flag_overdue(dispute=dispute)
        return fresh(dispute)

    return act


@scenario("dispute.decided")
def _(people):
    dispute = under_review(people)

    def act():
        with at(dispute.assigned_at + HOUR):
            services.dispute_decide(
                dispute=dispute, actor=people.arbiter, outcome="partial_refund", refund_amount="60.00",
                rationale="Half the set arrived.",
            )  # fmt: skip
        return fresh(dispute)

    return act


@scenario("dispute.closed")
def _(people):
    dispute = open_dispute(people)

    def act():
        with at(dispute.opened_at + HOUR):
            return services.dispute_withdraw(dispute=dispute, actor=people.buyer, confirmed=True)

    return act


# --- Returns ---------------------------------------------------------------------------------------


@scenario("return.requested")
def _(people):
    dispute = open_dispute(people, resolution="return_and_refund", reason="damaged", description="Cracked.")
    return lambda: seller_accepts(people, dispute)


@scenario("return.due_soon")
def _(people):
    dispute = fresh(awaiting_return(people))

    def act():
        with at(dispute.deadline_at - 2 * DAY):
            assert services.return_remind(dispute=dispute)
        return fresh(dispute)

    return act


@scenario("return.shipped")
def _(people):
    dispute = awaiting_return(people)

    def act():
        ship_return(people, dispute)
        return fresh(dispute)

    return act


@scenario("return.received")
def _(people):
    dispute = return_in_transit(people)

    def act():
        with at(dispute.deadline_at - DAY):
            return services.return_acknowledge(
                dispute=dispute, actor=people.seller, acknowledgement="received_ok"
            )

    return act


@scenario("return.problem_reported")
def _(people):
    dispute = return_in_transit(people)
    return lambda: report_return_problem(people, dispute)


# --- Complaints and safety reports ----------------------------------------------------------------


def _complaint(people) -> Complaint:
    dispute = fresh(closed_by_seller(people))
    with at(dispute.closed_at + 70 * DAY):
        return services.complaint_file(
            dispute=dispute, actor=people.buyer, kind="refund_not_received", description="Nothing came."
        )


@scenario("complaint.opened")
def _(people):
    return lambda: _complaint(people)


@scenario("complaint.assigned")
def _(people):
    complaint = _complaint(people)

    def act():
        with at(complaint.opened_at + HOUR):
            return services.case_take(case=complaint, actor=people.arbiter)

    return act


def _taken_complaint(people) -> Complaint:
    complaint = _complaint(people)
    with at(complaint.opened_at + HOUR):
        return services.case_take(case=complaint, actor=people.arbiter)


@scenario("complaint.unassigned")
def _(people):
    complaint = _taken_complaint(people)

    def act():
        with at(complaint.assigned_at + HOUR):
            return services.case_release(case=complaint, actor=people.arbiter)

    return act


@scenario("complaint.decided")
def _(people):
    complaint = _taken_complaint(people)

    def act():
        with at(complaint.assigned_at + HOUR):
            return services.complaint_decide(
                complaint=complaint,
                actor=people.arbiter,
                outcome="rejected",
                rationale="The refund was paid on time; the bank statement shows it.",
            )

    return act


def _report(people) -> SafetyReport:
    order = shipped(people)
    with at(START + 100 * DAY):
        return services.safety_report_file(
            order=order, actor=people.buyer, description="The battery swelled and got hot.", files=[png()]
        )


@scenario("safety_report.opened")
def _(people):
    return lambda: _report(people)


@scenario("safety_report.closed")
def _(people):
    report = _report(people)

    def act():
        with at(report.created_at + DAY):
            return services.safety_report_close(
                report=report, actor=people.arbiter, outcome="listing_blocked", reason="Known to catch fire."
            )

    return act
