"""Acting for a buyer or a seller through the API (R-API-4): every action a person takes on the web,
through the same services, answered with the dispute and what each party may do next.

Each action is one row of ``ACTIONS``: how to bring a case to the state where the action is
allowed (through the real services, at fixed moments), the request, and what must have changed.
Every row is then run through the same proofs: success, a key without ``disputes:act`` (403), a
bad key (401), a person who is not that party of the case or a case of another account (404), bad
input (422 naming the field), and the Idempotency-Key replay (R-API-3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from arbitration.models import Complaint, Dispute, Message, Offer, SafetyReport
from marketplace.models import ExtensionRequest, Order, User
from tests.api.conftest import PREFIX, Api, api_for, make_client, problem
from tests.arbitration.conftest import (
    DAY,
    HOUR,
    OPENED,
    People,
    awaiting_return,
    closed_by_seller,
    fresh,
    make_people,
    offer,
    open_dispute,
    png,
    reject,
    return_in_transit,
    shipped,
)
from tests.marketplace.factories import at
from tests.people import ensure_staff_groups

EXTERNAL_IDS = {"buyer": "buyer-boris", "seller": "seller-sam", "stranger": "stella"}


@pytest.fixture
def people(db) -> People:
    ensure_staff_groups()
    people = make_people()
    for role, external_id in EXTERNAL_IDS.items():
        User.objects.filter(pk=getattr(people, role).pk).update(external_id=external_id)
    return people


@pytest.fixture
def acting(db) -> Api:
    """The marketplace's own apps: the default account "" (where the cases below live), every scope."""
    return api_for(make_client(account="", name="Marketplace apps"))


def acting_as(party: str, who: str | None = None) -> dict[str, str]:
    return {"party": party, "external_id": EXTERNAL_IDS[who or party]}


# --- The actions ------------------------------------------------------------------------------


@dataclass
class Case:
    """What an action acts on: the dispute (or order) and the moment the request is made."""

    target: Dispute | Order
    when: datetime
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Action:
    name: str
    party: str
    prepare: Callable[[People], Case]
    path: str  # formatted with the case's target ``id`` and ``extra``
    body: dict[str, Any]
    check: Callable[[Case, dict], None]
    multipart: bool = False
    bad: tuple[str, Any] = ("acting_as", None)  # a field and a value its schema refuses
    status: int = 200
    files: bool = False  # attach a fresh photo

    def url(self, case: Case) -> str:
        return self.path.format(id=case.target.pk, **case.extra)

    def request(
        self, api: Api, case: Case, *, body: dict | None = None, headers=None, party: str | None = None
    ):
        body = dict(self.body if body is None else body)
        who = acting_as(self.party, party)
        with at(case.when):
            if self.multipart:
                data = {"acting_party": who["party"], "acting_external_id": who["external_id"], **body}
                data = {key: value for key, value in data.items() if value is not None}
                if self.files:
                    data["files"] = [png()]
                return api.http.post(
                    PREFIX + self.url(case),
                    data,
                    headers={"Authorization": f"Bearer {api.key}", **(headers or {})},
                )
            return api.post(self.url(case), {"acting_as": who, **body}, headers=headers)


def _open(people: People) -> Case:
    dispute = open_dispute(people)
    return Case(dispute, OPENED + 4 * HOUR)


def _with_offer(people: People) -> Case:
    dispute = open_dispute(people)
    made = offer(people, dispute)
    return Case(fresh(dispute), OPENED + 4 * HOUR, {"offer_id": made.pk})


def _rejected(people: People) -> Case:
    dispute = open_dispute(people)
    reject(people, dispute)
    return Case(fresh(dispute), OPENED + 4 * HOUR)


def _awaiting_return(people: People) -> Case:
    dispute = awaiting_return(people)
    return Case(dispute, fresh(dispute).deadline_at - 5 * DAY)


def _return_in_transit(people: People) -> Case:
    dispute = return_in_transit(people)
    return Case(dispute, fresh(dispute).deadline_at - DAY)


def _closed(people: People) -> Case:
    dispute = closed_by_seller(people)
    return Case(dispute, OPENED + 2 * DAY)


def _shipped(people: People) -> Case:
    return Case(shipped(people), OPENED)


def _extension_asked(people: People) -> Case:
    order = shipped(people)
    with at(OPENED):
        from marketplace.services import extension_request_create

        request = extension_request_create(
            order=order, actor=people.buyer, days=10, reason="Still in transit."
        )
    return Case(order, OPENED + HOUR, {"request_id": request.pk})


