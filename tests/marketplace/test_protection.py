"""Buyer protection and its deadlines: R-PRT-1 … R-PRT-5, at deadline − 1 s and + 1 s."""

from __future__ import annotations

import pytest
from django_fsm_log.models import StateLog

from marketplace import services
from marketplace.errors import DomainError
from marketplace.models import ExtensionRequest, LedgerEntry, Notification, Order
from marketplace.scheduling import run_job
from tests.marketplace.factories import (
    DAY,
    SECOND,
    START,
    at,
    confirmed_order,
    delivered_order,
    disputed_order,
    escrow_of,
    fresh,
    ledger_of,
    paid_order,
    shipped_order,
)

HOUR = 3600 * SECOND


def _confirm(order, buyer):
    return services.order_confirm_receipt(order=order, actor=buyer)


def _ask_for_time(order, buyer):
    return services.extension_request_create(order=order, actor=buyer, days=10, reason="Still in customs")


def _open_dispute(order, buyer):
    return services.escrow_freeze(order=order, actor=buyer)


# (action, the delivered order's state after it, pending extension requests after it)
BUYER_ACTIONS = [
    pytest.param(_confirm, Order.State.CONFIRMED, 0, id="confirm-receipt"),
    pytest.param(_ask_for_time, Order.State.DELIVERED, 1, id="ask-for-more-time"),
    pytest.param(_open_dispute, Order.State.DISPUTED, 0, id="open-a-dispute"),
]


# --- R-PRT-1: the protection deadline ----------------------------------------------------------


def test_protection_runs_for_sixty_days_from_shipping(buyer, seller):
    """R-PRT-1"""
    order = shipped_order(buyer=buyer, seller=seller, shipped_at=START)

    assert order.shipped_at == START
    assert order.protection_deadline == START + 60 * DAY
    assert order.dispute_deadline == order.protection_deadline


def test_the_protection_period_comes_from_settings(buyer, seller, settings):
    """R-PRT-1: BUYER_PROTECTION_DAYS"""
    settings.BUYER_PROTECTION_DAYS = 45
    order = shipped_order(buyer=buyer, seller=seller, shipped_at=START)

    assert order.protection_deadline == START + 45 * DAY


@pytest.mark.parametrize(("action", "state_after", "requests_after"), BUYER_ACTIONS)
def test_the_buyer_can_act_one_second_before_the_protection_deadline(
    buyer, seller, action, state_after, requests_after
):
    """R-PRT-1: until the deadline the buyer may confirm, ask for more time or open a dispute."""
    order = delivered_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline - SECOND):
        action(order, buyer)

    assert fresh(order).state == state_after
    assert order.extension_requests.filter(status=ExtensionRequest.Status.PENDING).count() == requests_after


@pytest.mark.parametrize(("action", "state_after", "requests_after"), BUYER_ACTIONS)
def test_the_buyer_cannot_act_one_second_after_the_protection_deadline(
    buyer, seller, action, state_after, requests_after
):
    """R-PRT-1: after the deadline each action is refused with a message saying why."""
    order = delivered_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline + SECOND), pytest.raises(DomainError, match="ended"):
        action(order, buyer)

    assert fresh(order).state == Order.State.DELIVERED
    assert not order.extension_requests.exists()


@pytest.mark.parametrize(("action", "state_after", "requests_after"), BUYER_ACTIONS)
def test_protection_has_not_started_before_the_order_ships(
    buyer, seller, action, state_after, requests_after
):
    """R-PRT-1: protection starts at shipping."""
    order = paid_order(buyer=buyer, seller=seller)
    with pytest.raises(DomainError, match="not been shipped"):
        action(order, buyer)
    assert fresh(order).state == Order.State.PAID


