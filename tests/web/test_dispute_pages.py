"""The dispute pages: every action of the buyer and the seller, as forms (SPEC §4, §7, §8, §9).

For each action: valid input does it; bad input re-renders the form with what was typed and
a message that says what to do; an action that is not allowed now is refused with a message,
never a 500. Pages offer exactly the actions ``available_actions`` allows (R-DSP-10).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from arbitration.models import Complaint, Dispute, Evidence, InformationRequest, Message, Offer, SafetyReport
from arbitration.presentation import available_actions
from marketplace import services as money
from marketplace.models import Order, Refund
from tests.web.conftest import (
    RETURN_ADDRESS,
    awaiting_return,
    closed_with_refund,
    fake_exe,
    fresh,
    messages_of,
    open_dispute,
    png,
    rejected,
    return_in_transit,
    shipped,
    under_review_with_question,
    with_offer,
    with_solicitation,
)

pytestmark = pytest.mark.django_db

ACTION_URLS = {
    "amend": "dispute-amend",
    "message": "dispute-message",
    "accept_claim": "dispute-accept-claim",
    "make_offer": "dispute-offer",
    "reject_claim": "dispute-reject",
    "accept_offer": "dispute-offer-accept",
    "decline_offer": "dispute-offer-decline",
    "escalate": "dispute-escalate",
    "withdraw": "dispute-withdraw",
    "ship_return": "dispute-return-ship",
    "confirm_return": "dispute-return-acknowledge",
    "report_return_problem": "dispute-return-acknowledge",
    "file_complaint": "dispute-complaint",
}


def page(client, dispute):
    response = client.get(reverse("dispute-detail", args=[dispute.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- Opening a dispute (R-DSP-2) ---------------------------------------------------------------


def test_a_buyer_opens_a_dispute_with_several_photos_at_once(people, client):
    """R-DSP-2, R-EVD: reason, resolution, amount for a partial refund, description, evidence."""
    order = shipped(people)
    client.force_login(people.buyer)
    form_page = client.get(reverse("dispute-open", args=[order.pk])).content.decode()
    assert "multiple" in form_page and "up to 15 MB" in form_page  # the rules stated up front
    response = client.post(
        reverse("dispute-open", args=[order.pk]),
        {
            "reason": "damaged",
            "resolution": "partial_refund",
            "requested_amount": "30.00",
            "description": "The case is cracked.",
            "files": [png("front.png"), png("back.png", "blue")],
        },
    )
    dispute = Dispute.objects.get(order=order)
    assert response.status_code == 302 and response["Location"] == reverse(
        "dispute-detail", args=[dispute.pk]
    )
    assert dispute.requested_amount == Decimal("30.00") and dispute.resolution == "partial_refund"
    assert sorted(Evidence.objects.filter(dispute=dispute).values_list("original_name", flat=True)) == [
        "back.png",
        "front.png",
    ]
    assert fresh(order).state == Order.State.DISPUTED


def test_a_partial_refund_without_an_amount_re_renders_with_what_was_typed(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-open", args=[order.pk]),
        {"reason": "damaged", "resolution": "partial_refund", "description": "Cracked case, see photos."},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter the amount you want back for a partial refund." in html
    assert "Cracked case, see photos." in html  # what the buyer typed is kept
    assert 'value="partial_refund" required id="id_resolution_1" checked' in html
    assert not Dispute.objects.exists()


def test_an_amount_over_the_price_is_refused_by_the_rule_with_its_reason(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-open", args=[order.pk]),
        {"reason": "damaged", "resolution": "partial_refund", "requested_amount": "150", "description": "x"},
    )
    assert response.status_code == 200
    assert (
        "A partial refund must be more than 0 and less than the 100.00 USD you paid"
        in response.content.decode()
    )
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("amount", ["abc", "1e400", "12.345", "-5", "NaN"])
def test_garbage_amounts_are_explained_never_a_500(people, client, amount):
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-open", args=[order.pk]),
        {"reason": "damaged", "resolution": "partial_refund", "requested_amount": amount, "description": "x"},
    )
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_rejected_file_is_explained_and_nothing_is_opened(people, client):
    """R-EVD-1: the type is decided by content; the file is named in the message; all or nothing."""
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-open", args=[order.pk]),
        {
            "reason": "damaged",
            "resolution": "full_refund",
            "description": "Broken on arrival.",
            "files": [png("ok.png"), fake_exe("invoice.pdf")],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "invoice.pdf" in html and "is not a photo, video or PDF" in html
    assert "choose them again" in html
    assert "Broken on arrival." in html
    assert not Dispute.objects.exists() and not Evidence.objects.exists()
    assert fresh(order).state == Order.State.SHIPPED


def test_a_russian_buyer_types_the_amount_with_a_decimal_comma(people, client):
    order = shipped(people, amount="3990.00", currency="RUB")
    client.force_login(people.buyer)
    client.cookies["django_language"] = "ru"
    client.post(
        reverse("dispute-open", args=[order.pk]),
        {
            "reason": "damaged",
            "resolution": "partial_refund",
            "requested_amount": "1 500,50",
            "description": "x",
        },
    )
    assert Dispute.objects.get(order=order).requested_amount == Decimal("1500.50")


def test_a_second_dispute_on_the_order_is_refused_with_what_to_do_instead(people, client):
    """R-DSP-1: one dispute per order, ever; the buyer is sent to it and told about complaints."""
    dispute = closed_with_refund(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-open", args=[dispute.order_id]),
        {"reason": "damaged", "resolution": "full_refund", "description": "again"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("dispute-detail", args=[dispute.pk])
    assert any("file a complaint" in m for m in messages_of(response))
    assert Dispute.objects.count() == 1


def test_a_dispute_cant_be_opened_after_the_deadline(people, client):
    """R-PRT-2: the form is not offered, and posting it anyway is refused with the reason."""
    order = shipped(people)
    with time_machine.travel(order.dispute_deadline + timezone.timedelta(seconds=1)):
        client.force_login(people.buyer)
        detail = client.get(reverse("order-detail", args=[order.pk])).content.decode()
        response = client.post(
            reverse("dispute-open", args=[order.pk]),
            {"reason": "damaged", "resolution": "full_refund", "description": "late"},
            follow=True,
        )
    assert reverse("dispute-open", args=[order.pk]) not in detail
    assert "The time to open a dispute for this order ended on" in response.content.decode()
    assert not Dispute.objects.exists()


# --- Whose turn, and exactly the allowed actions (R-DSP-10) ----------------------------------


CASES = {
    "open": open_dispute,
    "offer": with_offer,
    "rejected": rejected,
    "awaiting_return": awaiting_return,
    "return_in_transit": return_in_transit,
    "closed": closed_with_refund,
    "under_review": under_review_with_question,
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("reader", ["buyer", "seller"])
def test_the_page_offers_exactly_the_actions_allowed_now(case, reader, people, client):
    """R-DSP-10: the actions offered are exactly the transitions allowed for this user in this state."""
    dispute = CASES[case](people)
    user = getattr(people, reader)
    client.force_login(user)
    html = page(client, dispute)
    allowed = set(available_actions(dispute, user).actions)
    for action, url_name in ACTION_URLS.items():
        url = reverse(url_name, args=[dispute.pk])
        offered = f'action="{url}"' in html or f'href="{url}"' in html
        should = action in allowed or (
            url_name == "dispute-return-acknowledge" and {"confirm_return", "report_return_problem"} & allowed
        )
        assert offered == bool(should), (case, reader, action)


def test_everyone_sees_whose_turn_it_is_and_by_when(people, client):
    """R-DSP-10: the seller is told it is their turn and the deadline with its consequence."""
    dispute = open_dispute(people)
    client.force_login(people.seller)
    html = page(client, dispute)
    assert "Your turn" in html
    assert "Answer the claim: accept it, make an offer, or reject it" in html
    assert "goes to arbitration automatically" in html
    assert "7 days left" in html
    client.force_login(people.buyer)
    html = page(client, dispute)
    assert "Whose turn" in html and "The seller answers" in html


def test_posting_an_action_that_is_not_offered_is_refused_with_a_message(people, client):
    """R-DSP-6: escalation before a rejection or a declined offer is not allowed; posting it anyway."""
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    response = client.post(reverse("dispute-escalate", args=[dispute.pk]), follow=True)
    assert response.status_code == 200
    assert any("You can take the dispute to arbitration early once" in m for m in messages_of(response))
    assert fresh(dispute).state == Dispute.State.OPEN


def test_an_action_on_a_closed_dispute_says_what_the_buyer_can_do_instead(people, client):
    """R-DSP-1, R-CMP-1: a closed dispute can't be reopened; the message points to a complaint."""
    dispute = closed_with_refund(people)
    client.force_login(people.buyer)
    response = client.post(reverse("dispute-message", args=[dispute.pk]), {"body": "hello?"}, follow=True)
    assert any("file a complaint" in m for m in messages_of(response))


