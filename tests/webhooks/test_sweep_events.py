"""R-API-5 in the set-based sweeps: a batch that moves many rows in one statement still emits one
event per change, with the same payload a person's action of one would produce."""

from __future__ import annotations

import pytest

from marketplace.models import DomainEvent, Order
from marketplace.scheduling import run_job
from tests.arbitration.conftest import SECOND, at, escalate_overdue, open_dispute, shipped
from tests.support import fresh
from tests.webhooks.conftest import events_after, last_event_id

pytestmark = pytest.mark.django_db


def by_type(event_id: int) -> dict[str, list[DomainEvent]]:
    found: dict[str, list[DomainEvent]] = {}
    for event in events_after(event_id):
        found.setdefault(event.type, []).append(event)
    return found


def test_R_API_5_the_release_sweep_emits_one_confirmation_and_one_release_per_order(people, settings):
    settings.JOB_BATCH_SIZE = 2  # three orders: two batches
    orders = [shipped(people) for _ in range(3)]
    before = last_event_id()

    with at(max(fresh(o).dispute_deadline for o in orders) + SECOND):
        assert run_job("release_escrow").moved == 3

    events = by_type(before)
    assert sorted(events) == ["order.escrow_released", "order.receipt_confirmed"]
    for kind in events.values():
        assert sorted(event.order_id for event in kind) == sorted(order.pk for order in orders)
    for event in events["order.receipt_confirmed"]:
        assert (event.data["state"], event.data["automatic"], event.data["completed_at"]) == (
            "confirmed",
            True,
            None,
        )
    for event in events["order.escrow_released"]:
        order = Order.objects.get(pk=event.order_id)
        assert event.data["state"] == order.state == Order.State.COMPLETED
        assert (event.data["released_amount"], event.data["refunded_amount"]) == ("100.00", "0.00")
        assert event.data["buyer"] == {"id": people.buyer.pk, "external_id": ""}


def test_R_API_5_the_escalation_sweep_emits_one_event_per_dispute(people):
    disputes = [open_dispute(people) for _ in range(3)]
    before = last_event_id()

    with at(disputes[0].deadline_at + SECOND):
        assert run_job("escalate_disputes").moved == 3

    (escalated,) = by_type(before).values()
    assert sorted(event.data["id"] for event in escalated) == sorted(d.pk for d in disputes)
    assert {event.type for event in escalated} == {"dispute.escalated"}
    assert {event.data["state"] for event in escalated} == {"escalated"}
    assert all(event.data["deadline_at"] and event.data["escalated_at"] for event in escalated)


def test_R_API_5_the_overdue_sweep_emits_one_event_per_case(people):
    disputes = [escalate_overdue(people, open_dispute(people)) for _ in range(2)]
    before = last_event_id()

    with at(disputes[0].deadline_at + SECOND):
        run_job("flag_overdue_cases")

    flagged = events_after(before)
    assert {event.type for event in flagged} == {"dispute.decision_overdue"}
    assert sorted(event.data["id"] for event in flagged) == sorted(d.pk for d in disputes)