@pytest.mark.parametrize("action", [_confirm, _ask_for_time], ids=["confirm-receipt", "ask-for-more-time"])
def test_only_the_buyer_can_confirm_or_ask_for_more_time(buyer, seller, action):
    """R-PRT-1 (who opens a dispute is the arbitration app's check; escrow_freeze is its tool)."""
    order = shipped_order(buyer=buyer, seller=seller)
    with pytest.raises(DomainError, match="Only the order's buyer"):
        action(order, seller)
    assert fresh(order).state == Order.State.SHIPPED
    assert not order.extension_requests.exists()


# --- R-PRT-2: the dispute deadline -------------------------------------------------------------


def test_confirming_receipt_leaves_fifteen_days_to_open_a_dispute(buyer, seller):
    """R-PRT-2"""
    order = confirmed_order(buyer=buyer, seller=seller, shipped_at=START, confirmed_at=START + 14 * DAY)

    assert order.protection_deadline == START + 60 * DAY
    assert order.dispute_deadline == START + 29 * DAY


def test_the_dispute_deadline_never_passes_the_protection_deadline(buyer, seller):
    """R-PRT-2: whichever comes first."""
    order = confirmed_order(buyer=buyer, seller=seller, shipped_at=START, confirmed_at=START + 50 * DAY)

    assert order.dispute_deadline == order.protection_deadline == START + 60 * DAY


def test_the_window_after_receipt_comes_from_settings(buyer, seller, settings):
    """R-PRT-2: DISPUTE_WINDOW_AFTER_RECEIPT_DAYS"""
    settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS = 5
    order = confirmed_order(buyer=buyer, seller=seller, shipped_at=START, confirmed_at=START + 14 * DAY)

    assert order.dispute_deadline == START + 19 * DAY


def test_a_dispute_can_be_opened_one_second_before_the_dispute_deadline(buyer, seller):
    """R-PRT-2"""
    order = confirmed_order(buyer=buyer, seller=seller)
    with at(order.dispute_deadline - SECOND):
        services.escrow_freeze(order=order, actor=buyer)

    assert fresh(order).state == Order.State.DISPUTED


def test_a_dispute_cannot_be_opened_one_second_after_the_dispute_deadline(buyer, seller):
    """R-PRT-2: even though protection itself has weeks left."""
    order = confirmed_order(buyer=buyer, seller=seller)
    assert order.dispute_deadline + SECOND < order.protection_deadline
    with at(order.dispute_deadline + SECOND), pytest.raises(DomainError, match="time to open a dispute"):
        services.escrow_freeze(order=order, actor=buyer)

    assert fresh(order).state == Order.State.CONFIRMED


def test_escrow_is_held_until_one_second_before_the_dispute_deadline(buyer, seller, scheduler):
    """R-PRT-2, R-ESC-4: while a dispute can still be opened, the money stays in escrow."""
    order = confirmed_order(buyer=buyer, seller=seller)
    with at(order.dispute_deadline - SECOND):
        result = run_job("release_escrow")
        assert services.order_release_if_due(order=order, actor=scheduler) is False

    assert result.moved == 0
    assert fresh(order).state == Order.State.CONFIRMED
    assert escrow_of(order).balance == order.amount


def test_it_releases_escrow_one_second_after_the_dispute_deadline(buyer, seller, scheduler):
    """R-PRT-2, R-ESC-4: a confirmed order is paid out when its dispute window closes."""
    order = confirmed_order(buyer=buyer, seller=seller)
    with at(order.dispute_deadline + SECOND):
        result = run_job("release_escrow")

    assert result.moved == 1
    order = fresh(order)
    assert order.state == Order.State.COMPLETED
    assert order.completed_at == order.dispute_deadline + SECOND
    release = ledger_of(order, LedgerEntry.Kind.RELEASE).get()
    assert (release.amount, release.party, release.actor) == (order.amount, seller, scheduler)
    assert escrow_of(order).balance == 0


# --- R-PRT-3: automatic confirmation -------------------------------------------------------------


