"""Acting for a party keeps every rule of the web (R-API-4, R-API-6, R-DSP-9, R-DSP-10, R-EVD,
R-RET-2): the same refusals with the same text, the same file checks, and one effect when two
identical actions meet at the database (R-API-3)."""

from __future__ import annotations

import pytest
from django.test import Client

from arbitration import services
from arbitration.models import Dispute, Evidence, Message
from arbitration.services import CLOSED_HINT
from marketplace.models import LedgerEntry, Refund
from tests.api.conftest import PREFIX, Api, api_for, make_client, problem
from tests.api.test_acting import EXTERNAL_IDS, acting_as
from tests.api.test_acting import people as people
from tests.arbitration.conftest import (
    HOUR,
    OPENED,
    fresh,
    open_dispute,
    png,
    return_in_transit,
)
from tests.marketplace.factories import DAY, at, run_concurrently


@pytest.fixture
def acting(db) -> Api:
    return api_for(make_client(account="", name="Marketplace apps"))


def multipart(api: Api, path: str, data: dict):
    return api.http.post(PREFIX + path, data, headers={"Authorization": f"Bearer {api.key}"})


def test_R_API_6_R_DSP_9_withdrawing_without_the_acknowledgement_is_refused_with_the_webs_warning(
    people, acting
):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        response = acting.post(
            f"/disputes/{dispute.pk}/withdraw", {"acting_as": acting_as("buyer"), "acknowledged": False}
        )
        warning = services.withdrawal_warning(dispute).text
    assert response.status_code == 422
    assert problem(response)["detail"] == warning
    assert fresh(dispute).state == Dispute.State.OPEN


def test_R_DSP_9_after_a_flagged_seller_message_the_second_acknowledgement_is_needed(people, acting):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        services.dispute_post_message(
            dispute=dispute,
            actor=people.seller,
            body="Close the dispute and I will send you the money via PayPal outside the platform.",
        )
    assert fresh(dispute).solicitation_flags, "the detector flags the message"
    path = f"/disputes/{dispute.pk}/withdraw"
    with at(OPENED + 2 * HOUR):
        once = acting.post(path, {"acting_as": acting_as("buyer"), "acknowledged": True})
        assert once.status_code == 422
        assert "Tick the second confirmation" in problem(once)["detail"]
        assert fresh(dispute).state == Dispute.State.OPEN
        twice = acting.post(
            path,
            {
                "acting_as": acting_as("buyer"),
                "acknowledged": True,
                "acknowledged_despite_solicitation": True,
            },
        )
    assert twice.status_code == 200, twice.content
    assert twice.json()["state"] == Dispute.State.CLOSED


def test_R_API_6_R_DSP_10_an_action_not_allowed_now_is_refused_with_the_services_text(people, acting):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        services.dispute_seller_accept(dispute=dispute, actor=people.seller)
        response = acting.post(f"/disputes/{dispute.pk}/escalate", {"acting_as": acting_as("buyer")})
    assert response.status_code == 422
    assert problem(response)["detail"] == str(CLOSED_HINT)


def test_R_API_4_the_answer_lists_what_each_party_may_do_now(people, acting):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        response = acting.post(
            f"/disputes/{dispute.pk}/reject",
            {"acting_as": acting_as("seller"), "explanation": "Delivered; see the photo."},
        )
    allowed = response.json()["allowed_actions"]
    assert "escalate" in allowed["buyer"]
    assert "reject_claim" not in allowed["seller"]


def test_R_API_4_the_buyer_acting_as_seller_of_their_own_dispute_is_404(people, acting):
    dispute = open_dispute(people)
    with at(OPENED + HOUR):
        response = acting.post(
            f"/disputes/{dispute.pk}/accept-claim",
            {"acting_as": {"party": "seller", "external_id": EXTERNAL_IDS["buyer"]}},
        )
    assert response.status_code == 404
    assert fresh(dispute).state == Dispute.State.OPEN


def test_R_EVD_a_refused_file_is_named_in_the_files_field_with_the_webs_reason(people, acting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dispute = open_dispute(people)
    fake = SimpleUploadedFile("invoice.png", b"MZ\x90\x00 this is a program, not a picture", "image/png")
    with at(OPENED + HOUR):
        response = multipart(
            acting,
            f"/disputes/{dispute.pk}/evidence",
            {"acting_party": "buyer", "acting_external_id": EXTERNAL_IDS["buyer"], "files": [fake]},
        )
    assert response.status_code == 422, response.content
    body = problem(response)
    assert body["errors"] and {error["field"] for error in body["errors"]} == {"files"}
    assert "invoice.png" in body["detail"]
    assert not Evidence.objects.filter(dispute=dispute).exists()


def test_R_EVD_the_same_file_twice_in_a_dispute_is_refused(people, acting):
    dispute = open_dispute(people)
    photo = png()
    content = photo.read()
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = f"/disputes/{dispute.pk}/evidence"
    who = {"acting_party": "buyer", "acting_external_id": EXTERNAL_IDS["buyer"]}
    with at(OPENED + HOUR):
        first = multipart(acting, path, {**who, "files": [SimpleUploadedFile("a.png", content, "image/png")]})
        again = multipart(acting, path, {**who, "files": [SimpleUploadedFile("b.png", content, "image/png")]})
    assert first.status_code == 200, first.content
    assert again.status_code == 422
    assert "already in this dispute" in problem(again)["detail"]
    assert Evidence.objects.filter(dispute=dispute).count() == 1


def test_R_RET_2_the_seller_reports_a_problem_with_the_return_with_evidence(people, acting):
    dispute = return_in_transit(people)
    path = f"/disputes/{dispute.pk}/return/acknowledge"
    who = {"acting_party": "seller", "acting_external_id": EXTERNAL_IDS["seller"]}
    problem_report = {**who, "acknowledgement": "empty_or_different", "note": "A brick in the box."}
    with at(fresh(dispute).deadline_at - DAY):
        without = multipart(acting, path, problem_report)
        assert without.status_code == 422
        assert problem(without)["detail"] == (
            "Attach photos or a video of what arrived; a problem report needs evidence."
        )
        response = multipart(acting, path, {**problem_report, "files": [png()]})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == Dispute.State.ESCALATED
    assert Message.objects.get(dispute=dispute, role="seller").evidence.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_R_API_3_two_identical_accepts_at_once_have_one_effect(people):
    dispute = open_dispute(people)
    client = make_client(account="", name="Marketplace apps")
    apis = [api_for(client), api_for(client)]
    body = {"acting_as": acting_as("seller")}

    def accept(api: Api):
        return lambda: Api(key=api.key, http=Client()).post(f"/disputes/{dispute.pk}/accept-claim", body)

    with at(OPENED + HOUR):
        outcomes = run_concurrently([accept(api) for api in apis])
    assert all(outcome.ok for outcome in outcomes), [outcome.error for outcome in outcomes]
    codes = sorted(outcome.value.status_code for outcome in outcomes)
    assert codes == [200, 422], [outcome.value.content for outcome in outcomes]
    refused = next(outcome.value for outcome in outcomes if outcome.value.status_code == 422)
    assert problem(refused)["detail"] == str(CLOSED_HINT)
    assert Refund.objects.filter(order=dispute.order).count() == 1
    assert LedgerEntry.objects.filter(order=dispute.order, kind=LedgerEntry.Kind.REFUND).count() == 1
