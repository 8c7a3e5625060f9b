"""Free text is bounded in the services, for staff exactly as for the parties (issue 13 item 6).

An arbiter's 1 MB question was stored, emailed and made a 3.2 MB buyer page: the web forms had
limits, the back office and the services did not. Now every free text a service stores is
refused above ``TEXT_MAX_CHARS`` (a description, message, question, rationale, reason) or
``NOTE_MAX_CHARS`` (an offer's note, a reason to decline, a penalty's reason), whoever writes
it and whichever page, admin view or API calls the service.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from arbitration import services
from arbitration.models import Decision, Dispute, InformationRequest, Message, Offer, SafetyReport
from marketplace.errors import DomainError
from marketplace.models import Notification
from tests.arbitration.conftest import (
    DAY,
    START,
    at,
    decide,
    fresh,
    open_dispute,
    shipped,
    under_review,
)

pytestmark = pytest.mark.django_db

ONE_MB = "x" * (1024 * 1024)
TOO_LONG = "The text is 1048576 characters long; the limit is 5000. Shorten it and send it again."


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


def test_the_limits_are_the_ones_the_parties_forms_show():
    from arbitration.web.forms import MessageForm, OfferForm

    assert MessageForm.base_fields["body"].max_length == services.TEXT_MAX_CHARS == 5000
    assert OfferForm.base_fields["note"].max_length == services.NOTE_MAX_CHARS == 2000


def test_an_arbiters_1_mb_question_is_refused_and_nothing_is_stored_or_emailed_R_ARB_6(people):
    dispute = under_review(people)
    emails = Notification.objects.count()

    message = refused(
        lambda: services.dispute_request_information(
            dispute=fresh(dispute), actor=people.arbiter, party="buyer", question=ONE_MB
        )
    )

    assert message == TOO_LONG
    assert not InformationRequest.objects.exists()
    assert not Message.objects.filter(role=Message.Role.ARBITER).exists()
    assert Notification.objects.count() == emails


def test_a_question_at_the_limit_is_asked_R_ARB_6(people):
    dispute = under_review(people)
    question = "Q" * services.TEXT_MAX_CHARS

    services.dispute_request_information(
        dispute=fresh(dispute), actor=people.arbiter, party="buyer", question=question
    )

    assert InformationRequest.objects.get().question == question
    over = refused(
        lambda: services.dispute_request_information(
            dispute=fresh(dispute), actor=people.arbiter, party="seller", question=question + "?"
        )
    )
    assert "the limit is 5000" in over


@pytest.mark.parametrize("who", ["arbiter", "buyer", "seller"])
def test_a_1_mb_message_is_refused_for_staff_and_parties_alike_R_DSP_7(people, who):
    dispute = under_review(people)
    before = Message.objects.count()

    message = refused(
        lambda: services.dispute_post_message(dispute=fresh(dispute), actor=getattr(people, who), body=ONE_MB)
    )

    assert message == TOO_LONG
    assert Message.objects.count() == before


def test_a_decision_with_a_1_mb_rationale_or_penalty_reason_is_refused_and_no_money_moves_R_ARB_2(people):
    dispute = under_review(people)

    rationale = refused(lambda: decide(people, dispute, rationale=ONE_MB))
    penalty = refused(lambda: decide(people, dispute, penalty_amount=Decimal("5.00"), penalty_reason=ONE_MB))

    assert rationale == TOO_LONG
    assert penalty == "The text is 1048576 characters long; the limit is 2000. Shorten it and send it again."
    assert not Decision.objects.exists()
    assert fresh(dispute).state == Dispute.State.UNDER_REVIEW


def test_a_1_mb_reason_to_close_a_safety_report_is_refused_R_SAF_1(people):
    order = shipped(people)
    with at(START + 100 * DAY):
        report = services.safety_report_file(order=order, actor=people.buyer, description="It got hot.")

    assert (
        refused(
            lambda: services.safety_report_close(
                report=report, actor=people.arbiter, outcome="no_action", reason=ONE_MB
            )
        )
        == TOO_LONG
    )
    assert SafetyReport.objects.get().state == SafetyReport.State.OPEN


def test_a_parties_1_mb_description_or_offer_note_is_refused_in_the_service_too_R_DSP_2(people):
    assert refused(lambda: open_dispute(people, description=ONE_MB)) == TOO_LONG
    dispute = open_dispute(people)
    with at(dispute.opened_at + DAY):
        note = refused(
            lambda: services.dispute_make_offer(
                dispute=dispute, actor=people.seller, kind="partial_refund", amount="10", note=ONE_MB
            )
        )
    assert "the limit is 2000" in note
    assert not Offer.objects.exists()