def test_a_race_lost_to_the_other_party_is_shown_beside_the_form(people, client):
    """Two tabs: the buyer accepts an offer the seller has meanwhile replaced; the service refuses
    under its lock and the page says so (never a 500)."""
    dispute = with_offer(people)
    first = dispute.pending_offer()
    services.dispute_decline_offer(dispute=dispute, actor=people.buyer)
    services.dispute_make_offer(dispute=dispute, actor=people.seller, kind="partial_refund", amount="55.00")
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-offer-accept", args=[dispute.pk]), {"offer_id": first.pk, "confirmed_effects": "yes"}
    )
    assert response.status_code == 200
    assert "That offer is no longer open" in response.content.decode()
    assert fresh(dispute).state == Dispute.State.OPEN


# --- The claim (R-DSP-3) -----------------------------------------------------------------------


def test_the_buyer_amends_the_claim_and_sees_how_many_amendments_are_left(people, client):
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    assert "4 of 4 left" in page(client, dispute)
    response = client.post(
        reverse("dispute-amend", args=[dispute.pk]),
        {
            "reason": "damaged",
            "resolution": "partial_refund",
            "requested_amount": "25",
            "description": "Also dented.",
        },
        follow=True,
    )
    assert any("Amendments left: 3 of 4" in m for m in messages_of(response))
    assert "3 of 4 left" in response.content.decode()
    assert fresh(dispute).amendments_used == 1