@pytest.mark.parametrize("make_order", [shipped_order, delivered_order], ids=["in-transit", "delivered"])
def test_it_does_nothing_one_second_before_the_protection_deadline(buyer, seller, scheduler, make_order):
    """R-PRT-3"""
    order = make_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline - SECOND):
        result = run_job("release_escrow")
        # The service re-checks the deadline itself (an admin action or a stale sweep may call it).
        assert services.order_release_if_due(order=order, actor=scheduler) is False

    assert result.moved == 0
    assert fresh(order).state == order.state
    assert fresh(order).confirmed_at is None
    assert not ledger_of(order, LedgerEntry.Kind.RELEASE).exists()


@pytest.mark.parametrize("make_order", [shipped_order, delivered_order], ids=["in-transit", "delivered"])
def test_it_confirms_and_releases_escrow_one_second_after_the_protection_deadline(
    buyer, seller, scheduler, make_order
):
    """R-PRT-3: no confirmation and no dispute by the deadline → confirmed automatically, seller paid."""
    order = make_order(buyer=buyer, seller=seller)
    moment = order.protection_deadline + SECOND
    with at(moment):
        result = run_job("release_escrow")

    assert result.moved == 1
    order = fresh(order)
    assert (order.state, order.confirmed_at, order.completed_at) == (Order.State.COMPLETED, moment, moment)
    confirm = StateLog.objects.for_(order).get(transition="confirm_receipt")
    assert (confirm.by, confirm.timestamp) == (scheduler, moment)
    assert "automatically" in confirm.description
    release = ledger_of(order, LedgerEntry.Kind.RELEASE).get()
    assert (release.amount, release.party, release.actor) == (order.amount, seller, scheduler)


def test_a_disputed_order_is_not_confirmed_automatically(buyer, seller, scheduler):
    """R-PRT-3: 'with no dispute'."""
    order = disputed_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline + SECOND):
        result = run_job("release_escrow")

    assert result.moved == 0
    assert fresh(order).state == Order.State.DISPUTED
    assert not StateLog.objects.for_(order).filter(transition="confirm_receipt").exists()


# --- R-PRT-4: more time -------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "accepted"), [(0, False), (1, True), (30, True), (31, False)])
def test_the_buyer_may_ask_for_one_to_thirty_more_days(buyer, seller, days, accepted):
    """R-PRT-4: 1–EXTENSION_MAX_DAYS"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        if accepted:
            request = services.extension_request_create(
                order=order, actor=buyer, days=days, reason="In customs"
            )
            assert (request.status, request.days) == (ExtensionRequest.Status.PENDING, days)
        else:
            with pytest.raises(DomainError, match="between 1 and 30 days"):
                services.extension_request_create(order=order, actor=buyer, days=days, reason="In customs")
    assert order.extension_requests.count() == int(accepted)


def test_the_most_days_come_from_settings(buyer, seller, settings):
    """R-PRT-4: EXTENSION_MAX_DAYS"""
    settings.EXTENSION_MAX_DAYS = 7
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY), pytest.raises(DomainError, match="between 1 and 7 days"):
        services.extension_request_create(order=order, actor=buyer, days=8, reason="In customs")


def test_asking_for_more_time_needs_a_reason(buyer, seller):
    """R-PRT-4"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY), pytest.raises(DomainError, match="why"):
        services.extension_request_create(order=order, actor=buyer, days=5, reason="   ")


def test_one_request_waits_for_the_seller_at_a_time(buyer, seller):
    """R-PRT-4"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        services.extension_request_create(order=order, actor=buyer, days=5, reason="In customs")
        with pytest.raises(DomainError, match="already have a request"):
            services.extension_request_create(order=order, actor=buyer, days=9, reason="Still in customs")


def test_the_seller_is_told_of_the_request(buyer, seller):
    """R-PRT-4, R-NTF-1"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        services.extension_request_create(order=order, actor=buyer, days=5, reason="In customs")

    notification = Notification.objects.get(event="extension_requested")
    assert notification.recipient == seller
    assert notification.context["days"] == 5


