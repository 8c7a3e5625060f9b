"""The people and cases of the back-office tests (SPEC §5, §6, §8, §9, §13).

People: ``tests/people.py``, with last names (the back office shows full names).

Cases are built through the real services, in the past relative to *now* (the admin shows
ages and overdue badges against the real clock): ``escalated(days_ago=3)`` is a dispute the
scheduler escalated three days ago.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from arbitration import services
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.actors import scheduler_user
from marketplace.models import Order, Refund, TrackingEvent
from tests.people import People, make_people, member
from tests.support import fresh, png

User = get_user_model()
__all__ = ["People", "fresh", "member", "png"]
DAY = timedelta(days=1)
_serial = itertools.count(1)

FLAGGED_TEXT = (
    "Dear friend, please close the dispute and I give you 30% discount, or I refund you by PayPal directly."
)


def ago(delta: timedelta):
    """Run the block as if it were ``delta`` ago (the clock stands still inside)."""
    return time_machine.travel(timezone.now() - delta, tick=False)


@pytest.fixture
def people(db) -> People:
    return make_people(surnames=True)


@pytest.fixture
def client_for(db):
    """A logged-in client for a person: ``client_for(people.arbiter)``."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# --- Cases ----------------------------------------------------------------------------------


class Cases:
    """Disputes in the states the back office works with, built through the services."""

    def __init__(self, people: People):
        self.p = people

    def order(
        self,
        *,
        buyer=None,
        seller=None,
        amount="100.00",
        currency="USD",
        shipped_ago=30 * DAY,
        card="Visa •••• 4242",
        title="Power bank 20000 mAh",
        tracking: str | None = None,
        events: int = 1,
    ) -> Order:
        buyer, seller = buyer or self.p.buyer, seller or self.p.seller
        with ago(shipped_ago + timedelta(hours=2)):
            order = money.order_pay(
                buyer=buyer,
                seller=seller,
                item_title=title,
                amount=Decimal(amount),
                currency=currency,
                payment_method=card,
            )
        with ago(shipped_ago):
            order = money.order_ship(
                order=order,
                actor=seller,
                carrier="China Post",
                tracking_number=tracking or f"RR{next(_serial):09d}CN",
            )
        for n in range(events):
            with ago(shipped_ago - timedelta(hours=n + 1)):
                money.tracking_event_record(
                    order=order,
                    actor=seller,
                    status=TrackingEvent.Status.IN_TRANSIT,
                    location=f"Sorting centre {n + 1}",
                )
        return Order.objects.get(pk=order.pk)

    def open(
        self,
        *,
        opened_ago=2 * DAY,
        reason="not_as_described",
        resolution="full_refund",
        requested_amount=None,
        description="The item is not what the listing showed.",
        **order,
    ) -> Dispute:
        order = self.order(shipped_ago=opened_ago + 10 * DAY, **order)
        with ago(opened_ago):
            return services.dispute_open(
                order=order,
                actor=order.buyer,
                reason=reason,
                resolution=resolution,
                description=description,
                requested_amount=requested_amount,
            )

    def escalated(self, *, days_ago: float = 1, flagged: bool = False, **kwargs) -> Dispute:
        """Escalated by the scheduler ``days_ago`` days ago (decision due ARBITER_DECISION_DAYS later)."""
        from django.conf import settings

        escalated_ago = timedelta(days=days_ago)
        opened_ago = escalated_ago + timedelta(days=settings.ESCALATION_AFTER_DAYS, minutes=1)
        dispute = self.open(opened_ago=opened_ago, **kwargs)
        if flagged:
            with ago(opened_ago - timedelta(hours=1)):
                services.dispute_post_message(dispute=dispute, actor=dispute.seller, body=FLAGGED_TEXT)
        with ago(escalated_ago):
            services.dispute_escalate_overdue(dispute=dispute, actor=scheduler_user())
        return fresh(dispute)

    def taken(self, *, by: User | None = None, **kwargs) -> Dispute:
        dispute = self.escalated(**kwargs)
        with ago(timedelta(hours=2)):
            services.case_take(case=dispute, actor=by or self.p.arbiter)
        return fresh(dispute)

    def decided(self, *, refund_amount: str = "40.00", by: User | None = None, **kwargs) -> Dispute:
        by = by or self.p.arbiter
        dispute = self.taken(by=by, **kwargs)
        with ago(timedelta(hours=1)):
            services.dispute_decide(
                dispute=dispute,
                actor=by,
                outcome="partial_refund",
                refund_amount=refund_amount,
                rationale="Half the set was missing.",
            )
        return fresh(dispute)

    def refund_of(self, dispute: Dispute) -> Refund:
        return Refund.objects.get(pk=fresh(dispute).refund_id)


@pytest.fixture
def cases(people) -> Cases:
    return Cases(people)


@pytest.fixture
def arbiter_client(client_for, people) -> Client:
    return client_for(people.arbiter)