def test_an_amendment_that_changes_nothing_is_explained(people, client):
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-amend", args=[dispute.pk]),
        {"reason": dispute.reason, "resolution": dispute.resolution, "description": dispute.description},
    )
    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()


def test_after_the_last_amendment_the_claim_can_no_longer_be_amended(people, client, settings):
    settings.MAX_DISPUTE_AMENDMENTS = 1
    dispute = open_dispute(people)
    services.dispute_amend(
        dispute=dispute, actor=people.buyer, reason="damaged", resolution="full_refund", description="changed"
    )
    client.force_login(people.buyer)
    assert "0 of 1 left" in page(client, dispute)
    assert reverse("dispute-amend", args=[dispute.pk]) not in page(client, dispute)
    response = client.get(reverse("dispute-amend", args=[dispute.pk]), follow=True)
    assert response.redirect_chain and any(
        "You have used all 1 amendments" in m for m in messages_of(response)
    )


# --- Messages and evidence (R-DSP-7, R-DSP-8) ---------------------------------------------------


def test_both_parties_write_and_attach_files_in_the_thread(people, client):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    client.post(reverse("dispute-message", args=[dispute.pk]), {"body": "Please send a photo of the label."})
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-message", args=[dispute.pk]), {"body": "", "files": [png("label.png")]}, follow=True
    )
    assert any("1 file" in m for m in messages_of(response))
    assert Message.objects.filter(dispute=dispute).count() == 2
    assert Evidence.objects.get(dispute=dispute).original_name == "label.png"


def test_an_empty_message_says_what_to_do(people, client):
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    response = client.post(reverse("dispute-message", args=[dispute.pk]), {"body": "  "})
    assert response.status_code == 200 and "Write a message or attach a file." in response.content.decode()


def test_the_buyer_sees_a_warning_beside_a_flagged_seller_message(people, client):
    """R-DSP-8: the solicitation warning is shown to the buyer beside the flagged message."""
    dispute = with_solicitation(people)
    client.force_login(people.buyer)
    html = page(client, dispute)
    flagged = re.search(r'<li class="seller flagged" id="message-\d+">(.*?)</li>', html, re.S)
    assert flagged, "the flagged message is marked"
    assert "Promises made outside the platform are not protected" in flagged.group(1)
    assert "PayPal" in flagged.group(1)
    client.force_login(people.seller)
    assert "Promises made outside the platform" not in page(client, dispute)