def test_the_seller_grants_more_days_and_the_deadlines_move(buyer, seller):
    """R-PRT-4"""
    order = shipped_order(buyer=buyer, seller=seller)
    old_deadline = order.protection_deadline
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
        services.extension_grant(request=request, actor=seller)

    order = fresh(order)
    assert order.protection_deadline == order.dispute_deadline == old_deadline + 12 * DAY
    request = fresh(request)
    assert (request.status, request.answered_by) == (ExtensionRequest.Status.GRANTED, seller)
    with at(old_deadline + SECOND):
        services.escrow_freeze(order=order, actor=buyer)  # still protected past the old deadline


def test_the_seller_declines_and_the_deadline_stays(buyer, seller, scheduler):
    """R-PRT-4: a declined request is not granted automatically later."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
        services.extension_decline(request=request, actor=seller, reason="Tracking shows it was delivered")

    request = fresh(request)
    assert (request.status, request.decline_reason) == (
        ExtensionRequest.Status.DECLINED,
        "Tracking shows it was delivered",
    )
    with at(order.protection_deadline + SECOND):
        assert run_job("auto_extend_protection").moved == 0
        assert run_job("release_escrow").moved == 1
    assert fresh(order).protection_deadline == order.protection_deadline


def orders_asking_for_12_days(buyer, seller):
    """Two orders shipped together (one protection deadline), each with a pending request."""
    orders = [shipped_order(buyer=buyer, seller=seller) for _ in range(2)]
    assert orders[0].protection_deadline == orders[1].protection_deadline
    with at(START + 50 * DAY):
        requests = [
            services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
            for order in orders
        ]
    return orders, requests


def test_a_seller_silent_until_the_deadline_can_no_longer_decline_the_request(buyer, seller, scheduler):
    """R-PRT-4: at the deadline an unanswered request is owed the automatic extension; a decline
    one second before it still counts, one second after it is refused and the job grants."""
    (on_time, late), requests = orders_asking_for_12_days(buyer, seller)
    deadline = on_time.protection_deadline

    with at(deadline - SECOND):
        services.extension_decline(request=requests[0], actor=seller, reason="Delivered")
    with at(deadline + SECOND):
        with pytest.raises(DomainError, match="it can no longer be declined"):
            services.extension_decline(request=requests[1], actor=seller, reason="Delivered")
        assert fresh(requests[1]).status == ExtensionRequest.Status.PENDING
        assert run_job("auto_extend_protection").moved == 1

    assert fresh(requests[0]).status == ExtensionRequest.Status.DECLINED
    assert fresh(on_time).protection_deadline == deadline
    assert fresh(requests[1]).status == ExtensionRequest.Status.AUTO_GRANTED
    assert fresh(late).protection_deadline == deadline + SECOND + 12 * DAY


def test_a_grant_after_the_deadline_counts_the_days_from_the_answer(buyer, seller):
    """R-PRT-4: a seller answering after the deadline (before the job ran) gives the days asked for
    from the moment of the answer, never fewer; before the deadline they add to the deadline."""
    (early, late), requests = orders_asking_for_12_days(buyer, seller)
    deadline = early.protection_deadline

    with at(deadline - SECOND):
        services.extension_grant(request=requests[0], actor=seller)
    with at(deadline + HOUR):
        services.extension_grant(request=requests[1], actor=seller)

    assert fresh(early).protection_deadline == deadline + 12 * DAY
    assert fresh(late).protection_deadline == deadline + HOUR + 12 * DAY
    assert fresh(late).auto_extended_at is None


@pytest.mark.parametrize("answer", ["grant", "decline"])
def test_only_the_seller_answers_a_request(buyer, seller, answer):
    """R-PRT-4"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
        with pytest.raises(DomainError, match="Only the order's seller"):
            getattr(services, f"extension_{answer}")(request=request, actor=buyer)
    assert fresh(request).status == ExtensionRequest.Status.PENDING


