"""The people and cases of the dispute-lifecycle tests (SPEC §4, §5, §7–§9, §13).

People: the buyer, the seller, a stranger, the arbiter and a second arbiter (the Arbiters
group from migration 0003), the supervisor (Supervisors), the finance operator (Finance),
staff without any group, and the scheduler (``marketplace.actors.scheduler_user()``).

Cases are built through the real services at fixed moments under ``time_machine``, so every
deadline a test checks is the one the services computed. The order ships at ``START`` and
the dispute opens at ``OPENED``; helpers below move it to every state.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django_fsm_log.models import StateLog

from arbitration import services
from arbitration.models import (
    ClaimVersion,
    Complaint,
    Decision,
    Dispute,
    InformationRequest,
    Message,
    Offer,
    ReturnShipment,
)
from marketplace.models import EscrowHold, LedgerEntry, Notification, Order, Refund
from marketplace.selectors.reconciliation import ledger_reconcile
from tests.marketplace.factories import DAY, SECOND, START, at, shipped_order
from tests.people import People, make_people
from tests.support import fresh, png

User = get_user_model()

HOUR = 3600 * SECOND
OPENED = START + 20 * DAY  # the buyer opens the dispute 20 days after shipping
CARD = "Visa •••• 4242"
DECLINED_CARD = "Visa •••• 0002"  # the simulated gateway declines payouts to it

__all__ = ["DAY", "HOUR", "OPENED", "SECOND", "START", "People", "at", "fresh", "make_people", "png"]


# --- People ---------------------------------------------------------------------------------


@pytest.fixture
def people(db) -> People:
    return make_people()


@pytest.fixture
def buyer(people):
    return people.buyer


@pytest.fixture
def seller(people):
    return people.seller


@pytest.fixture
def stranger(people):
    return people.stranger


@pytest.fixture
def arbiter(people):
    return people.arbiter


@pytest.fixture
def arbiter2(people):
    return people.arbiter2


@pytest.fixture
def supervisor(people):
    return people.supervisor


@pytest.fixture
def finance(people):
    return people.finance


@pytest.fixture
def staff(people):
    """Staff without any group or permission: sees and does nothing (R-SEC-2)."""
    return people.staff


@pytest.fixture
def scheduler(people):
    return people.scheduler


# --- Cases ----------------------------------------------------------------------------------


def shipped(
    people: People, *, amount: str = "100.00", card: str = CARD, shipped_at: datetime = START
) -> Order:
    return shipped_order(
        buyer=people.buyer, seller=people.seller, amount=amount, payment_method=card, shipped_at=shipped_at
    )


def open_dispute(
    people: People,
    *,
    when: datetime = OPENED,
    amount: str = "100.00",
    card: str = CARD,
    reason: str = "not_received",
    resolution: str = "full_refund",
    requested: str | None = None,
    description: str = "Tracking stopped at the sorting centre three weeks ago; nothing arrived.",
    order: Order | None = None,
) -> Dispute:
    """The buyer opens a dispute ``when`` (default: 20 days after shipping, well inside protection)."""
    order = order or shipped(people, amount=amount, card=card)
    with at(when):
        return services.dispute_open(
            order=order,
            actor=people.buyer,
            reason=reason,
            resolution=resolution,
            requested_amount=requested,
            description=description,
        )


def offer(
    people: People,
    dispute: Dispute,
    *,
    when: datetime | None = None,
    kind: str = "partial_refund",
    amount: str | None = "30.00",
) -> Offer:
    with at(when or dispute.opened_at + HOUR):
        return services.dispute_make_offer(dispute=dispute, actor=people.seller, kind=kind, amount=amount)


def reject(people: People, dispute: Dispute, *, when: datetime | None = None) -> Dispute:
    with at(when or dispute.opened_at + 2 * HOUR):
        return services.dispute_reject_claim(
            dispute=dispute,
            actor=people.seller,
            explanation="The parcel was delivered; see the carrier's photo.",
        )


def decline(people: People, dispute: Dispute, *, when: datetime | None = None) -> Dispute:
    with at(when or dispute.opened_at + 3 * HOUR):
        return services.dispute_decline_offer(dispute=dispute, actor=people.buyer, reason="30 is not enough.")


def escalate_overdue(people: People, dispute: Dispute) -> Dispute:
    """The scheduler escalates one second after the escalation deadline (R-DSP-6)."""
    dispute = fresh(dispute)
    with at(dispute.deadline_at + SECOND):
        assert services.dispute_escalate_overdue(dispute=dispute, actor=people.scheduler)
    return fresh(dispute)


def take(
    people: People, dispute: Dispute, *, arbiter: User | None = None, when: datetime | None = None
) -> Dispute:
    dispute = fresh(dispute)
    with at(when or dispute.escalated_at + HOUR):
        return services.case_take(case=dispute, actor=arbiter or people.arbiter)


def under_review(people: People, **open_kwargs) -> Dispute:
    return take(people, escalate_overdue(people, open_dispute(people, **open_kwargs)))


def decide(
    people: People,
    dispute: Dispute,
    *,
    outcome: str = "full_refund",
    when: datetime | None = None,
    arbiter: User | None = None,
    **kwargs,
) -> Decision:
    dispute = fresh(dispute)
    with at(when or dispute.assigned_at + HOUR):
        return services.dispute_decide(
            dispute=dispute,
            actor=arbiter or people.arbiter,
            outcome=outcome,
            rationale=kwargs.pop("rationale", "The tracking shows the parcel was returned to the sender."),
            **kwargs,
        )


def seller_accepts(people: People, dispute: Dispute, *, when: datetime | None = None) -> Dispute:
    with at(when or dispute.opened_at + DAY):
        return services.dispute_seller_accept(dispute=dispute, actor=people.seller)


def awaiting_return(people: People, **open_kwargs) -> Dispute:
    """The buyer asked for return and refund and the seller accepted: the buyer ships it (R-RET-1)."""
    dispute = open_dispute(
        people,
        resolution="return_and_refund",
        reason="damaged",
        description="The screen is cracked.",
        **open_kwargs,
    )
    return seller_accepts(people, dispute)


def ship_return(people: People, dispute: Dispute, *, when: datetime | None = None) -> ReturnShipment:
    dispute = fresh(dispute)
    with at(when or dispute.deadline_at - 5 * DAY):
        return services.return_ship(
            dispute=dispute, actor=people.buyer, carrier="Russian Post", tracking_number="RR987654321RU"
        )


def return_in_transit(people: People, **open_kwargs) -> Dispute:
    dispute = awaiting_return(people, **open_kwargs)
    ship_return(people, dispute)
    return fresh(dispute)


def report_return_problem(
    people: People,
    dispute: Dispute,
    *,
    acknowledgement: str = "empty_or_different",
    note: str = "A brick in the box.",
) -> Dispute:
    """The seller reports a problem with the returned item, a day before the confirm-by date."""
    with at(fresh(dispute).deadline_at - DAY):
        services.return_acknowledge(
            dispute=dispute, actor=people.seller, acknowledgement=acknowledgement, note=note, files=[png()]
        )
    return fresh(dispute)


def closed_by_seller(people: People, **open_kwargs) -> Dispute:
    return seller_accepts(people, open_dispute(people, **open_kwargs))


@pytest.fixture
def order(people) -> Order:
    """A 100.00 USD order shipped at ``START``: protection runs until ``START`` + 60 days."""
    return shipped(people)


@pytest.fixture
def dispute(people, order) -> Dispute:
    """An open dispute on ``order``, opened at ``OPENED`` (not received, full refund wanted)."""
    return open_dispute(people, order=order)


# --- Files ----------------------------------------------------------------------------------


def pdf(name: str = "bank-statement.pdf") -> SimpleUploadedFile:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


# --- What the database holds ----------------------------------------------------------------


def log_of(obj) -> list[tuple[str, int | None]]:
    """The audit trail of ``obj``: (transition, by) in order (R-SEC-2)."""
    return list(
        StateLog.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .order_by("timestamp", "pk")
        .values_list("transition", "by_id")
    )


def ledger(order: Order, kind: str | None = None):
    entries = LedgerEntry.objects.filter(order_id=order.pk)
    return entries.filter(kind=kind) if kind else entries


def amounts(order: Order, kind: str) -> list[Decimal]:
    return list(ledger(order, kind).order_by("pk").values_list("amount", flat=True))


def escrow(order: Order) -> EscrowHold:
    return EscrowHold.objects.get(order_id=order.pk)


def notified(user: User, event: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=event).order_by("pk"))


def assert_books_balance() -> None:
    """R-ESC-3 via R-JOB-4: the ledger and the escrow rows agree everywhere."""
    assert [d.as_dict() for d in ledger_reconcile().discrepancies] == []


def snapshot(dispute: Dispute) -> dict:
    """Everything an action on ``dispute`` could change, to prove a refused one changed nothing."""
    order_id = dispute.order_id
    return {
        "dispute": Dispute.objects.filter(pk=dispute.pk).values().get(),
        "order": Order.objects.filter(pk=order_id).values("state", "completed_at").get(),
        "escrow": EscrowHold.objects.filter(order_id=order_id).values().get(),
        "claims": ClaimVersion.objects.filter(dispute=dispute).count(),
        "offers": list(Offer.objects.filter(dispute=dispute).values_list("pk", "status")),
        "messages": Message.objects.filter(dispute=dispute).count(),
        "decisions": Decision.objects.filter(dispute=dispute).count(),
        "requests": list(InformationRequest.objects.filter(dispute=dispute).values_list("pk", "answered_at")),
        "returns": list(ReturnShipment.objects.filter(dispute=dispute).values()),
        "complaints": list(Complaint.objects.filter(dispute=dispute).values_list("pk", "state")),
        "ledger": LedgerEntry.objects.filter(order_id=order_id).count(),
        "refunds": list(Refund.objects.filter(order_id=order_id).values_list("pk", "state")),
        "audit": StateLog.objects.count(),
        "notifications": Notification.objects.count(),
    }