# --- The seller's answers (R-DSP-4, R-DSP-5) -----------------------------------------------------


def test_the_seller_accepts_the_claim_and_the_buyer_is_refunded(people, client):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    assert "The buyer is refunded the full $100.00" in page(client, dispute)
    response = client.post(reverse("dispute-accept-claim", args=[dispute.pk]), follow=True)
    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.CLOSED and dispute.refund.amount == Decimal("100.00")
    assert any("The dispute is closed" in m for m in messages_of(response))


def test_accepting_a_return_claim_prefills_the_sellers_return_address(people, client):
    dispute = open_dispute(people, resolution="return_and_refund")
    client.force_login(people.seller)
    form = client.get(reverse("dispute-accept-claim", args=[dispute.pk])).content.decode()
    assert RETURN_ADDRESS in form
    client.post(reverse("dispute-accept-claim", args=[dispute.pk]), {"return_address": "Other street 5"})
    assert fresh(dispute).state == Dispute.State.AWAITING_RETURN
    assert fresh(dispute).return_shipment.address == "Other street 5"


def test_the_seller_offers_a_partial_refund(people, client):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    response = client.post(
        reverse("dispute-offer", args=[dispute.pk]),
        {"kind": "partial_refund", "amount": "40.00", "note": "Keep it, 40 back."},
        follow=True,
    )
    assert any("offer was sent" in m for m in messages_of(response))
    offer = Offer.objects.get(dispute=dispute)
    assert (offer.kind, offer.amount, offer.status) == ("partial_refund", Decimal("40.00"), "pending")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "partial_refund"}, "Enter the amount you offer to refund."),
        (
            {"kind": "partial_refund", "amount": "100"},
            "A partial refund must be more than 0 and less than 100.00",
        ),
        ({"kind": "return_and_refund", "return_address": " "}, "A return needs the address"),
        ({}, "This field is required."),
    ],
)
def test_a_bad_offer_is_explained_and_keeps_the_note(people, client, data, message):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    response = client.post(reverse("dispute-offer", args=[dispute.pk]), {**data, "note": "my note 123"})
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "my note 123" in html
    assert not Offer.objects.exists()


def test_the_offer_form_prefills_the_return_address(people, client):
    dispute = open_dispute(people)
    client.force_login(people.seller)
    assert RETURN_ADDRESS in client.get(reverse("dispute-offer", args=[dispute.pk])).content.decode()


def test_the_seller_rejects_with_an_explanation_and_evidence_and_the_dispute_stays_open(people, client):
    """R-DSP-4: a seller can never reject-close a dispute."""
    dispute = open_dispute(people)
    client.force_login(people.seller)
    missing = client.post(reverse("dispute-reject", args=[dispute.pk]), {"explanation": ""})
    assert "This field is required." in missing.content.decode()
    client.post(
        reverse("dispute-reject", args=[dispute.pk]),
        {"explanation": "Tested before shipping, video attached.", "files": [png("test.png")]},
    )
    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.OPEN and dispute.seller_rejected_at is not None
    assert Evidence.objects.filter(dispute=dispute, uploaded_by=people.seller).count() == 1


# --- The buyer's answers ------------------------------------------------------------------------


def test_the_buyer_accepts_an_offer_and_sees_the_refund_in_the_money_trail(people, client):
    """R-DSP-5, R-ESC-5: closes with the offer's terms; every cent on the page."""
    dispute = with_offer(people)
    client.force_login(people.buyer)
    html = page(client, dispute)
    assert "Partial refund: $40.00" in html
    response = client.post(
        reverse("dispute-offer-accept", args=[dispute.pk]),
        {"offer_id": dispute.pending_offer().pk, "confirmed_effects": "yes"},  # the step's button
        follow=True,
    )
    html = response.content.decode()
    assert fresh(dispute).state == Dispute.State.CLOSED
    assert "Money trail" in html and re.search(r"Refund(ed)? to Visa •••• 4242", html)
    assert re.search(r"Refunds to you</dt><dd>\$40\.00", html)
    assert re.search(r"Paid to the seller</dt><dd>\$60\.00", html)


