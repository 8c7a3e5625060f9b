"""The dispute between buyer and seller, before arbitration (SPEC §4: R-DSP-1 … R-DSP-10, R-REF-1).

Every case is built through the services at fixed moments; each test checks what the person
is told, what the database holds afterwards, the money (ledger + reconciliation) and the audit
trail (who moved it).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from arbitration import services
from arbitration.models import ClaimVersion, Dispute, Evidence, Message, Offer, SolicitationPattern
from arbitration.presentation import available_actions
from arbitration.selectors import seller_record
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Order, Refund
from marketplace.scheduling import run_job
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    OPENED,
    SECOND,
    amounts,
    assert_books_balance,
    at,
    awaiting_return,
    closed_by_seller,
    decline,
    escalate_overdue,
    escrow,
    fresh,
    ledger,
    log_of,
    notified,
    offer,
    open_dispute,
    png,
    reject,
    seller_accepts,
    shipped,
    snapshot,
)
from tests.marketplace.factories import confirmed_order

pytestmark = pytest.mark.django_db

REFUND, RELEASE = LedgerEntry.Kind.REFUND, LedgerEntry.Kind.RELEASE


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


# --- R-DSP-1: one dispute per order, ever ---------------------------------------------------


def test_a_second_dispute_on_the_same_order_is_refused_and_points_to_complaints_R_DSP_1(people, dispute):
    with at(OPENED + HOUR):
        message = refused(
            lambda: services.dispute_open(
                order=fresh(dispute.order),
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description="Trying again",
            )
        )

    assert "already opened for this order on 2025-03-23" in message
    assert "file a complaint" in message
    assert Dispute.objects.filter(order_id=dispute.order_id).count() == 1


def test_a_closed_dispute_can_never_be_reopened_and_the_buyer_is_told_to_complain_R_DSP_1(people):
    dispute = closed_by_seller(people)

    with at(OPENED + 2 * DAY):
        reopen = refused(
            lambda: services.dispute_open(
                order=fresh(dispute.order),
                actor=people.buyer,
                reason="not_received",
                resolution="full_refund",
                description="The refund never came, reopening",
            )
        )
        amend = refused(
            lambda: services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description="x",
            )
        )
        write = refused(
            lambda: services.dispute_post_message(dispute=dispute, actor=people.buyer, body="Hello?")
        )

    assert "a closed one can't be reopened" in reopen and "file a complaint" in reopen
    for message in (amend, write):
        assert message == str(services.CLOSED_HINT)
        assert "can't be reopened" in message and "file a complaint" in message
    assert "file_complaint" in available_actions(fresh(dispute), people.buyer)


def test_the_database_itself_refuses_a_second_dispute_for_an_order_R_DSP_1(people):
    dispute = open_dispute(people)

    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.create(
            order_id=dispute.order_id,
            buyer=people.buyer,
            seller=people.seller,
            reason="damaged",
            resolution="full_refund",
            description="duplicate",
        )


# --- R-DSP-2: opening ---------------------------------------------------------------------


def test_the_buyer_opens_a_dispute_with_reason_resolution_description_and_evidence_R_DSP_2(people):
    order = shipped(people)

    with at(OPENED):
        dispute = services.dispute_open(
            order=order,
            actor=people.buyer,
            reason="not_as_described",
            resolution="partial_refund",
            requested_amount="35.00",
            description="The colour is brown, not grey.",
            files=[png("front.png"), png("label.png", "blue")],
        )

    dispute = fresh(dispute)
    assert (dispute.state, dispute.reason, dispute.resolution, dispute.requested_amount) == (
        Dispute.State.OPEN,
        "not_as_described",
        "partial_refund",
        Decimal("35.00"),
    )
    assert dispute.deadline_at == OPENED + 7 * DAY  # escalation (R-DSP-6)
    assert fresh(order).state == Order.State.DISPUTED  # escrow frozen until the dispute resolves it
    assert Evidence.objects.filter(dispute=dispute, uploaded_by=people.buyer).count() == 2
    assert list(ClaimVersion.objects.filter(dispute=dispute).values_list("number", "description")) == [
        (0, "The colour is brown, not grey.")
    ]
    assert log_of(dispute) == [("open", people.buyer.pk)]
    assert notified(people.seller, "dispute_opened")


def test_a_dispute_can_be_opened_until_one_second_before_the_dispute_deadline_R_DSP_2(people):
    on_time = confirmed_order(buyer=people.buyer, seller=people.seller, payment_method="Visa •••• 1111")
    late = confirmed_order(buyer=people.buyer, seller=people.seller, payment_method="Visa •••• 3333")
    assert on_time.dispute_deadline == on_time.confirmed_at + 15 * DAY  # R-PRT-2 after receipt

    with at(on_time.dispute_deadline - SECOND):
        services.dispute_open(
            order=on_time,
            actor=people.buyer,
            reason="damaged",
            resolution="full_refund",
            description="Cracked",
        )
    with at(late.dispute_deadline + SECOND):
        message = refused(
            lambda: services.dispute_open(
                order=late,
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description="Cracked",
            )
        )

    assert message == "The time to open a dispute for this order has ended."
    assert not Dispute.objects.filter(order=late).exists()
    assert fresh(late).state == Order.State.CONFIRMED


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"reason": "bored"}, "Choose what went wrong."),
        ({"description": "   "}, "Describe what happened, so the seller and arbiters understand."),
        ({"resolution": "new_phone"}, "Choose the resolution you want."),
        ({"resolution": "partial_refund"}, "Enter the amount you want back."),
        (
            {"resolution": "partial_refund", "requested_amount": "100.00"},
            "A partial refund must be more than 0 and less than the 100.00 USD you paid; for all of it "
            "choose a full refund.",
        ),
        ({"resolution": "partial_refund", "requested_amount": "0"}, "A partial refund must be more than 0"),
        (
            {"resolution": "partial_refund", "requested_amount": "12.345"},
            "Amounts have at most two decimal places.",
        ),
    ],
)
def test_a_claim_without_what_the_spec_requires_is_refused_with_a_clear_message_R_DSP_2(
    people, fields, expected
):
    order = shipped(people)
    claim = {"reason": "damaged", "resolution": "full_refund", "description": "Broken", **fields}

    with at(OPENED):
        message = refused(lambda: services.dispute_open(order=order, actor=people.buyer, **claim))

    assert message.startswith(expected)
    assert not Dispute.objects.exists()
    assert fresh(order).state == Order.State.SHIPPED


@pytest.mark.parametrize("who", ["seller", "stranger", "arbiter"])
def test_only_the_buyer_opens_a_dispute_R_DSP_2(people, who):
    order = shipped(people)

    with at(OPENED):
        message = refused(
            lambda: services.dispute_open(
                order=order,
                actor=getattr(people, who),
                reason="damaged",
                resolution="full_refund",
                description="x",
            )
        )

    assert message == "Only the buyer can open a dispute on this order."
    assert not Dispute.objects.exists()


# --- R-DSP-3: amendments ------------------------------------------------------------------


def test_the_buyer_amends_the_claim_four_times_and_every_version_is_kept_R_DSP_3(people, settings):
    assert settings.MAX_DISPUTE_AMENDMENTS == 4
    dispute = open_dispute(people)
    wanted = ["10.00", "20.00", "30.00", "40.00"]

    for hour, amount in enumerate(wanted, start=1):
        with at(OPENED + hour * HOUR):
            services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="partial_refund",
                requested_amount=amount,
                description=f"Keep it for a refund of {amount}",
            )
    with at(OPENED + 6 * HOUR):
        message = refused(
            lambda: services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description="All",
            )
        )

    assert message == "You have used all 4 amendments of this claim. You can still add messages and evidence."
    dispute = fresh(dispute)
    assert (dispute.amendments_used, dispute.requested_amount) == (4, Decimal("40.00"))
    versions = ClaimVersion.objects.filter(dispute=dispute).order_by("number")
    assert [(v.number, v.requested_amount) for v in versions] == [
        (0, None),
        (1, Decimal("10.00")),
        (2, Decimal("20.00")),
        (3, Decimal("30.00")),
        (4, Decimal("40.00")),
    ]
    assert versions[0].reason == "not_received"  # the original is kept as it was
    assert [t for t, by in log_of(dispute)].count("amend") == 4
    assert "amend" not in available_actions(dispute, people.buyer)


def test_messages_and_evidence_are_free_and_never_count_as_amendments_R_DSP_3(people):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        for n in range(6):
            services.dispute_post_message(
                dispute=dispute, actor=people.buyer, body=f"Photo {n}", files=[png()]
            )

    dispute = fresh(dispute)
    assert dispute.amendments_used == 0
    assert Message.objects.filter(dispute=dispute).count() == 6
    assert Evidence.objects.filter(dispute=dispute).count() == 6
    assert "amend" in available_actions(dispute, people.buyer)


def test_an_amendment_that_changes_nothing_is_refused_and_not_counted_R_DSP_3(people):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        message = refused(
            lambda: services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason=dispute.reason,
                resolution=dispute.resolution,
                description=dispute.description,
            )
        )

    assert message == "Nothing changed: an amendment must change the claim."
    assert fresh(dispute).amendments_used == 0


def test_the_claim_can_be_amended_only_while_the_dispute_is_open_and_only_by_the_buyer_R_DSP_3(people):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        by_seller = refused(
            lambda: services.dispute_amend(
                dispute=dispute,
                actor=people.seller,
                reason="damaged",
                resolution="full_refund",
                description="x",
            )
        )
    dispute = escalate_overdue(people, dispute)
    with at(dispute.escalated_at + HOUR):
        after_escalation = refused(
            lambda: services.dispute_amend(
                dispute=dispute,
                actor=people.buyer,
                reason="damaged",
                resolution="full_refund",
                description="x",
            )
        )

    assert by_seller == "Only the buyer can do that."  # who refuses, not the state
    assert after_escalation.startswith("You can't do that now: the case is “Escalated")
    assert ClaimVersion.objects.filter(dispute=dispute).count() == 1


# --- R-DSP-4: who closes a dispute --------------------------------------------------------


def test_the_buyer_withdraws_and_the_whole_escrow_goes_to_the_seller_R_DSP_4(people):
    dispute = open_dispute(people)

    with at(OPENED + DAY):
        services.dispute_withdraw(dispute=dispute, actor=people.buyer, confirmed=True)

    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome, dispute.refund) == (Dispute.State.CLOSED, "withdrawn", None)
    assert amounts(dispute.order, RELEASE) == [Decimal("100.00")]
    assert amounts(dispute.order, REFUND) == []
    assert log_of(dispute)[-1] == ("withdraw", people.buyer.pk)
    assert_books_balance()


@pytest.mark.parametrize("state", ["open", "escalated", "under_review", "awaiting_return"])
def test_the_seller_can_never_cancel_or_withdraw_a_dispute_R_DSP_4(people, state):
    if state == "awaiting_return":
        dispute = awaiting_return(people)
    else:
        dispute = open_dispute(people)
        if state != "open":
            dispute = escalate_overdue(people, dispute)
        if state == "under_review":
            with at(dispute.escalated_at + HOUR):
                services.case_take(case=dispute, actor=people.arbiter)
    dispute = fresh(dispute)
    before = snapshot(dispute)

    with at(dispute.opened_at + 7 * DAY + 2 * HOUR):
        message = refused(
            lambda: services.dispute_withdraw(
                dispute=dispute, actor=people.seller, confirmed=True, confirmed_despite_solicitation=True
            )
        )
        offered = available_actions(dispute, people.seller).actions

    # Who refuses where the buyer could withdraw; the state where nobody can.
    assert message == "Only the buyer can do that." or message.startswith(
        "You can't do that now: the case is"
    )
    assert snapshot(dispute) == before
    closing = {
        "withdraw",
        "decide",
        "close_return_not_shipped",
        "refund_unconfirmed_return",
        "confirm_return",
    }
    assert not closing & set(offered)


def test_rejecting_the_claim_never_closes_the_dispute_R_DSP_4(people):
    dispute = reject(people, open_dispute(people))

    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.OPEN
    assert not ledger(dispute.order).exclude(kind=LedgerEntry.Kind.HOLD).exists()


def test_the_scheduler_never_closes_an_open_dispute_it_only_escalates_it_R_DSP_4(people):
    dispute = open_dispute(people)

    with at(dispute.deadline_at + DAY):
        results = {
            name: run_job(name).moved
            for name in ["close_unshipped_returns", "refund_unconfirmed_returns", "escalate_disputes"]
        }

    assert results == {"close_unshipped_returns": 0, "refund_unconfirmed_returns": 0, "escalate_disputes": 1}
    assert fresh(dispute).state == Dispute.State.ESCALATED
    assert fresh(dispute.order).state == Order.State.DISPUTED


# --- R-DSP-5: the seller's answers and the buyer's answer to an offer ----------------------


def test_the_seller_accepts_a_full_refund_claim_and_the_buyer_is_refunded_in_the_same_transaction_R_DSP_5(
    people,
):
    dispute = open_dispute(people)

    with at(OPENED + DAY):
        services.dispute_seller_accept(dispute=dispute, actor=people.seller)

    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "seller_accepted")
    assert dispute.refund.amount == Decimal("100.00")
    assert dispute.refund.due_at == OPENED + DAY + 60 * DAY  # R-REF-2
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
    assert amounts(dispute.order, RELEASE) == []
    assert fresh(dispute.order).state == Order.State.COMPLETED
    assert log_of(dispute)[-1] == ("accept_claim", people.seller.pk)
    assert notified(people.buyer, "dispute_closed")
    assert_books_balance()


def test_the_seller_accepts_a_partial_refund_claim_refund_and_release_together_R_REF_1_R_DSP_5(people):
    dispute = open_dispute(people, resolution="partial_refund", requested="35.00")

    seller_accepts(people, dispute)

    dispute = fresh(dispute)
    assert dispute.refund.amount == Decimal("35.00")
    assert amounts(dispute.order, REFUND) == [Decimal("35.00")]
    assert amounts(dispute.order, RELEASE) == [Decimal("65.00")]
    e = escrow(dispute.order)
    assert (e.refunded, e.released, e.balance) == (Decimal("35.00"), Decimal("65.00"), 0)
    assert_books_balance()


def test_accepting_a_return_claim_starts_the_return_to_the_sellers_address_R_DSP_5(people, settings):
    dispute = awaiting_return(people)

    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.AWAITING_RETURN
    assert dispute.return_shipment.address == people.seller.return_address
    assert dispute.return_shipment.refund_amount == Decimal("100.00")
    assert dispute.deadline_at == OPENED + DAY + settings.RETURN_SHIP_DAYS * DAY
    assert amounts(dispute.order, REFUND) == []  # money waits for the return


def test_a_return_needs_a_return_address_R_DSP_5(people):
    people.seller.return_address = ""
    people.seller.save()
    dispute = open_dispute(people, resolution="return_and_refund")
    before = snapshot(dispute)

    with at(OPENED + HOUR):
        accept = refused(lambda: services.dispute_seller_accept(dispute=dispute, actor=people.seller))
        make = refused(
            lambda: services.dispute_make_offer(
                dispute=dispute, actor=people.seller, kind="return_and_refund"
            )
        )

    assert accept == "A return needs the address to send the item to."
    assert make == "A return needs the address the buyer should send the item to."
    assert snapshot(dispute) == before


@pytest.mark.parametrize(
    ("kind", "amount", "expected"),
    [
        (
            "partial_refund",
            "0",
            "A partial refund must be more than 0 and less than 100.00 USD; to refund "
            "everything, accept the claim.",
        ),
        ("partial_refund", "100.00", "A partial refund must be more than 0 and less than 100.00 USD"),
        (
            "return_and_refund",
            "100.01",
            "The refund after the return must be more than 0 and at most 100.00.",
        ),
        ("store_credit", "10", "Choose a partial refund or a return and refund."),
    ],
)
def test_an_offer_outside_what_was_paid_is_refused_R_DSP_5(people, kind, amount, expected):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        message = refused(
            lambda: services.dispute_make_offer(
                dispute=dispute, actor=people.seller, kind=kind, amount=amount
            )
        )

    assert message.startswith(expected)
    assert not Offer.objects.exists()


def test_only_one_offer_is_pending_at_a_time_R_DSP_5(people):
    dispute = open_dispute(people)
    offer(people, dispute)

    with at(OPENED + 2 * HOUR):
        message = refused(
            lambda: services.dispute_make_offer(
                dispute=dispute, actor=people.seller, kind="partial_refund", amount="50.00"
            )
        )

    assert message == (
        "Your offer is waiting for the buyer's answer; one offer at a time. You can make another once "
        "they decline it."
    )
    assert list(Offer.objects.values_list("amount", "status")) == [(Decimal("30.00"), "pending")]
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database agrees
        Offer.objects.create(dispute=dispute, kind="partial_refund", amount="40.00", created_by=people.seller)


def test_the_buyer_accepts_a_partial_offer_and_it_closes_with_the_offers_terms_R_DSP_5_R_REF_1(people):
    dispute = open_dispute(people)
    pending = offer(people, dispute, amount="30.00")

    with at(OPENED + 2 * HOUR):
        services.dispute_accept_offer(dispute=dispute, actor=people.buyer, offer_id=pending.pk)

    dispute = fresh(dispute)
    assert (dispute.state, dispute.outcome) == (Dispute.State.CLOSED, "offer_accepted")
    assert Offer.objects.get().status == Offer.Status.ACCEPTED
    assert amounts(dispute.order, REFUND) == [Decimal("30.00")]
    assert amounts(dispute.order, RELEASE) == [Decimal("70.00")]
    assert log_of(dispute)[-1] == ("accept_offer", people.buyer.pk)
    assert_books_balance()


def test_accepting_a_return_offer_starts_the_return_for_the_offered_refund_R_DSP_5(people):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        services.dispute_make_offer(
            dispute=dispute,
            actor=people.seller,
            kind="return_and_refund",
            amount="90.00",
            return_address="Returns, 1 Dock St, Riga",
        )
    with at(OPENED + 2 * HOUR):
        services.dispute_accept_offer(dispute=dispute, actor=people.buyer)

    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.AWAITING_RETURN
    assert (dispute.return_shipment.address, dispute.return_shipment.refund_amount) == (
        "Returns, 1 Dock St, Riga",
        Decimal("90.00"),
    )
    assert amounts(dispute.order, REFUND) == []


def test_accepting_an_offer_that_was_replaced_is_refused_R_DSP_5(people):
    dispute = open_dispute(people)
    first = offer(people, dispute, amount="30.00")
    decline(people, dispute)
    offer(people, dispute, when=OPENED + 4 * HOUR, amount="45.00")

    with at(OPENED + 5 * HOUR):
        message = refused(
            lambda: services.dispute_accept_offer(dispute=dispute, actor=people.buyer, offer_id=first.pk)
        )

    assert message == "That offer is no longer open; reload the page to see the current one."
    assert fresh(dispute).state == Dispute.State.OPEN


def test_the_buyer_declines_an_offer_and_the_seller_may_offer_again_R_DSP_5(people):
    dispute = open_dispute(people)
    offer(people, dispute)

    decline(people, dispute)

    dispute = fresh(dispute)
    assert list(Offer.objects.values_list("status", flat=True)) == ["declined"]
    assert dispute.buyer_declined_offer_at == OPENED + 3 * HOUR
    assert "make_offer" in available_actions(dispute, people.seller)
    assert Message.objects.filter(dispute=dispute, role="buyer", body="30 is not enough.").exists()
    assert notified(people.seller, "dispute_offer_answered")


def test_the_seller_rejects_with_an_explanation_and_evidence_R_DSP_5(people):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        empty = refused(
            lambda: services.dispute_reject_claim(dispute=dispute, actor=people.seller, explanation=" ")
        )
        services.dispute_reject_claim(
            dispute=dispute,
            actor=people.seller,
            explanation="Delivered to the pickup point, signed.",
            files=[png()],
        )

    dispute = fresh(dispute)
    assert empty == "Explain why you reject the claim; the buyer and arbiters will read it."
    assert dispute.seller_rejection == "Delivered to the pickup point, signed."
    assert Evidence.objects.filter(dispute=dispute, uploaded_by=people.seller).count() == 1
    assert notified(people.buyer, "dispute_answered")
    with at(OPENED + 2 * HOUR):
        again = refused(
            lambda: services.dispute_reject_claim(dispute=dispute, actor=people.seller, explanation="Again")
        )
    assert again.startswith("You have already rejected this claim")  # the rule, R-DSP-5


# --- R-DSP-6: escalation ------------------------------------------------------------------


def test_the_scheduler_escalates_a_dispute_open_seven_days_not_a_second_earlier_and_once_R_DSP_6(
    people, settings
):
    assert settings.ESCALATION_AFTER_DAYS == 7
    dispute = open_dispute(people)
    deadline = OPENED + 7 * DAY

    with at(deadline - SECOND):
        early = run_job("escalate_disputes")
    assert (early.moved, fresh(dispute).state) == (0, Dispute.State.OPEN)

    with at(deadline + SECOND):
        due = run_job("escalate_disputes")
    with at(deadline + 2 * SECOND):
        again = run_job("escalate_disputes")

    dispute = fresh(dispute)
    assert (due.moved, again.moved) == (1, 0)
    assert dispute.state == Dispute.State.ESCALATED
    assert dispute.escalated_at == deadline + SECOND
    assert dispute.deadline_at == deadline + SECOND + 5 * DAY  # decision due (R-ARB-4)
    assert log_of(dispute)[-1] == ("escalate_overdue", people.scheduler.pk)
    assert notified(people.buyer, "dispute_escalated") and notified(people.seller, "dispute_escalated")


def test_escalation_withdraws_a_pending_offer_R_DSP_6(people):
    dispute = open_dispute(people)
    offer(people, dispute)

    escalate_overdue(people, dispute)

    assert list(Offer.objects.values_list("status", flat=True)) == ["withdrawn"]


def test_the_buyer_cannot_escalate_early_before_a_rejection_or_a_declined_offer_R_DSP_6(people):
    dispute = open_dispute(people)
    offer(people, dispute)

    with at(OPENED + 2 * HOUR):
        message = refused(lambda: services.dispute_escalate(dispute=dispute, actor=people.buyer))

    assert message.startswith("You can take the dispute to arbitration early once the seller rejects")
    assert fresh(dispute).state == Dispute.State.OPEN


@pytest.mark.parametrize("after", ["seller_rejected", "buyer_declined_offer"])
def test_the_buyer_escalates_early_after_a_rejection_or_a_declined_offer_R_DSP_6(people, after):
    dispute = open_dispute(people)
    if after == "seller_rejected":
        reject(people, dispute)
    else:
        offer(people, dispute)
        decline(people, dispute)

    with at(OPENED + DAY):
        services.dispute_escalate(dispute=dispute, actor=people.buyer)

    dispute = fresh(dispute)
    assert (dispute.state, dispute.escalated_at) == (Dispute.State.ESCALATED, OPENED + DAY)
    assert log_of(dispute)[-1] == ("escalate", people.buyer.pk)
    with at(OPENED + 8 * DAY):
        assert run_job("escalate_disputes").moved == 0  # already with arbitration


@pytest.mark.parametrize("who", ["seller", "stranger", "arbiter"])
def test_only_the_buyer_escalates_early_and_only_the_scheduler_escalates_when_due_R_DSP_6(people, who):
    dispute = reject(people, open_dispute(people))

    with at(OPENED + 8 * DAY):
        early = refused(lambda: services.dispute_escalate(dispute=dispute, actor=getattr(people, who)))
        overdue = refused(
            lambda: services.dispute_escalate_overdue(dispute=dispute, actor=getattr(people, who))
        )

    assert early == "Only the buyer can do that."
    assert overdue == "Only the scheduler does that, when the time runs out."
    assert fresh(dispute).state == Dispute.State.OPEN


# --- R-DSP-7: the thread -----------------------------------------------------------------


def test_buyer_and_seller_exchange_messages_and_the_other_party_is_told_R_DSP_7(people, dispute):
    with at(OPENED + HOUR):
        services.dispute_post_message(dispute=dispute, actor=people.buyer, body="Where is my parcel?")
    with at(OPENED + 2 * HOUR):
        services.dispute_post_message(
            dispute=dispute, actor=people.seller, body="Checking with the carrier.", files=[png()]
        )

    thread = list(Message.objects.filter(dispute=dispute).values_list("role", "author_id", "body"))
    assert thread == [
        ("buyer", people.buyer.pk, "Where is my parcel?"),
        ("seller", people.seller.pk, "Checking with the carrier."),
    ]
    assert Evidence.objects.get().message.body == "Checking with the carrier."
    assert notified(people.seller, "dispute_message") and notified(people.buyer, "dispute_message")


def test_an_arbiter_joins_the_thread_only_after_escalation_and_strangers_never_R_DSP_7(people):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        arbiter_before = refused(
            lambda: services.dispute_post_message(dispute=dispute, actor=people.arbiter, body="Hello")
        )
        for outsider in (people.stranger, people.staff):
            assert refused(
                lambda u=outsider: services.dispute_post_message(dispute=dispute, actor=u, body="Hi")
            ) == ("You can't write in this dispute.")
    dispute = escalate_overdue(people, dispute)
    with at(dispute.escalated_at + HOUR):
        services.dispute_post_message(
            dispute=dispute, actor=people.arbiter, body="Please upload the label photo."
        )

    assert arbiter_before == "You can't write in this dispute."
    assert list(Message.objects.values_list("role", "author_id")) == [("arbiter", people.arbiter.pk)]


def test_messages_are_never_edited_or_deleted_R_DSP_7(people, dispute):
    with at(OPENED + HOUR):
        message = services.dispute_post_message(dispute=dispute, actor=people.seller, body="Original words")

    message.body = "Rewritten history"
    with pytest.raises(ValueError, match="never edited"):
        message.save()
    with pytest.raises(ValueError, match="never deleted"):
        message.delete()
    assert Message.objects.get().body == "Original words"


def test_an_empty_message_is_refused_R_DSP_7(people, dispute):
    with at(OPENED + HOUR):
        assert refused(
            lambda: services.dispute_post_message(dispute=dispute, actor=people.buyer, body="  ")
        ) == ("Write a message or attach a file.")


# --- R-DSP-8: off-platform solicitation -----------------------------------------------------

SOLICITATION = "Please close the dispute and I refund you by PayPal directly, plus 30% discount next time."


def test_a_seller_message_asking_to_close_the_dispute_for_paypal_money_is_flagged_R_DSP_8(people):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        flagged = services.dispute_post_message(dispute=dispute, actor=people.seller, body=SOLICITATION)
        clean = services.dispute_post_message(
            dispute=dispute,
            actor=people.seller,
            body="The parcel is at customs; the refund will come if it is lost.",
        )

    assert flagged.is_flagged and flagged.solicitation_patterns
    assert not clean.is_flagged and clean.solicitation_patterns == []
    assert fresh(dispute).solicitation_flags == 1  # the flag goes to arbitration with the dispute
    assert seller_record(people.seller).solicitation_flags == 1  # and counts on the seller's record
    assert notified(people.buyer, "dispute_message")[0].context["flagged"] is True  # the buyer is warned


def test_buyer_messages_are_not_scanned_for_solicitation_R_DSP_8(people):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        message = services.dispute_post_message(
            dispute=dispute,
            actor=people.buyer,
            body="The seller asked me to close the dispute for PayPal money.",
        )

    assert not message.is_flagged
    assert fresh(dispute).solicitation_flags == 0


def test_staff_add_and_switch_off_solicitation_patterns_without_a_deploy_R_DSP_8(people):
    dispute = open_dispute(people)
    text = "Write me on the Zorblax app and I make it right."
    with at(OPENED + HOUR):
        before = services.dispute_post_message(dispute=dispute, actor=people.seller, body=text)
    # No pattern matches yet; the trained classifier (issue 17, round 4) may, under its own name.
    assert [flag["pattern"] for flag in before.solicitation_patterns] in ([], ["classifier"])

    pattern = SolicitationPattern.objects.create(
        name="zorblax-messenger", pattern=r"zorblax", language="any", updated_by=people.supervisor
    )
    with at(OPENED + 2 * HOUR):
        now_flagged = services.dispute_post_message(dispute=dispute, actor=people.seller, body=text)
    pattern.is_active = False
    pattern.save()
    with at(OPENED + 3 * HOUR):
        switched_off = services.dispute_post_message(dispute=dispute, actor=people.seller, body=text)

    assert "zorblax-messenger" in [flag["pattern"] for flag in now_flagged.solicitation_patterns]
    assert "zorblax-messenger" not in [flag["pattern"] for flag in switched_off.solicitation_patterns]


# --- R-DSP-9: the withdrawal warning --------------------------------------------------------


def test_before_withdrawing_the_buyer_is_told_it_cannot_be_reopened_R_DSP_9(people, dispute):
    before = snapshot(dispute)

    warning = services.withdrawal_warning(dispute)
    with at(OPENED + HOUR):
        message = refused(lambda: services.dispute_withdraw(dispute=dispute, actor=people.buyer))

    assert "can't be reopened" in warning.text and "arbitration will no longer be possible" in warning.text
    assert not warning.needs_second_confirmation
    assert message == warning.text  # unconfirmed: the warning, and nothing happens
    assert snapshot(dispute) == before


def test_with_a_flagged_message_the_warning_names_it_and_needs_a_second_confirmation_R_DSP_9(people):
    dispute = open_dispute(people)
    with at(OPENED + 2 * HOUR):
        services.dispute_post_message(dispute=dispute, actor=people.seller, body=SOLICITATION)
    before = snapshot(dispute)

    warning = services.withdrawal_warning(dispute)
    with at(OPENED + 3 * HOUR):
        once = refused(lambda: services.dispute_withdraw(dispute=dispute, actor=people.buyer, confirmed=True))
    assert snapshot(dispute) == before
    with at(OPENED + 4 * HOUR):
        services.dispute_withdraw(
            dispute=dispute, actor=people.buyer, confirmed=True, confirmed_despite_solicitation=True
        )

    assert warning.needs_second_confirmation
    assert [m.body for m in warning.flagged_messages] == [SOLICITATION]
    assert "message of March 23, 2025, 11 a.m." in warning.text and "outside the platform" in warning.text
    assert once.endswith("Tick the second confirmation to withdraw anyway.")
    assert fresh(dispute).outcome == Dispute.Outcome.WITHDRAWN
    assert log_of(dispute)[-1] == ("withdraw", people.buyer.pk)


# --- R-DSP-10: whose turn, what now, by when --------------------------------------------------


def test_a_new_dispute_is_the_sellers_turn_with_the_escalation_deadline_R_DSP_10(people):
    dispute = open_dispute(people)

    with at(OPENED + HOUR):
        for_buyer = available_actions(dispute, people.buyer)
        for_seller = available_actions(dispute, people.seller)

    assert (for_buyer.role, for_seller.role) == ("buyer", "seller")
    assert for_seller.turn.who == "seller"
    assert for_seller.deadline.at == OPENED + 7 * DAY
    assert "arbitration automatically" in str(for_seller.deadline.consequence)
    assert set(for_seller.actions) == {"accept_claim", "make_offer", "reject_claim", "message"}
    assert set(for_buyer.actions) == {"amend", "withdraw", "message"}
    assert ("accept_claim", "Accept the claim") in [(n, str(label)) for n, label in for_seller.labelled]


def test_the_turn_follows_the_dispute_through_its_life_R_DSP_10(people):
    dispute = open_dispute(people, resolution="return_and_refund", reason="damaged")
    turns = [available_actions(fresh(dispute), people.buyer).turn.who]
    offer(people, dispute)
    turns.append(available_actions(fresh(dispute), people.buyer).turn.who)
    decline(people, dispute)
    turns.append(available_actions(fresh(dispute), people.buyer).turn.who)
    seller_accepts(people, dispute)
    with at(OPENED + 2 * DAY):
        awaiting = available_actions(fresh(dispute), people.buyer)
    turns.append(awaiting.turn.who)

    assert turns == ["seller", "buyer", "buyer", "buyer"]
    assert awaiting.deadline.at == fresh(dispute).deadline_at
    assert "payment goes to the seller" in str(awaiting.deadline.consequence)
    assert awaiting.actions == ["ship_return", "message"]


def test_a_closed_dispute_is_nobodys_turn_and_has_no_deadline_R_DSP_10(people):
    dispute = fresh(closed_by_seller(people))

    availability = available_actions(dispute, people.seller)

    assert availability.turn.who == "nobody"
    assert availability.deadline is None
    assert availability.actions == []


def test_refunds_are_made_once_even_when_the_seller_accepts_twice_R_SEC_4(people):
    dispute = open_dispute(people)
    seller_accepts(people, dispute)

    with at(OPENED + DAY + SECOND):
        message = refused(lambda: services.dispute_seller_accept(dispute=dispute, actor=people.seller))

    assert message == str(services.CLOSED_HINT)
    assert Refund.objects.count() == 1
    assert amounts(dispute.order, REFUND) == [Decimal("100.00")]