def _state(expected: str) -> Callable[[Case, dict], None]:
    def check(case: Case, answer: dict) -> None:
        dispute = (
            Dispute.objects.get(order_id=case.target.pk)
            if isinstance(case.target, Order)
            else fresh(case.target)
        )
        assert dispute.state == expected
        assert answer["state"] == expected
        assert answer["id"] == dispute.pk

    return check


def _message_posted(case: Case, answer: dict) -> None:
    assert Message.objects.filter(dispute=case.target, body="The parcel never came.").exists()
    assert "message" in answer["allowed_actions"]["buyer"]


def _evidence_added(case: Case, answer: dict) -> None:
    assert case.target.evidence.count() == 1


def _amended(case: Case, answer: dict) -> None:
    assert fresh(case.target).amendments_used == 1
    assert answer["description"] == "The tracking number shows a different city."


def _offer_made(case: Case, answer: dict) -> None:
    assert case.target.offers.get().status == Offer.Status.PENDING
    assert answer["allowed_actions"]["buyer"][:2] == ["accept_offer", "decline_offer"] or {
        "accept_offer",
        "decline_offer",
    } <= set(answer["allowed_actions"]["buyer"])


def _offer_declined(case: Case, answer: dict) -> None:
    assert case.target.offers.get().status == Offer.Status.DECLINED
    assert "escalate" in answer["allowed_actions"]["buyer"]


def _complaint_filed(case: Case, answer: dict) -> None:
    assert Complaint.objects.filter(dispute=case.target, kind="agreement_broken").exists()


def _reported(case: Case, answer: dict) -> None:
    report = SafetyReport.objects.get(order=case.target)
    assert answer["id"] == report.pk


def _extension(status: str) -> Callable[[Case, dict], None]:
    def check(case: Case, answer: dict) -> None:
        request = ExtensionRequest.objects.get(order=case.target)
        assert request.status == status
        assert answer["status"] == status

    return check


CLAIM = {
    "reason": "not_received",
    "resolution": "full_refund",
    "description": "Tracking stopped at the sorting centre; nothing arrived.",
}

ACTIONS = [
    Action(
        "open",
        "buyer",
        _shipped,
        "/orders/{id}/dispute",
        CLAIM,
        _state("open"),
        bad=("reason", "lost"),
        status=201,
    ),
    Action(
        "amend",
        "buyer",
        _open,
        "/disputes/{id}/amend",
        {**CLAIM, "description": "The tracking number shows a different city."},
        _amended,
        bad=("resolution", "everything"),
    ),
    Action(
        "message",
        "buyer",
        _open,
        "/disputes/{id}/messages",
        {"body": "The parcel never came."},
        _message_posted,
        bad=("body", ""),
    ),
    Action(
        "evidence",
        "seller",
        _open,
        "/disputes/{id}/evidence",
        {"body": "The carrier's photo"},
        _evidence_added,
        multipart=True,
        files=True,
        bad=("acting_party", "arbiter"),
    ),
    Action("accept_claim", "seller", _open, "/disputes/{id}/accept-claim", {}, _state("closed")),
    Action(
        "make_offer",
        "seller",
        _open,
        "/disputes/{id}/offers",
        {"kind": "partial_refund", "amount": "30.00"},
        _offer_made,
        bad=("amount", "-5"),
    ),
    Action(
        "accept_offer",
        "buyer",
        _with_offer,
        "/disputes/{id}/accept-offer",
        {},
        _state("closed"),
        bad=("offer_id", "first"),
    ),
    Action("decline_offer", "buyer", _with_offer, "/disputes/{id}/decline-offer", {}, _offer_declined),
    Action(
        "reject",
        "seller",
        _open,
        "/disputes/{id}/reject",
        {"explanation": "Delivered; see the carrier's photo."},
        _state("open"),
        bad=("explanation", ""),
    ),
    Action("escalate", "buyer", _rejected, "/disputes/{id}/escalate", {}, _state("escalated")),
    Action(
        "withdraw",
        "buyer",
        _open,
        "/disputes/{id}/withdraw",
        {"acknowledged": True},
        _state("closed"),
        bad=("acknowledged", "maybe"),
    ),
    Action(
        "ship_return",
        "buyer",
        _awaiting_return,
        "/disputes/{id}/return/ship",
        {"carrier": "Russian Post", "tracking_number": "RR987654321RU"},
        _state("return_in_transit"),
        bad=("tracking_number", ""),
    ),
    Action(
        "acknowledge_return",
        "seller",
        _return_in_transit,
        "/disputes/{id}/return/acknowledge",
        {"acknowledgement": "received_ok"},
        _state("closed"),
        multipart=True,
        bad=("acknowledgement", "fine"),
    ),
    Action(
        "file_complaint",
        "buyer",
        _closed,
        "/disputes/{id}/complaints",
        {"kind": "agreement_broken", "description": "The seller promised a replacement and sent nothing."},
        _complaint_filed,
        multipart=True,
        bad=("kind", "refund_overdue"),
        status=201,
    ),
    Action(
        "report_unsafe",
        "buyer",
        _shipped,
        "/orders/{id}/safety-reports",
        {"description": "The battery swelled and got hot while charging."},
        _reported,
        multipart=True,
        bad=("description", ""),
        status=201,
    ),
    Action(
        "ask_extension",
        "buyer",
        _shipped,
        "/orders/{id}/extension-requests",
        {"days": 10, "reason": "The parcel is still in transit."},
        _extension("pending"),
        bad=("days", 0),
        status=201,
    ),
    Action(
        "grant_extension",
        "seller",
        _extension_asked,
        "/orders/{id}/extension-requests/{request_id}/grant",
        {},
        _extension("granted"),
    ),
    Action(
        "decline_extension",
        "seller",
        _extension_asked,
        "/orders/{id}/extension-requests/{request_id}/decline",
        {"reason": "It was delivered."},
        _extension("declined"),
        bad=("reason", ["not", "text"]),
    ),
]
BY_NAME = {action.name: action for action in ACTIONS}
each_action = pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])