def test_the_buyer_declines_the_offer_and_may_then_escalate(people, client):
    """R-DSP-6: early escalation once the buyer declined an offer."""
    dispute = with_offer(people)
    client.force_login(people.buyer)
    client.post(reverse("dispute-offer-decline", args=[dispute.pk]), {"reason": "Too little."})
    assert "Escalate to arbitration" in page(client, dispute)
    client.post(reverse("dispute-escalate", args=[dispute.pk]))
    assert fresh(dispute).state == Dispute.State.ESCALATED


# --- Withdrawal (R-DSP-9) -----------------------------------------------------------------------


def test_withdrawing_needs_the_warning_to_be_confirmed(people, client):
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    warning = client.get(reverse("dispute-withdraw", args=[dispute.pk])).content.decode()
    assert "can&#x27;t be reopened" in warning and "arbitration will no longer be possible" in warning
    unconfirmed = client.post(reverse("dispute-withdraw", args=[dispute.pk]), {})
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert fresh(dispute).state == Dispute.State.OPEN
    client.post(reverse("dispute-withdraw", args=[dispute.pk]), {"confirmed": "on"})
    assert fresh(dispute).outcome == Dispute.Outcome.WITHDRAWN


def test_withdrawing_a_dispute_with_a_flagged_message_needs_a_second_confirmation(people, client):
    """R-DSP-9: the warning names the flagged message and withdrawal needs a second confirmation."""
    dispute = with_solicitation(people)
    client.force_login(people.buyer)
    first = client.get(reverse("dispute-withdraw", args=[dispute.pk])).content.decode()
    assert "I&#x27;ll pay you by PayPal" in first
    second = client.post(reverse("dispute-withdraw", args=[dispute.pk]), {"confirmed": "on"}).content.decode()
    assert "Second confirmation" in second and 'name="confirmed_despite_solicitation"' in second
    assert fresh(dispute).state == Dispute.State.OPEN
    unticked = client.post(reverse("dispute-withdraw", args=[dispute.pk]), {"confirmed": "on", "step": "2"})
    assert "Tick this box to withdraw anyway" in unticked.content.decode()
    assert fresh(dispute).state == Dispute.State.OPEN
    client.post(
        reverse("dispute-withdraw", args=[dispute.pk]),
        {"confirmed": "on", "confirmed_despite_solicitation": "on", "step": "2"},
    )
    assert fresh(dispute).outcome == Dispute.Outcome.WITHDRAWN


# --- Returns (R-RET-1, R-RET-2) -------------------------------------------------------------------


def test_the_buyer_ships_the_return_with_a_tracking_number(people, client):
    dispute = awaiting_return(people)
    client.force_login(people.buyer)
    html = page(client, dispute)
    assert RETURN_ADDRESS in html and "If the return is not shipped by then" in html
    missing = client.post(reverse("dispute-return-ship", args=[dispute.pk]), {"carrier": "DHL"})
    assert "This field is required." in missing.content.decode() and 'value="DHL"' in missing.content.decode()
    client.post(
        reverse("dispute-return-ship", args=[dispute.pk]), {"carrier": "DHL", "tracking_number": "JD01"}
    )
    assert fresh(dispute).state == Dispute.State.RETURN_IN_TRANSIT


def test_the_seller_confirms_the_return_and_the_buyer_is_refunded(people, client):
    dispute = return_in_transit(people)
    client.force_login(people.seller)
    client.post(reverse("dispute-return-acknowledge", args=[dispute.pk]), {"acknowledgement": "received_ok"})
    dispute = fresh(dispute)
    assert dispute.state == Dispute.State.CLOSED and dispute.refund.amount == Decimal("100.00")


def test_a_problem_with_the_return_needs_a_description_and_evidence_then_goes_to_arbitration(people, client):
    dispute = return_in_transit(people)
    client.force_login(people.seller)
    response = client.post(
        reverse("dispute-return-acknowledge", args=[dispute.pk]), {"acknowledgement": "empty_or_different"}
    )
    html = response.content.decode()
    assert "Describe the problem with the returned item" in html and "a problem report needs evidence" in html
    client.post(
        reverse("dispute-return-acknowledge", args=[dispute.pk]),
        {"acknowledgement": "empty_or_different", "note": "An empty box.", "files": [png("box.png")]},
    )
    assert fresh(dispute).state == Dispute.State.ESCALATED


# --- Arbitration's questions (R-ARB-6) ---------------------------------------------------------