def test_a_request_is_answered_once(buyer, seller):
    """R-PRT-4: the deadline moves once per request."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
        services.extension_grant(request=request, actor=seller)
        with pytest.raises(DomainError, match="already been answered"):
            services.extension_grant(request=request, actor=seller)
    assert fresh(order).protection_deadline == order.protection_deadline + 12 * DAY


def test_an_unanswered_request_is_not_granted_one_second_before_the_deadline(buyer, seller, scheduler):
    """R-PRT-4"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
    with at(order.protection_deadline - SECOND):
        result = run_job("auto_extend_protection")

    assert result.moved == 0
    assert fresh(request).status == ExtensionRequest.Status.PENDING
    assert fresh(order).protection_deadline == order.protection_deadline


def test_an_unanswered_request_is_granted_automatically_one_second_after_the_deadline(
    buyer, seller, scheduler
):
    """R-PRT-4: a buyer never loses protection because the seller kept silent."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
    moment = order.protection_deadline + SECOND
    with at(moment):
        result = run_job("auto_extend_protection")

    assert result.moved == 1
    request, extended = fresh(request), fresh(order)
    assert (request.status, request.answered_by, request.answered_at) == (
        ExtensionRequest.Status.AUTO_GRANTED,
        scheduler,
        moment,
    )
    # The days count from when the job granted them, so a late scheduler costs the buyer nothing.
    assert extended.protection_deadline == extended.dispute_deadline == moment + 12 * DAY
    assert extended.auto_extended_at == moment
    assert extended.state == Order.State.SHIPPED
    # Both are told: the buyer of the new deadline, the seller what their silence did (R-NTF-1).
    told = Notification.objects.filter(event="extension_answered")
    assert {(n.recipient, n.context["automatic"]) for n in told} == {(buyer, True), (seller, True)}
    with at(moment + DAY):
        services.escrow_freeze(order=extended, actor=buyer)  # protected again


def test_an_automatic_extension_after_a_scheduler_outage_still_gives_the_days_asked_for(buyer, seller):
    """R-PRT-4: the scheduler was down for three days past the deadline; the buyer still gets 2 days."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        services.extension_request_create(order=order, actor=buyer, days=2, reason="Still in transit")
    late = order.protection_deadline + 3 * DAY
    with at(late):
        assert run_job("auto_extend_protection").moved == 1
        assert run_job("release_escrow").moved == 0

    assert fresh(order).protection_deadline == late + 2 * DAY


def test_the_release_job_leaves_an_unanswered_request_to_the_extension_job(buyer, seller, scheduler):
    """R-PRT-4, R-PRT-3: whichever job runs first at the deadline, the buyer gets the extension."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
    with at(order.protection_deadline + SECOND):
        assert run_job("release_escrow").moved == 0
        assert escrow_of(order).balance == order.amount
        assert services.order_release_if_due(order=order, actor=scheduler) is False
        assert run_job("auto_extend_protection").moved == 1
        assert run_job("release_escrow").moved == 0
    assert fresh(order).state == Order.State.SHIPPED


def test_the_automatic_extension_happens_at_most_once_per_order(buyer, seller, scheduler):
    """R-PRT-4: a second unanswered request lapses at the new deadline, and the order is settled."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
    with at(order.protection_deadline + SECOND):
        run_job("auto_extend_protection")
    extended = fresh(order)
    with at(extended.protection_deadline - DAY):
        second = services.extension_request_create(order=extended, actor=buyer, days=20, reason="Still lost")

    with at(extended.protection_deadline + SECOND):
        assert run_job("auto_extend_protection").moved == 0
        assert run_job("release_escrow").moved == 1

    assert fresh(second).status == ExtensionRequest.Status.LAPSED
    settled = fresh(order)
    assert settled.protection_deadline == extended.protection_deadline
    assert settled.state == Order.State.COMPLETED


