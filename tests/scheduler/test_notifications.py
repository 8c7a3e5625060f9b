"""Who is emailed what, when (R-NTF-1): after the transaction commits, never inside it, and
never for a change that was rolled back; in the recipient's language.

Tasks run eagerly here (tests/conftest.py); ``django_capture_on_commit_callbacks(execute=True)``
plays the commit, so each test sees exactly the mail a real commit would send.
"""

from __future__ import annotations

import re
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.utils import translation
from kombu.exceptions import OperationalError as KombuOperationalError

from arbitration import services
from marketplace import services as money
from marketplace.mail import deliver
from marketplace.models import Notification, User
from marketplace.notifications import EVENTS, audience_for, notify
from marketplace.scheduling import run_job
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    SECOND,
    awaiting_return,
    closed_by_seller,
    decide,
    escalate_overdue,
    offer,
    open_dispute,
    reject,
    shipped,
    take,
)
from tests.marketplace.factories import at
from tests.support import fresh

BUYER, SELLER = "boris@example.com", "sam@example.com"
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def inbox(outbox) -> dict[str, list[str]]:
    """Subjects received, by address."""
    received: dict[str, list[str]] = {}
    for message in outbox:
        for address in message.to:
            received.setdefault(address, []).append(message.subject)
    return received


# --- After commit, never inside it ----------------------------------------------------------