def test_the_party_asked_sees_the_arbiters_question_and_answers_it_with_a_message(people, client):
    dispute = under_review_with_question(people, party="buyer")
    client.force_login(people.buyer)
    html = page(client, dispute)
    assert "The arbiter asks you for information" in html and "Please upload a photo of the label." in html
    assert "Answer by" in html
    client.post(
        reverse("dispute-message", args=[dispute.pk]), {"body": "Here it is.", "files": [png("l.png")]}
    )
    assert InformationRequest.objects.get(dispute=dispute).answered_at is not None
    client.force_login(people.seller)
    assert "The arbiter asks you for information" not in page(client, dispute)


def test_R_ARB_6_whose_turn_moves_to_the_party_asked_and_back_once_they_answer(people, client):
    """R-DSP-10 with R-ARB-6: while the arbiter waits for the seller's answer, both parties read that
    it is the seller's turn; the seller's message answers it and the turn is the arbiter's again."""
    dispute = under_review_with_question(people, party="seller")
    client.force_login(people.buyer)
    assert "The arbiter asked the seller for information." in page(client, dispute)
    client.force_login(people.seller)
    html = page(client, dispute)
    assert "Your turn" in html and "The arbiter asks you for information" in html

    client.post(reverse("dispute-message", args=[dispute.pk]), {"body": "The label photo is attached."})

    assert "The arbiter is reviewing the case." in page(client, dispute)
    client.force_login(people.buyer)
    html = page(client, dispute)
    assert "The arbiter is reviewing the case." in html
    assert "asked the seller for information" not in html


# --- After closure: complaints (R-CMP-1) and safety (R-SAF-1) ----------------------------------


def test_after_closure_the_buyer_files_a_complaint_with_a_bank_statement(people, client):
    dispute = closed_with_refund(people)
    client.force_login(people.buyer)
    assert reverse("dispute-complaint", args=[dispute.pk]) in page(client, dispute)
    empty = client.post(reverse("dispute-complaint", args=[dispute.pk]), {"kind": "refund_not_received"})
    assert "This field is required." in empty.content.decode()
    client.post(
        reverse("dispute-complaint", args=[dispute.pk]),
        {
            "kind": "refund_not_received",
            "description": "Nothing on my card after 60 days.",
            "files": [png("statement.png")],
        },
    )
    complaint = Complaint.objects.get(dispute=dispute)
    assert complaint.kind == "refund_not_received" and complaint.evidence.count() == 1
    assert "Complaints to arbitration" in page(client, dispute)


def test_an_open_dispute_offers_no_complaint(people, client):
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    response = client.get(reverse("dispute-complaint", args=[dispute.pk]), follow=True)
    assert response.redirect_chain and not Complaint.objects.exists()


def test_a_buyer_reports_an_unsafe_product_after_protection_ended(people, client):
    """R-SAF-1: at any time, even after protection ended, with evidence; the outcome is shown."""
    order = shipped(people)
    money.order_confirm_receipt(order=order, actor=people.buyer)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=90)):
        money.order_release_if_due(order=order, actor=people.arbiter)
        client.force_login(people.buyer)
        response = client.post(
            reverse("safety-report-create", args=[order.pk]),
            {"description": "The battery swelled.", "files": [png("swollen.png")]},
            follow=True,
        )
    assert fresh(order).state == Order.State.COMPLETED
    report = SafetyReport.objects.get(order=order)
    assert report.evidence.count() == 1
    assert any("safety team" in m for m in messages_of(response))
    services.safety_report_close(
        report=report, actor=people.arbiter, outcome="listing_blocked", reason="Batteries failed our test."
    )
    html = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "Listing blocked" in html and "Batteries failed our test." in html


def test_the_seller_cannot_file_a_safety_report_for_the_buyer(people, client):
    order = shipped(people)
    client.force_login(people.seller)
    response = client.post(reverse("safety-report-create", args=[order.pk]), {"description": "x"})
    assert response.status_code == 302 and not SafetyReport.objects.exists()


def test_the_refund_created_by_closing_is_linked_from_the_dispute_page(people, client):
    dispute = closed_with_refund(people)
    client.force_login(people.buyer)
    refund = Refund.objects.get(order=dispute.order)
    assert reverse("refund-detail", args=[dispute.order_id, refund.pk]) in page(client, dispute)
