"""What the scheduler does on its own is told to the people it concerns (R-NTF-1): an automatic
extension and a lapsed request (R-PRT-4), an automatic confirmation (R-PRT-3), an escrow release
(R-ESC-4); and the protection reminder speaks to a buyer who already asked for more time (R-PRT-5).

The sweeps write these notices with one insert per batch and queue one sending task per batch.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arbitration import services
from marketplace import services as money
from marketplace.models import Notification, Order, User
from marketplace.scheduling import run_job
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    SECOND,
    decide,
    escalate_overdue,
    offer,
    open_dispute,
    shipped,
    take,
)
from tests.marketplace.factories import at
from tests.support import fresh

BUYER, SELLER = "boris@example.com", "sam@example.com"


def inbox(outbox) -> dict[str, list[str]]:
    """Subjects received, by address, sorted (a batch's emails have no meaningful order)."""
    received: dict[str, list[str]] = {}
    for message in outbox:
        for address in message.to:
            received.setdefault(address, []).append(message.subject)
    return {address: sorted(subjects) for address, subjects in received.items()}


def mail_to(outbox, address: str, subject_part: str):
    return next(m for m in outbox if m.to == [address] and subject_part in m.subject)


def ask_for_time(people, order: Order, *, when, days: int = 7):
    with at(when):
        return money.extension_request_create(order=order, actor=people.buyer, days=days, reason="In customs")


def auto_extended(people) -> Order:
    """Shipped; the buyer asked for 7 days two days before the deadline; the seller kept silent and
    the scheduler extended protection one second after it (R-PRT-4)."""
    order = shipped(people)
    ask_for_time(people, order, when=order.protection_deadline - 2 * DAY)
    with at(order.protection_deadline + SECOND):
        run_job("auto_extend_protection")
    return fresh(order)


# --- R-PRT-4: an unanswered request ----------------------------------------------------------


def test_R_PRT_4_an_automatic_extension_is_told_to_buyer_and_seller_with_the_new_deadline(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(people)
    ask_for_time(people, order, when=order.protection_deadline - 2 * DAY)
    with django_capture_on_commit_callbacks(execute=True), at(order.protection_deadline + SECOND):
        assert run_job("auto_extend_protection").moved == 1

    number = order.number
    assert inbox(mailoutbox) == {
        BUYER: [f"Your protection for order {number} has been extended"],
        SELLER: [f"Buyer protection for order {number} was extended automatically"],
    }
    # Extended from the moment the job ran: 2 May 09:00:01 + 7 days.
    to_seller = mail_to(mailoutbox, SELLER, "extended")
    assert "You did not answer the buyer's request in time" in to_seller.body
    assert "extended automatically by 7 days. It now ends on 9 May 2025, 09:00" in to_seller.body
    assert "answer any further request for more time" in to_seller.body
    to_buyer = mail_to(mailoutbox, BUYER, "extended")
    assert "It now ends on 9 May 2025, 09:00." in to_buyer.body


@pytest.mark.parametrize("first_job", ["auto_extend_protection", "release_escrow"])
def test_R_PRT_4_a_request_unanswered_after_the_one_automatic_extension_lapses_and_both_are_told(
    people, mailoutbox, django_capture_on_commit_callbacks, first_job
):
    """Whichever job reaches the order first lapses the second request; the notice is the same."""
    order = auto_extended(people)
    ask_for_time(people, order, when=order.protection_deadline - DAY, days=5)
    with django_capture_on_commit_callbacks(execute=True), at(order.protection_deadline + SECOND):
        run_job(first_job)
        run_job("release_escrow")

    number = order.number
    assert fresh(order).state == Order.State.COMPLETED
    assert inbox(mailoutbox) == {
        BUYER: [
            f"Order {number} was confirmed automatically",
            f"Your request for more protection time for order {number} lapsed",
        ],
        SELLER: [
            f"The buyer's request for more protection time for order {number} lapsed",
            f"The payment for order {number} has been released to you: 100.00 USD",
        ],
    }
    to_buyer = mail_to(mailoutbox, BUYER, "lapsed")
    assert "you asked the seller for 5 more days of protection" in to_buyer.body
    assert "already had its one automatic extension, so the request lapsed" in to_buyer.body
    assert "protection ended on 9 May 2025, 09:00" in to_buyer.body


# --- R-PRT-3 and R-ESC-4: confirmed automatically, escrow released ---------------------------


def test_R_PRT_3_an_automatic_confirmation_tells_the_buyer_the_window_ended_and_what_is_still_possible(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(people)
    with django_capture_on_commit_callbacks(execute=True), at(order.protection_deadline + SECOND):
        assert run_job("release_escrow").moved == 1

    number = order.number
    assert inbox(mailoutbox) == {
        BUYER: [f"Order {number} was confirmed automatically"],
        SELLER: [f"The payment for order {number} has been released to you: 100.00 USD"],
    }
    to_buyer = mail_to(mailoutbox, BUYER, "confirmed automatically")
    assert "ended on 2 May 2025, 09:00 without a confirmation of receipt or a dispute" in to_buyer.body
    assert "The time to open a dispute for this order ended on 2 May 2025, 09:00" in to_buyer.body
    assert "report it at any time, even after protection has ended" in to_buyer.body  # R-SAF-1
    assert f"/orders/{order.pk}/report-unsafe/" in to_buyer.body
    assert f"/orders/{order.pk}/report-unsafe/" in to_buyer.alternatives[0][0]
    to_seller = mail_to(mailoutbox, SELLER, "released")
    assert "ended without a dispute, so the order was confirmed automatically and 100.00 USD" in (
        to_seller.body
    )


def test_R_ESC_4_a_release_after_the_buyer_confirmed_tells_the_seller_only(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(people)
    with at(order.protection_deadline - 30 * DAY):
        order = money.order_confirm_receipt(order=order, actor=people.buyer)
    with django_capture_on_commit_callbacks(execute=True), at(order.dispute_deadline + SECOND):
        assert run_job("release_escrow").moved == 1

    assert inbox(mailoutbox) == {
        SELLER: [f"The payment for order {order.number} has been released to you: 100.00 USD"]
    }
    assert "The buyer confirmed receipt of order" in mailoutbox[0].body


def test_R_ESC_4_R_PRT_3_a_batch_writes_its_notices_with_one_insert(people):
    """No per-row work in the sweep: one statement for the whole batch's notifications."""
    orders = [shipped(people) for _ in range(3)]
    deadline = orders[0].protection_deadline
    with at(deadline + SECOND), CaptureQueriesContext(connection) as queries:
        moved = money.orders_release(rows=Order.objects.all(), limit=10, actor=people.scheduler)

    assert sorted(moved) == sorted(order.pk for order in orders)
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "marketplace_notification"')]
    assert len(inserts) == 1
    assert Notification.objects.filter(event="order_auto_confirmed").count() == 3
    assert Notification.objects.filter(event="escrow_released").count() == 3


@pytest.mark.django_db(transaction=True)
def test_R_NTF_1_a_release_batch_queues_one_sending_task_after_it_commits(people, monkeypatch):
    """Real commits: the sweep's batch queues its six emails as one task, after the commit."""
    queued: list[list[int]] = []
    monkeypatch.setattr("marketplace.notifications._send", lambda ids: queued.append(list(ids)))
    orders = [shipped(people) for _ in range(3)]
    with at(orders[0].protection_deadline + SECOND):
        assert run_job("release_escrow").moved == 3

    assert [len(ids) for ids in queued] == [6]
    assert set(queued[0]) == set(
        Notification.objects.filter(event__in=["order_auto_confirmed", "escrow_released"]).values_list(
            "pk", flat=True
        )
    )


def test_R_ESC_4_a_dispute_closed_by_agreement_tells_the_seller_how_much_is_released(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    dispute = open_dispute(people)
    offer(people, dispute)  # 30.00 of the 100.00 held
    with django_capture_on_commit_callbacks(execute=True), at(dispute.opened_at + 2 * HOUR):
        services.dispute_accept_offer(dispute=dispute, actor=people.buyer)

    to_seller = mail_to(mailoutbox, SELLER, "is closed")
    assert "Released to you from escrow: 70.00 USD." in to_seller.body
    assert "Released to you from escrow: 70.00 USD." in to_seller.alternatives[0][0]
    assert "Released to you" not in mail_to(mailoutbox, BUYER, "is closed").body


def test_R_ESC_4_a_decision_tells_the_seller_how_much_is_released(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    dispute = take(people, escalate_overdue(people, open_dispute(people)))
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            people, dispute, outcome="partial_refund", refund_amount="40.00", rationale="Half of it works."
        )

    to_seller = mail_to(mailoutbox, SELLER, "decided")
    assert "Released to you from escrow: 60.00 USD." in to_seller.body


# --- R-PRT-5: the reminder to a buyer who already asked for more time -------------------------


def test_R_PRT_5_the_reminder_asks_a_buyer_without_a_request_to_act(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(people)
    with django_capture_on_commit_callbacks(execute=True), at(order.protection_deadline - 2 * DAY):
        assert run_job("remind_protection_ending").moved == 1

    (reminder,) = mailoutbox
    assert "ask the seller for more time, if the parcel is still on its way;" in reminder.body
    assert "If you do nothing, the order is confirmed automatically" in reminder.body
    assert "still waiting for the seller's answer" not in reminder.body


def test_R_PRT_5_the_reminder_tells_a_buyer_with_a_pending_request_it_waits_and_extends_by_itself(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(people)
    ask_for_time(people, order, when=order.protection_deadline - 5 * DAY)  # 27 April
    with django_capture_on_commit_callbacks(execute=True), at(order.protection_deadline - 2 * DAY):
        assert run_job("remind_protection_ending").moved == 1

    (reminder,) = mailoutbox
    body, html = reminder.body, reminder.alternatives[0][0]
    assert "ask the seller for more time" not in body and "ask the seller for more time" not in html
    assert "If you do nothing" not in body
    for part in (body, html.replace("&#x27;", "'").replace("\n", " ")):
        assert "On 27 April 2025 you asked the seller for 7 more days of protection." in part
        assert "still waiting for the seller's answer" in part
        assert (
            "You don't need to ask again: if the seller does not answer by 2 May 2025, 09:00, your "
            "protection is extended by 7 days automatically." in part.replace("\n", " ")
        )
    assert "confirm receipt, if the item arrived" in body  # what is still possible meanwhile


def test_R_PRT_5_after_the_one_automatic_extension_the_reminder_says_silence_ends_protection(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = auto_extended(people)  # ends 9 May 2025, 09:00:01
    ask_for_time(people, order, when=order.protection_deadline - 4 * DAY, days=3)
    User.objects.filter(pk=people.buyer.pk).update(preferred_language="ru")
    with django_capture_on_commit_callbacks(execute=True), at(order.protection_deadline - 2 * DAY):
        assert run_job("remind_protection_ending").moved == 1

    (reminder,) = mailoutbox
    assert "вы попросили продавца продлить защиту на 3 дня." in reminder.body
    assert "Просьба всё ещё ждёт ответа продавца." in reminder.body
    assert "Автоматическое продление для этого заказа уже использовано" in reminder.body
    assert "Просить ещё раз не нужно" not in reminder.body