@pytest.mark.parametrize("action", [_confirm, _open_dispute], ids=["confirm-receipt", "open-a-dispute"])
def test_confirming_or_disputing_closes_a_waiting_request(buyer, seller, scheduler, action):
    """R-PRT-4: the request no longer matters, so it can't extend anything later."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(START + 50 * DAY):
        request = services.extension_request_create(order=order, actor=buyer, days=12, reason="In customs")
        action(order, buyer)

    assert fresh(request).status == ExtensionRequest.Status.LAPSED
    with at(order.protection_deadline + SECOND):
        assert run_job("auto_extend_protection").moved == 0
    assert fresh(order).protection_deadline == order.protection_deadline


# --- R-PRT-5: the reminder -----------------------------------------------------------------------


def _reminders():
    return Notification.objects.filter(event="protection_ending")


def test_no_reminder_one_second_before_three_days_before_the_deadline(buyer, seller):
    """R-PRT-5"""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline - 3 * DAY - SECOND):
        result = run_job("remind_protection_ending")
        assert services.protection_remind(order=order) is False  # the service re-checks the window itself

    assert result.moved == 0
    assert not _reminders().exists()
    assert fresh(order).protection_reminder_sent_at is None


def test_the_buyer_is_reminded_once_three_days_before_the_deadline(buyer, seller):
    """R-PRT-5: confirm, ask for more time, or open a dispute."""
    order = shipped_order(buyer=buyer, seller=seller)
    moment = order.protection_deadline - 3 * DAY + SECOND
    with at(moment):
        first = run_job("remind_protection_ending")
    with at(moment + DAY):
        second = run_job("remind_protection_ending")

    assert (first.moved, second.moved) == (1, 0)
    reminder = _reminders().get()
    assert reminder.recipient == buyer
    assert reminder.context["deadline"] == order.protection_deadline.isoformat()
    assert fresh(order).protection_reminder_sent_at == moment


def test_the_reminder_period_comes_from_settings(buyer, seller, settings):
    """R-PRT-5: PROTECTION_REMINDER_DAYS"""
    settings.PROTECTION_REMINDER_DAYS = 7
    order = shipped_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline - 7 * DAY - SECOND):
        assert run_job("remind_protection_ending").moved == 0
    with at(order.protection_deadline - 7 * DAY + SECOND):
        assert run_job("remind_protection_ending").moved == 1


@pytest.mark.parametrize("make_order", [confirmed_order, disputed_order], ids=["confirmed", "disputed"])
def test_a_buyer_who_confirmed_or_disputed_is_not_reminded(buyer, seller, make_order):
    """R-PRT-5: 'who has neither confirmed nor disputed'."""
    order = make_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline - DAY):
        assert run_job("remind_protection_ending").moved == 0
    assert not _reminders().exists()


def test_no_reminder_once_protection_has_ended(buyer, seller):
    """R-PRT-5: a reminder after the deadline would offer actions that are no longer possible."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline + SECOND):
        assert run_job("remind_protection_ending").moved == 0
        assert services.protection_remind(order=order) is False


def test_the_buyer_is_reminded_again_before_an_extended_deadline(buyer, seller):
    """R-PRT-5, R-PRT-4: each deadline the buyer can act on gets its reminder."""
    order = shipped_order(buyer=buyer, seller=seller)
    with at(order.protection_deadline - 2 * DAY):
        assert run_job("remind_protection_ending").moved == 1
        request = services.extension_request_create(order=order, actor=buyer, days=10, reason="In customs")
        services.extension_grant(request=request, actor=seller)
    extended = fresh(order)
    with at(extended.protection_deadline - 3 * DAY - SECOND):
        assert run_job("remind_protection_ending").moved == 0
    with at(extended.protection_deadline - 3 * DAY + SECOND):
        assert run_job("remind_protection_ending").moved == 1

    assert [n.context["deadline"] for n in _reminders().order_by("created_at")] == [
        order.protection_deadline.isoformat(),
        extended.protection_deadline.isoformat(),
    ]