# --- The proofs, for every action --------------------------------------------------------------


@each_action
def test_R_API_4_the_action_is_taken_for_the_named_person(people, acting, action):
    case = action.prepare(people)
    response = action.request(acting, case)
    assert response.status_code == action.status, response.content
    action.check(case, response.json())


@each_action
def test_R_API_1_a_key_without_disputes_act_is_refused_403(people, action):
    case = action.prepare(people)
    reader = api_for(make_client(account="", scopes=["disputes:read", "orders:write"], name="Reader"))
    response = action.request(reader, case)
    assert response.status_code == 403
    assert "disputes:act" in problem(response)["detail"]


@each_action
def test_R_API_1_a_bad_key_is_refused_401(people, acting, action):
    case = action.prepare(people)
    prefix, _dot, _secret = acting.key.partition(".")
    response = action.request(Api(key=f"{prefix}.not-the-secret", http=Client()), case)
    assert response.status_code == 401
    assert problem(response)["status"] == 401


@each_action
def test_R_API_1_another_person_or_account_gets_404(people, acting, other_api, action):
    case = action.prepare(people)
    before = _snapshot(case)
    # The stranger named as this party: not this party of this case.
    response = action.request(acting, case, party="stranger")
    assert response.status_code == 404, response.content
    assert problem(response)["status"] == 404
    # Another marketplace's key, naming the right person of this account: no such case for it.
    response = action.request(other_api, case)
    assert response.status_code == 404, response.content
    assert _snapshot(case) == before


@each_action
def test_R_API_6_bad_input_answers_422_naming_the_field(people, acting, action):
    case = action.prepare(people)
    name, value = action.bad
    if name == "acting_as":
        with at(case.when):
            response = acting.post(action.url(case), {**action.body, "acting_as": {"party": "arbiter"}})
        fields = {"acting_as.party", "acting_as.external_id"}
    else:
        response = action.request(acting, case, body={**action.body, name: value})
        fields = {name}
    assert response.status_code == 422, response.content
    named = {error["field"] for error in problem(response)["errors"]}
    assert named & fields, named


def _snapshot(case: Case) -> tuple:
    if isinstance(case.target, Dispute):
        dispute = fresh(case.target)
        return (
            dispute.state,
            dispute.messages.count(),
            dispute.offers.count(),
            dispute.evidence.count(),
            dispute.complaints.count(),
        )
    order = fresh(case.target)
    return (
        order.state,
        Dispute.objects.filter(order=order).count(),
        order.safety_reports.count(),
        list(order.extension_requests.values_list("status", flat=True)),
    )


@each_action
def test_R_API_3_the_same_idempotency_key_replays_the_stored_answer_without_acting_again(
    people, acting, action
):
    case = action.prepare(people)
    key = {"Idempotency-Key": f"act-{action.name}-1"}
    first = action.request(acting, case, headers=key)
    assert first.status_code == action.status, first.content
    after_first = _snapshot(case)
    if action.files:
        # A fresh photo is a different body: the key is bound to the first request's body.
        again = action.request(acting, case, headers=key)
        assert again.status_code == 422
        assert problem(again)["errors"][0]["field"] == "Idempotency-Key"
    else:
        again = action.request(acting, case, headers=key)
        assert again.status_code == action.status
        assert again["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    assert _snapshot(case) == after_first
