"""R-API-5: every state change emits exactly one event, with the documented payload.

For each type in the catalogue a scenario (``scenarios.py``) makes the change through the service
a person or the scheduler uses, and the test reads the events written meanwhile: exactly one of
that type, about that object, with the fields the README documents — ids (ours and the
marketplace's), the new state, amounts as strings with their currency, UTC times, the API link.
A second test keeps the catalogue honest the other way: every state transition of every model
is mapped to the event that reports it, so a new transition can't be silent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django_fsm import FSMField

from arbitration.models import Complaint, Dispute, SafetyReport
from marketplace import services as money
from marketplace.events import EVENT_TYPES
from marketplace.models import LedgerEntry, Order, Refund
from tests.arbitration.conftest import HOUR, START, at
from tests.marketplace.factories import paid_order
from tests.support import fresh
from tests.webhooks.conftest import events_after, last_event_id
from tests.webhooks.scenarios import SCENARIOS

pytestmark = pytest.mark.django_db

PARTY = {"id", "external_id"}
ORDER_REF = {"id", "external_id", "number", "url"}

# The documented payloads (README, "Webhooks"): the fields of each object …
OBJECT_FIELDS = {
    "order": {
        "object", "id", "external_id", "number", "url", "state", "item_title", "amount", "currency",
        "payment_method", "buyer", "seller", "paid_at", "shipped_at", "delivered_at", "confirmed_at",
        "completed_at", "protection_deadline", "dispute_deadline",
    },
    "refund": {
        "object", "id", "url", "state", "amount", "currency", "source", "destination", "payout_reference",
        "attempt", "reason", "created_at", "due_at", "sent_at", "completed_at", "failed_at",
        "failure_reason", "overdue", "order",
    },
    "penalty": {"object", "id", "url", "amount", "currency", "reason", "created_at", "seller", "order"},
    "dispute": {
        "object", "id", "url", "state", "outcome", "reason", "resolution", "requested_amount", "currency",
        "description", "opened_at", "deadline_at", "escalated_at", "closed_at", "escalation_count",
        "flagged", "refund", "order", "buyer", "seller",
    },
    "complaint": {
        "object", "id", "url", "state", "kind", "description", "opened_at", "deadline_at", "outcome",
        "rationale", "refund_amount", "penalty_amount", "currency", "decided_at", "refund", "new_refund",
        "dispute", "order", "buyer", "seller",
    },
    "safety_report": {
        "object", "id", "url", "state", "outcome", "outcome_reason", "description", "item_title",
        "created_at", "closed_at", "order", "reporter", "seller",
    },
}  # fmt: skip
# … and what each change adds.
EXTRA_FIELDS = {
    "order.shipped": {"carrier", "tracking_number"},
    "order.receipt_confirmed": {"automatic"},
    "order.extension_requested": {"extension_request"},
    "order.extension_declined": {"extension_request"},
    "order.extension_lapsed": {"extension_request"},
    "order.protection_extended": {"automatic", "extension_request"},
    "order.escrow_released": {"released_amount", "refunded_amount"},
    "dispute.amended": {"amendment"},
    "dispute.answered": {"answer", "explanation"},
    "dispute.offer_made": {"offer"},
    "dispute.offer_answered": {"offer"},
    "dispute.message_posted": {"message"},
    "dispute.assigned": {"assigned_at"},
    "dispute.unassigned": {"assigned_at"},
    "complaint.assigned": {"assigned_at"},
    "complaint.unassigned": {"assigned_at"},
    "dispute.information_requested": {"information_request"},
    "dispute.decided": {"decision"},
    "dispute.closed": {"refund_amount"},
    **{name: {"return"} for name in EVENT_TYPES if name.startswith("return.")},
}
API_COLLECTION = {
    "order": "orders",
    "refund": "refunds",
    "penalty": "orders",
    "dispute": "disputes",
    "complaint": "complaints",
    "safety_report": "safety-reports",
}
MONEY = re.compile(r"^\d+\.\d{2}$")
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
AMOUNT_KEYS = {"amount", "requested_amount", "refund_amount", "released_amount", "refunded_amount"}
AMOUNT_KEYS |= {"penalty_amount"}


def object_kind(event_type: str) -> str:
    prefix = event_type.split(".")[0]
    return "dispute" if prefix == "return" else prefix


def subject_state(subject) -> str | None:
    return getattr(fresh(subject), "state", None) if not isinstance(subject, LedgerEntry) else None


def order_of(subject) -> Order:
    if isinstance(subject, Order):
        return subject
    if isinstance(subject, Complaint):
        return subject.dispute.order
    return subject.order


def assert_formats(data, path: str = "data") -> None:
    """Amounts are strings like "30.00" (never numbers), times are UTC ISO 8601, at any depth."""
    for key, value in data.items():
        where = f"{path}.{key}"
        if isinstance(value, dict):
            assert_formats(value, where)
        elif key in AMOUNT_KEYS and value is not None:
            assert isinstance(value, str) and MONEY.match(value), f"{where} = {value!r}"
        elif (key.endswith("_at") or key.endswith("_deadline") or key == "due_at") and value is not None:
            assert isinstance(value, str) and UTC_TIME.match(value), f"{where} = {value!r}"
        assert not isinstance(value, float), f"{where} is a float"


def test_every_event_type_has_a_scenario_R_API_5():
    assert set(SCENARIOS) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_R_API_5_the_service_emits_exactly_one_event_with_the_documented_payload(people, event_type):
    act = SCENARIOS[event_type](people)
    before = last_event_id()

    subject = act()

    emitted = events_after(before, event_type)
    assert len(emitted) == 1, [e.type for e in events_after(before)]
    event = emitted[0]
    kind = object_kind(event_type)
    data = event.data
    assert set(data) == OBJECT_FIELDS[kind] | EXTRA_FIELDS.get(event_type, set())
    assert data["object"] == kind
    assert data["id"] == subject.pk
    linked = order_of(subject) if kind == "penalty" else subject
    assert data["url"] == f"/api/v1/{API_COLLECTION[kind]}/{linked.pk}"
    if "state" in data:
        assert data["state"] == subject_state(subject)
    order = order_of(subject)
    assert (event.order_id, event.account) == (order.pk, order.account)
    assert event.uid.startswith("evt_")
    if kind != "order":
        assert set(data["order"]) == ORDER_REF and data["order"]["id"] == order.pk
    for party in ("buyer", "seller", "reporter"):
        if party in data:
            assert set(data[party]) == PARTY
    assert_formats(data)


def test_R_API_5_events_carry_the_marketplaces_own_ids(people):
    """The marketplace finds its objects by its own ids: the order's and the people's."""
    type(people.buyer).objects.filter(pk=people.buyer.pk).update(external_id="mp-user-7")
    before = last_event_id()

    order = paid_order(buyer=people.buyer, seller=people.seller)
    Order.objects.filter(pk=order.pk).update(external_id="mp-order-42")
    with at(START + HOUR):
        money.order_ship(order=fresh(order), actor=people.seller, carrier="DHL", tracking_number="JD1")

    held, shipped_event = events_after(before)
    assert held.data["buyer"] == {"id": people.buyer.pk, "external_id": "mp-user-7"}
    assert shipped_event.data["external_id"] == "mp-order-42"
    assert shipped_event.data["amount"] == "100.00" and shipped_event.data["currency"] == "USD"


# --- No silent transition -------------------------------------------------------------------------

# Every transition of every model with a state, and the event that reports it.
TRANSITION_EVENTS = {
    (Order, "ship"): "order.shipped",
    (Order, "mark_delivered"): "order.delivered",
    (Order, "confirm_receipt"): "order.receipt_confirmed",
    (Order, "freeze_for_dispute"): "order.escrow_frozen",
    (Order, "complete"): "order.escrow_released",
    (Refund, "mark_sent"): "refund.sent",
    (Refund, "mark_completed"): "refund.completed",
    (Refund, "mark_failed"): "refund.failed",
    (Refund, "retry"): "refund.retried",
    (Dispute, "amend"): "dispute.amended",
    (Dispute, "withdraw"): "dispute.closed",
    (Dispute, "accept_claim"): "dispute.closed or return.requested",
    (Dispute, "make_offer"): "dispute.offer_made",
    (Dispute, "reject_claim"): "dispute.answered",
    (Dispute, "accept_offer"): "dispute.offer_answered",
    (Dispute, "decline_offer"): "dispute.offer_answered",
    (Dispute, "escalate"): "dispute.escalated",
    (Dispute, "escalate_overdue"): "dispute.escalated",
    (Dispute, "take"): "dispute.assigned",
    (Dispute, "release"): "dispute.unassigned",
    (Dispute, "reassign"): "dispute.assigned",
    (Dispute, "decide"): "dispute.decided",
    (Dispute, "request_information"): "dispute.information_requested",
    (Dispute, "ship_return"): "return.shipped",
    (Dispute, "close_return_not_shipped"): "dispute.closed",
    (Dispute, "confirm_return"): "return.received",
    (Dispute, "report_return_problem"): "return.problem_reported",
    (Dispute, "refund_unconfirmed_return"): "dispute.closed",
    (Complaint, "take"): "complaint.assigned",
    (Complaint, "release"): "complaint.unassigned",
    (Complaint, "reassign"): "complaint.assigned",
    (Complaint, "decide"): "complaint.decided",
    (SafetyReport, "close"): "safety_report.closed",
}


def declared_transitions() -> set[tuple[type, str]]:
    found = set()
    for model in (Order, Refund, Dispute, Complaint, SafetyReport):
        field = next(f for f in model._meta.fields if isinstance(f, FSMField))
        found |= {(model, transition.name) for transition in field.get_all_transitions(model)}
    return found


def test_R_API_5_every_state_transition_is_reported_by_an_event():
    """A new transition fails here until it has its event (and a scenario above)."""
    assert declared_transitions() == set(TRANSITION_EVENTS)
    for reported_by in TRANSITION_EVENTS.values():
        assert all(name in EVENT_TYPES for name in reported_by.split(" or "))


def test_R_API_5_the_readme_documents_every_event_type():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert [name for name in EVENT_TYPES if f"| `{name}` |" not in readme] == []
