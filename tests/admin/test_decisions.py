"""Deciding a case (R-ARB-2): the form, the confirmation step that shows the money effect,
the commit through ``dispute_decide``; asking for information (R-ARB-6); reassignment by a
supervisor."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from arbitration import services
from arbitration.backoffice.forms import effect_key
from arbitration.models import Decision, Dispute, InformationRequest, ReturnShipment
from marketplace.errors import DomainError
from marketplace.models import EscrowHold, LedgerEntry, Refund
from tests.support import fresh

pytestmark = pytest.mark.django_db


def decide_url(dispute) -> str:
    return reverse("admin:arbitration_dispute_decide", args=[dispute.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def nothing_moved(dispute) -> bool:
    dispute = fresh(dispute)
    return (
        dispute.state == Dispute.State.UNDER_REVIEW
        and not Decision.objects.filter(dispute=dispute).exists()
        and not Refund.objects.filter(order=dispute.order).exists()
        and EscrowHold.objects.get(order=dispute.order).balance == dispute.order.amount
    )


@pytest.fixture
def my_case(cases, people):
    return cases.taken(by=people.arbiter, amount="100.00")


PARTIAL = {"outcome": "partial_refund", "refund_amount": "30.00", "rationale": "The box arrived crushed."}


def test_the_decision_form_shows_what_is_held(my_case, arbiter_client):
    response = arbiter_client.get(decide_url(my_case))

    assert response.status_code == 200
    assert response.context["held"] == Decimal("100.00")
    assert response.context["step"] == "form"


def test_review_shows_the_money_effect_and_changes_nothing_R_ARB_2(my_case, arbiter_client):
    response = arbiter_client.post(
        decide_url(my_case),
        {**PARTIAL, "penalty_amount": "5.00", "penalty_reason": "Packed without padding."},
    )

    assert response.context["step"] == "confirm"
    effect = response.context["effect"]
    assert (effect.refund_to_buyer, effect.release_to_seller, effect.penalty) == (
        Decimal("30.00"),
        Decimal("70.00"),
        Decimal("5.00"),
    )
    html = response.content.decode()
    assert 'id="effect-refund">$30.00' in html
    assert 'id="effect-release">$70.00' in html
    assert 'id="effect-penalty">$5.00' in html
    assert "can't be changed once you confirm" in html
    assert nothing_moved(my_case)


def test_confirming_commits_through_dispute_decide_and_moves_the_money_R_ARB_2(
    my_case, people, arbiter_client
):
    review = arbiter_client.post(decide_url(my_case), PARTIAL)
    key = review.context["effect_key"]

    with mock.patch(
        "arbitration.backoffice.disputes.services.dispute_decide", wraps=services.dispute_decide
    ) as decide:
        response = arbiter_client.post(decide_url(my_case), {**PARTIAL, "confirmed_effect": key}, follow=True)

    decide.assert_called_once()
    assert decide.call_args.kwargs["actor"] == people.arbiter
    assert decide.call_args.kwargs["refund_amount"] == Decimal("30.00")
    dispute = fresh(my_case)
    assert dispute.state == Dispute.State.CLOSED and dispute.outcome == Dispute.Outcome.DECIDED_REFUND
    decision = Decision.objects.get(dispute=dispute)
    assert (decision.outcome, decision.refund_amount, decision.decided_by) == (
        "partial_refund",
        Decimal("30.00"),
        people.arbiter,
    )
    assert dispute.refund.amount == Decimal("30.00")
    assert LedgerEntry.objects.get(order=dispute.order, kind="release").amount == Decimal("70.00")
    assert "Decision recorded: Partial refund. Both parties are notified." in texts(response)
    assert response.redirect_chain[-1][0] == reverse("admin:arbitration_dispute_change", args=[dispute.pk])
    # The money trail on the case page shows it (R-ESC-5)
    trail = response.context["trail"]
    assert (trail.refunded, trail.kept_by_seller, trail.in_escrow) == (Decimal("30.00"), Decimal("70.00"), 0)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**PARTIAL, "refund_amount": "100.00"}, "refund_amount", "less than the 100.00 USD held"),
        ({**PARTIAL, "refund_amount": "0"}, "refund_amount", "more than 0"),
        ({**PARTIAL, "refund_amount": "-5"}, "refund_amount", "more than 0"),
        ({**PARTIAL, "refund_amount": ""}, "refund_amount", "Enter the amount to refund to the buyer."),
        ({**PARTIAL, "refund_amount": "10.005"}, "refund_amount", "decimal places"),
        ({**PARTIAL, "rationale": "   "}, "rationale", "Write the rationale"),
        ({**PARTIAL, "rationale": ""}, "rationale", "Write the rationale"),
        ({**PARTIAL, "penalty_amount": "5"}, "penalty_reason", "Give the reason for the penalty"),
        ({**PARTIAL, "penalty_reason": "Rude"}, "penalty_amount", "Enter the penalty amount"),
        (
            {**PARTIAL, "penalty_amount": "0", "penalty_reason": "x"},
            "penalty_amount",
            "Enter an amount more than 0.",
        ),
        (
            {
                "outcome": "return_then_refund",
                "rationale": "Send it back.",
                "return_days": "",
                "return_address": "A",
            },
            "return_days",
            "number of days",
        ),
        (
            {
                "outcome": "return_then_refund",
                "rationale": "Send it back.",
                "return_days": "61",
                "return_address": "A",
            },
            "return_days",
            "less than or equal to 60",
        ),
        (
            {
                "outcome": "return_then_refund",
                "rationale": "Send it back.",
                "return_days": "10",
                "return_address": "  ",
            },
            "return_address",
            "address",
        ),
        ({"outcome": "", "rationale": "x"}, "outcome", "required"),
    ],
)
def test_a_bad_decision_re_renders_with_the_arbiters_input_and_a_clear_message(
    my_case, arbiter_client, data, field, message
):
    response = arbiter_client.post(decide_url(my_case), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["step"] == "form"
    assert any(message in error for error in form.errors[field]), form.errors
    assert form["rationale"].value() == data.get("rationale")  # the text the arbiter typed is kept
    assert nothing_moved(my_case)


def test_full_refund_and_rejection_ignore_a_typed_amount(my_case, arbiter_client):
    response = arbiter_client.post(
        decide_url(my_case), {**PARTIAL, "outcome": "full_refund", "refund_amount": "1"}
    )

    assert response.context["effect"].refund_to_buyer == Decimal("100.00")
    response = arbiter_client.post(decide_url(my_case), {**PARTIAL, "outcome": "rejected"})
    assert (response.context["effect"].refund_to_buyer, response.context["effect"].release_to_seller) == (
        Decimal("0.00"),
        Decimal("100.00"),
    )


def test_return_then_refund_shows_the_return_terms_and_starts_the_return(my_case, arbiter_client):
    data = {
        "outcome": "return_then_refund",
        "rationale": "Send it back first.",
        "return_days": "7",
        "return_address": "Returns desk, 1 Test Street",
    }
    review = arbiter_client.post(decide_url(my_case), data)
    html = review.content.decode()
    assert "within 7 days" in html and "Returns desk, 1 Test Street" in html
    assert review.context["effect"].release_to_seller == Decimal("0.00")

    arbiter_client.post(decide_url(my_case), {**data, "confirmed_effect": review.context["effect_key"]})

    dispute = fresh(my_case)
    assert dispute.state == Dispute.State.AWAITING_RETURN
    shipment = ReturnShipment.objects.get(dispute=dispute)
    assert shipment.address == "Returns desk, 1 Test Street" and shipment.refund_amount == Decimal("100.00")


def test_the_return_address_defaults_to_the_sellers(my_case, arbiter_client, people):
    form = arbiter_client.get(decide_url(my_case)).context["form"]

    assert form["return_address"].value() == people.seller.return_address


def test_change_the_decision_goes_back_to_the_form_with_the_input(my_case, arbiter_client):
    response = arbiter_client.post(decide_url(my_case), {**PARTIAL, "edit": "1", "confirmed_effect": "x"})

    assert response.context["step"] == "form"
    assert response.context["form"]["refund_amount"].value() == "30.00"
    assert nothing_moved(my_case)


def test_a_stale_confirmation_is_shown_again_not_committed(my_case, arbiter_client):
    """The effect the arbiter confirmed must be the effect committed."""
    response = arbiter_client.post(
        decide_url(my_case), {**PARTIAL, "confirmed_effect": "refund 99|release 1"}
    )

    assert response.context["step"] == "confirm"
    assert "The amounts changed since you reviewed them" in response.content.decode()
    assert nothing_moved(my_case)


def test_the_decision_is_final_the_form_refuses_a_second_one_R_ARB_2(my_case, people, arbiter_client):
    review = arbiter_client.post(decide_url(my_case), PARTIAL)
    arbiter_client.post(decide_url(my_case), {**PARTIAL, "confirmed_effect": review.context["effect_key"]})

    again = arbiter_client.post(
        decide_url(my_case),
        {**PARTIAL, "refund_amount": "50.00", "confirmed_effect": "anything"},
        follow=True,
    )

    assert Decision.objects.filter(dispute=my_case).count() == 1
    assert Decision.objects.get(dispute=my_case).refund_amount == Decimal("30.00")
    assert any("can't do that now" in t for t in texts(again))
    # The decision's admin page is read-only for everyone
    decision = Decision.objects.get(dispute=my_case)
    page = arbiter_client.get(reverse("admin:arbitration_decision_change", args=[decision.pk]))
    assert page.status_code == 200 and page.context["has_change_permission"] is False


def test_only_the_holding_arbiter_may_decide(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)
    other = client_for(people.arbiter2)

    response = other.post(decide_url(dispute), {**PARTIAL, "confirmed_effect": "x"}, follow=True)

    assert any("Alina Arbiter holds this case" in t for t in texts(response))
    assert nothing_moved(dispute)


def test_an_escalated_case_must_be_taken_before_deciding(cases, arbiter_client):
    dispute = cases.escalated()

    response = arbiter_client.get(decide_url(dispute), follow=True)

    assert "Take the case first: it is waiting in the queue." in texts(response)


def test_a_service_refusal_at_commit_is_shown_on_the_form(my_case, arbiter_client):
    review = arbiter_client.post(decide_url(my_case), PARTIAL)
    refusal = DomainError("This case has already been decided.")

    with mock.patch("arbitration.backoffice.disputes.services.dispute_decide", side_effect=refusal):
        response = arbiter_client.post(
            decide_url(my_case), {**PARTIAL, "confirmed_effect": review.context["effect_key"]}
        )

    assert response.context["step"] == "form"
    assert "This case has already been decided." in response.content.decode()


def test_effect_key_is_stable_for_the_same_effect(my_case):
    one = services.decision_effect(dispute=my_case, outcome="partial_refund", refund_amount="30.00")
    two = services.decision_effect(
        dispute=fresh(my_case), outcome="partial_refund", refund_amount=Decimal("30")
    )
    assert effect_key(one) == effect_key(two)


# --- Request information (R-ARB-6) -----------------------------------------------------------


def test_request_information_calls_the_service_and_the_case_shows_it(my_case, people, arbiter_client):
    url = reverse("admin:arbitration_dispute_request_information", args=[my_case.pk])
    with mock.patch(
        "arbitration.backoffice.disputes.services.dispute_request_information",
        wraps=services.dispute_request_information,
    ) as ask:
        response = arbiter_client.post(
            url,
            {"party": "seller", "question": "Send the courier's receipt.", "due_in_days": "4"},
            follow=True,
        )

    ask.assert_called_once()
    request = InformationRequest.objects.get(dispute=my_case)
    assert (request.party, request.question, request.requested_by) == (
        "seller",
        "Send the courier's receipt.",
        people.arbiter,
    )
    assert "Request sent to the seller." in texts(response)
    assert "Send the courier&#x27;s receipt." in response.content.decode()


def test_request_information_keeps_the_input_on_a_bad_deadline(my_case, arbiter_client):
    url = reverse("admin:arbitration_dispute_request_information", args=[my_case.pk])

    response = arbiter_client.post(
        url, {"party": "buyer", "question": "A video, please.", "due_in_days": "45"}
    )

    assert response.status_code == 200
    assert "due_in_days" in response.context["form"].errors
    assert "A video, please." in response.content.decode()
    assert not InformationRequest.objects.filter(dispute=my_case).exists()


def test_request_information_on_an_escalated_case_says_take_it_first(cases, arbiter_client):
    dispute = cases.escalated()
    url = reverse("admin:arbitration_dispute_request_information", args=[dispute.pk])

    response = arbiter_client.post(url, {"party": "buyer", "question": "?", "due_in_days": "3"}, follow=True)

    assert "Take the case first: it is waiting in the queue." in texts(response)
    assert not InformationRequest.objects.filter(dispute=dispute).exists()


# --- Reassign (supervisors) ------------------------------------------------------------------


def test_a_supervisor_reassigns_a_case_through_the_service(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)
    url = reverse("admin:arbitration_dispute_reassign", args=[dispute.pk])
    supervisor = client_for(people.supervisor)
    form = supervisor.get(url).context["form"]
    assert people.arbiter2 in form.fields["arbiter"].queryset
    assert people.arbiter not in form.fields["arbiter"].queryset  # already theirs
    assert people.finance not in form.fields["arbiter"].queryset

    with mock.patch(
        "arbitration.backoffice.cases.services.case_reassign", wraps=services.case_reassign
    ) as reassign:
        response = supervisor.post(url, {"arbiter": people.arbiter2.pk}, follow=True)

    reassign.assert_called_once()
    assert fresh(dispute).assigned_arbiter == people.arbiter2
    assert "Case reassigned to Artem Arbiter." in texts(response)


def test_an_arbiter_cannot_reassign(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)
    url = reverse("admin:arbitration_dispute_reassign", args=[dispute.pk])

    assert client_for(people.arbiter).get(url).status_code == 403
    assert client_for(people.arbiter).post(url, {"arbiter": people.arbiter2.pk}).status_code == 403
    assert fresh(dispute).assigned_arbiter == people.arbiter


def test_reassigning_to_a_non_arbiter_is_refused(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)
    url = reverse("admin:arbitration_dispute_reassign", args=[dispute.pk])

    response = client_for(people.supervisor).post(url, {"arbiter": people.finance.pk})

    assert "arbiter" in response.context["form"].errors
    assert fresh(dispute).assigned_arbiter == people.arbiter