def test_a_change_rolled_back_after_notify_sends_no_email(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """R-NTF-1: the seller's rejection is recorded, then the request fails: no row, no task, no mail."""
    dispute = open_dispute(people)
    rows_before = Notification.objects.count()

    committing = django_capture_on_commit_callbacks(execute=True)
    with committing as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.dispute_reject_claim(dispute=dispute, actor=people.seller, explanation="It was delivered.")
        raise RuntimeError("the request fails after the service returned")

    assert Notification.objects.count() == rows_before
    assert callbacks == []
    assert mailoutbox == []


def test_notify_inside_a_failing_atomic_block_records_and_sends_nothing(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    order = shipped(people)
    committing = django_capture_on_commit_callbacks(execute=True)
    with committing as callbacks, pytest.raises(ValueError), transaction.atomic():
        notify("protection_ending", order=order, context={"deadline": order.protection_deadline.isoformat()})
        raise ValueError("boom")

    assert not Notification.objects.filter(event="protection_ending").exists()
    assert callbacks == [] and mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_real_rolled_back_transaction_sends_no_email(people, mailoutbox):
    """R-NTF-1 with real transactions (no test-wrapping transaction): commit sends, rollback doesn't."""
    order = shipped(people)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("protection_ending", order=order, context={"deadline": order.protection_deadline.isoformat()})
        raise RuntimeError("rolled back")
    assert mailoutbox == []
    assert not Notification.objects.filter(event="protection_ending").exists()

    with transaction.atomic():
        notify("protection_ending", order=order, context={"deadline": order.protection_deadline.isoformat()})
        assert mailoutbox == []  # not inside the transaction
    assert inbox(mailoutbox) == {
        BUYER: [f"Your buyer protection for order {order.number} ends on 2 May 2025"]
    }


def test_the_email_is_sent_only_when_the_transaction_commits(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_dispute(people)
        assert mailoutbox == []  # still inside the transaction

    assert sorted(inbox(mailoutbox)) == [BUYER, SELLER]
    assert Notification.objects.filter(event="dispute_opened", sent_at__isnull=True).count() == 0
    assert dispute.pk


def test_a_broker_outage_does_not_undo_the_change_and_the_outbox_sweep_sends_the_mail_later(
    people, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """R-NTF-1: the email is an outbox row committed with the change; queueing it is best effort."""
    dispute = open_dispute(people)

    def broker_down(ids):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("marketplace.notifications._send", broker_down)
    with django_capture_on_commit_callbacks(execute=True), at(dispute.opened_at + HOUR):
        services.dispute_reject_claim(dispute=dispute, actor=people.seller, explanation="It was delivered.")
    assert fresh(dispute).seller_rejected_at is not None  # the seller's answer stands
    assert mailoutbox == []

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True), at(dispute.opened_at + HOUR + 6 * 60 * SECOND):
        run_job("send_notifications")
    assert f"The seller rejected your claim about order {dispute.order.number}" in inbox(mailoutbox)[BUYER]


# --- The right people, per event group ------------------------------------------------------


def test_opening_a_dispute_tells_the_buyer_and_asks_the_seller_to_answer(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """R-NTF-1: dispute opened → buyer and seller."""
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_dispute(people)

    number = dispute.order.number
    assert inbox(mailoutbox) == {
        BUYER: [f"Your dispute about order {number} is open"],
        SELLER: [f"Action needed: the buyer opened a dispute about order {number}"],
    }
    to_seller = next(m for m in mailoutbox if m.to == [SELLER])
    assert "Please answer before 30 March 2025, 09:00." in to_seller.body  # opened 23 March + 7 days
    assert f"/disputes/{dispute.pk}/" in to_seller.body
    html = to_seller.alternatives[0]
    assert html[1] == "text/html" and f"/disputes/{dispute.pk}/" in html[0]


def test_the_conversation_tells_the_party_whose_turn_it_is(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """R-NTF-1: amended → seller; answered (rejected) → buyer; offered → buyer; offer answered → seller."""
    dispute = open_dispute(people)
    with django_capture_on_commit_callbacks(execute=True):
        with at(dispute.opened_at + HOUR):
            services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description="It arrived, but the screen is cracked.",
            )
        offer(people, dispute, when=dispute.opened_at + 2 * HOUR)
        with at(dispute.opened_at + 3 * HOUR):
            services.dispute_decline_offer(dispute=dispute, actor=people.buyer)
        reject(people, dispute, when=dispute.opened_at + 4 * HOUR)

    number = dispute.order.number
    assert inbox(mailoutbox) == {
        SELLER: [
            f"The buyer changed their claim about order {number}",
            f"The buyer declined your offer (order {number})",
        ],
        BUYER: [
            f"The seller offers you a refund of 30.00 USD (order {number})",
            f"The seller rejected your claim about order {number}",
        ],
    }


def test_escalation_and_the_decision_reach_both_parties_once_each(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """R-NTF-1: escalated → both; decided → both, one email each (not a second "closed" one)."""
    dispute = open_dispute(people)
    with django_capture_on_commit_callbacks(execute=True):
        dispute = escalate_overdue(people, dispute)
    number = dispute.order.number
    assert inbox(mailoutbox) == {
        BUYER: [f"The dispute about order {number} is now with our arbiters"],
        SELLER: [f"The dispute about order {number} is now with our arbiters"],
    }

    mailoutbox.clear()
    dispute = take(people, dispute)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            people, dispute, outcome="rejected", rationale="The carrier's photo shows the parcel at the door."
        )

    assert inbox(mailoutbox) == {
        BUYER: [f"Our arbiter decided the dispute about order {number}"],
        SELLER: [f"Our arbiter decided the dispute about order {number}"],
    }
    to_buyer = next(m for m in mailoutbox if m.to == [BUYER])
    assert "The carrier's photo shows the parcel at the door." in to_buyer.body
    assert "The payment has been released to the seller" in to_buyer.body


def test_a_closed_dispute_and_its_refund_are_reported(people, mailoutbox, django_capture_on_commit_callbacks):
    """R-NTF-1: closed → both; refund sent → buyer (the refund leaves on commit)."""
    dispute = open_dispute(people)
    with django_capture_on_commit_callbacks(execute=True), at(dispute.opened_at + DAY):
        services.dispute_seller_accept(dispute=dispute, actor=people.seller)

    number = dispute.order.number
    assert inbox(mailoutbox) == {
        BUYER: [
            f"The dispute about order {number} is closed",
            f"Your refund of 100.00 USD is on its way (order {number})",
        ],
        SELLER: [f"The dispute about order {number} is closed"],
    }


def test_returns_due_and_overdue_are_reported(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """R-NTF-1, R-RET-1: due soon → buyer; not shipped in time → both, once each."""
    dispute = fresh(awaiting_return(people))
    number = dispute.order.number
    with django_capture_on_commit_callbacks(execute=True):
        with at(dispute.deadline_at - DAY):
            run_job("remind_returns_due")
        with at(dispute.deadline_at + SECOND):
            run_job("close_unshipped_returns")

    assert inbox(mailoutbox) == {
        BUYER: [
            f"Reminder: ship your return for order {number} by {dispute.deadline_at:%-d %B %Y}",
            f"The return for order {number} was not shipped in time: the dispute is closed",
        ],
        SELLER: [f"The return for order {number} was not shipped in time: the dispute is closed"],
    }


def test_refunds_sent_completed_and_overdue_are_reported(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """R-NTF-1, R-REF-4: sent and completed → buyer; overdue → buyer and seller."""
    refund = fresh(closed_by_seller(people)).refund  # sending was never queued: its task is "lost"
    number = refund.order.number
    with django_capture_on_commit_callbacks(execute=True):
        with at(refund.created_at + 3 * 60 * SECOND):
            run_job("dispatch_refunds")
        with at(refund.due_at + SECOND):
            run_job("flag_overdue_refunds")
    assert inbox(mailoutbox) == {
        BUYER: [
            f"Your refund of 100.00 USD is on its way (order {number})",
            f"Your refund for order {number} is overdue: our arbiters are on it",
        ],
        SELLER: [f"A refund to the buyer of order {number} is overdue"],
    }

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), at(refund.due_at + DAY):
        run_job("sync_payouts")
    assert inbox(mailoutbox) == {BUYER: [f"Your refund of 100.00 USD has been paid (order {number})"]}


def test_protection_and_extensions_are_reported(people, mailoutbox, django_capture_on_commit_callbacks):
    """R-NTF-1, R-PRT-4, R-PRT-5: protection ending → buyer; extension asked → seller; answered → buyer."""
    order = shipped(people)
    number = order.number
    with django_capture_on_commit_callbacks(execute=True):
        with at(order.protection_deadline - 2 * DAY):
            run_job("remind_protection_ending")
            request = money.extension_request_create(
                order=order, actor=people.buyer, days=7, reason="In customs"
            )
        with at(order.protection_deadline - DAY):
            money.extension_grant(request=request, actor=people.seller)

    assert inbox(mailoutbox) == {
        BUYER: [
            f"Your buyer protection for order {number} ends on 2 May 2025",
            f"Your protection for order {number} has been extended",
        ],
        SELLER: [f"The buyer asks for 7 more days of protection (order {number})"],
    }
    granted = next(m for m in mailoutbox if "extended" in m.subject)
    assert "It now ends on 9 May 2025, 09:00." in granted.body


def test_a_message_goes_to_the_other_party_only(people, mailoutbox, django_capture_on_commit_callbacks):
    dispute = open_dispute(people)
    with django_capture_on_commit_callbacks(execute=True), at(dispute.opened_at + HOUR):
        services.dispute_post_message(dispute=dispute, actor=people.buyer, body="Any news about the parcel?")

    assert inbox(mailoutbox) == {SELLER: [f"A new message from the buyer about order {dispute.order.number}"]}


# --- The recipient's language ---------------------------------------------------------------


def test_each_recipient_gets_the_email_in_their_own_language(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """R-NTF-1: rendered under the recipient's preferred language: the Russian-speaking buyer gets
    Russian text, dates with Russian month names and amounts with a decimal comma; the seller,
    in the same transaction, gets English."""
    User.objects.filter(pk=people.buyer.pk).update(preferred_language="ru")
    dispute = open_dispute(people)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(people, dispute)

    to_buyer = next(m for m in mailoutbox if m.to == [BUYER])
    to_seller = next(m for m in mailoutbox if m.to == [SELLER])
    with translation.override("ru"):
        russian_subject = translation.gettext(
            "The dispute about order %(order_number)s is now with our arbiters"
        )
    assert to_buyer.subject == russian_subject % {"order_number": dispute.order.number}
    assert to_buyer.subject != to_seller.subject
    assert CYRILLIC.search(to_buyer.body) and not CYRILLIC.search(to_seller.body)
    assert "4 апреля 2025, 09:00" in to_buyer.body and "100,00 USD" in to_buyer.body
    assert "4 April 2025, 09:00" in to_seller.body and "100.00 USD" in to_seller.body
    assert '<html lang="ru">' in to_buyer.alternatives[0][0]
    assert translation.get_language() == "en"  # the worker's own language is left as it was


# --- Delivery -------------------------------------------------------------------------------


class FlakyBackend(LocmemBackend):
    """The mail server drops the first connection, then works."""

    failures = 1

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def _unsent(people, event="dispute_answered") -> Notification:
    order = shipped(people)
    [notification] = notify(event, order=order, context={"dispute_id": 1})
    return notification


def test_a_mail_server_failure_is_recorded_and_the_next_attempt_sends_it_once(people, settings):
    settings.EMAIL_BACKEND = "tests.scheduler.test_notifications.FlakyBackend"
    FlakyBackend.failures = 1
    mail.outbox = []
    notification = _unsent(people)

    with pytest.raises(SMTPServerDisconnected):
        deliver(notification.pk)
    failed = fresh(notification)
    assert (failed.sent_at, failed.attempts) == (None, 1)
    assert "SMTPServerDisconnected" in failed.last_error

    assert deliver(notification.pk) == "sent"
    assert deliver(notification.pk) == "already sent or being sent"
    sent = fresh(notification)
    assert sent.sent_at is not None and (sent.attempts, sent.last_error) == (2, "")
    assert len(mail.outbox) == 1


def test_a_recipient_without_an_address_is_skipped_with_a_note(people, mailoutbox):
    User.objects.filter(pk=people.buyer.pk).update(email="")
    notification = _unsent(people)

    assert deliver(notification.pk) == "no address"
    assert mailoutbox == []
    assert fresh(notification).last_error == "recipient has no email address"


def test_a_broken_template_is_recorded_as_a_failure_not_retried_in_a_loop(people, mailoutbox):
    notification = _unsent(people)
    Notification.objects.filter(pk=notification.pk).update(event="no_such_event")

    assert deliver(notification.pk) == "failed"
    failed = fresh(notification)
    assert failed.attempts == 1 and "TemplateDoesNotExist" in failed.last_error and failed.sent_at is None
    assert mailoutbox == []


def test_the_outbox_sweep_gives_up_after_ten_attempts(people, mailoutbox):
    notification = _unsent(people)
    Notification.objects.filter(pk=notification.pk).update(attempts=10)

    with at(notification.created_at + DAY):
        assert run_job("send_notifications").moved == 0
    assert mailoutbox == []


# --- The table ------------------------------------------------------------------------------


def test_every_event_names_who_is_told_or_requires_the_caller_to():
    for event, audience in EVENTS.items():
        assert set(audience) <= {"buyer", "seller"}, event
        if not audience:
            with pytest.raises(ValueError, match="explicit recipients"):
                audience_for(event, {})
            assert audience_for(event, {}, ["seller"]) == ("seller",)


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="Unknown notification event"):
        audience_for("dispute_reopened", {})


def test_a_dispute_closed_by_a_decision_or_an_unshipped_return_is_not_reported_twice():
    """The decision's and the overdue return's own emails already say the dispute closed."""
    assert audience_for("dispute_closed", {"outcome": "decided_refund"}) == ()
    assert audience_for("dispute_closed", {"outcome": "decided_rejected"}) == ()
    assert audience_for("dispute_closed", {"outcome": "return_not_shipped"}) == ()
    assert audience_for("dispute_closed", {"outcome": "seller_accepted"}) == ("buyer", "seller")
