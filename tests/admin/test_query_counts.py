"""Large tables stay fast (STYLE #8): the queue and the case page make the same number of
queries with 5 rows as with 50 (no per-row query), and stay within a small budget.

Display-only rows (messages, evidence, offers, requests) are bulk-made with the ORM for volume;
the case itself and every money movement go through the services.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from arbitration.models import Complaint, Evidence, InformationRequest, Message, Offer
from marketplace import services as money
from marketplace.models import TrackingEvent
from tests.admin.conftest import DAY

pytestmark = pytest.mark.django_db

# Every admin request reads the session and the signed-in person with their permissions and
# confirmed second-factor devices in one query (1: the session row carries the person's id,
# ``config.sessions`` and ``marketplace.security.signed_in``; Django and django-otp read them in four).
QUEUE_BUDGET = 7  # that 1, 4 queue counts, a capped count, the page
# The case page then reads the dispute with its order, escrow, shipment, refund, return and people,
# and the seller's and the buyer's records (with the buyer's recent disputes) as subqueries of that
# row (1), and each list once: claim versions, offers, evidence, messages, information requests,
# the timeline's three (transitions, tracking and extension requests: one UNION ALL query of typed
# rows, ``marketplace.selectors.order_history``), ledger, decisions, notes, and the reply templates
# while the arbiter may write (or the complaints once the case is closed) (10). The FSM conditions
# behind the buttons answer from the prefetched offers and claim versions (no query of their own).
CASE_PAGE_BUDGET = 12  # 1 + 1 + 10, issue 15's target (<= 12)
# The complaint page: 1 + the complaint with its dispute, order, hold, shipment and people and the
# seller's and the buyer's records (1), then the ledger, evidence, decisions, notes and the
# timeline's transitions, tracking and extension requests (one query, ``order_history``) (5 lists).
COMPLAINT_PAGE_BUDGET = 7


def queries(client, url, **params) -> tuple[int, str]:
    """How many queries one page view makes, and a readable list of them for the failure message."""
    client.get(url, params)  # warm the per-process caches (content types) out of the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    counts = Counter(q["sql"][:160] for q in captured.captured_queries)
    return len(captured), "\n".join(f"{n} × {sql}" for sql, n in counts.most_common())


def grow_queue(cases, people, n: int) -> None:
    for i in range(n):
        if i % 3 == 0:
            cases.taken(by=people.arbiter2 if i % 2 else people.arbiter, flagged=i % 2 == 0)
        else:
            cases.escalated(days_ago=1 + i % 7)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"overdue": "yes"},
        {"assigned": "me"},
        {"state": "all"},
        {"q": "sam"},
        {"amount_min": "10", "amount_max": "1000"},
        {"flagged": "yes"},
    ],
)
def test_the_queue_costs_the_same_with_5_or_50_cases(cases, people, arbiter_client, params):
    url = reverse("admin:arbitration_dispute_changelist")
    grow_queue(cases, people, 5)
    five, _sql = queries(arbiter_client, url, **params)

    grow_queue(cases, people, 45)
    fifty, sql = queries(arbiter_client, url, **params)

    assert fifty == five, sql
    assert fifty <= QUEUE_BUDGET, sql


def test_the_complaints_queue_costs_the_same_with_5_or_50(cases, people, arbiter_client):
    url = reverse("admin:arbitration_complaint_changelist")

    def grow(n):
        for _ in range(n):
            services.complaint_file(
                dispute=cases.decided(),
                actor=people.buyer,
                kind="refund_not_received",
                description="Nothing yet.",
            )

    grow(5)
    five, _ = queries(arbiter_client, url)
    grow(45)
    fifty, sql = queries(arbiter_client, url)
    assert fifty == five <= QUEUE_BUDGET, sql


def test_the_refunds_worklist_costs_the_same_with_5_or_50(cases, people, client_for):
    url = reverse("admin:marketplace_refund_changelist")
    finance = client_for(people.finance)

    def grow(n):
        for _ in range(n):
            cases.decided()

    grow(5)
    five, _ = queries(finance, url)
    grow(45)
    fifty, sql = queries(finance, url)
    assert fifty == five <= QUEUE_BUDGET, sql


def test_the_people_list_costs_the_same_with_5_or_50_sellers(cases, people, arbiter_client):
    url = reverse("admin:marketplace_user_changelist")
    User = people.seller.__class__

    def grow(n):
        for _ in range(n):
            seller = User.objects.create_user(f"seller{User.objects.count()}")
            cases.escalated(seller=seller)

    grow(5)
    five, _ = queries(arbiter_client, url)
    grow(45)
    fifty, sql = queries(arbiter_client, url)
    assert fifty == five, sql


# --- The case page ---------------------------------------------------------------------------


def grow_case(dispute, people, n: int, start: int) -> None:
    """n more of everything a case page lists."""
    now = timezone.now()
    order = dispute.order
    for i in range(start, start + n):
        message = Message.objects.create(
            dispute=dispute,
            author=people.seller if i % 2 else people.buyer,
            role="seller" if i % 2 else "buyer",
            body=f"Message {i}",
            is_flagged=i % 5 == 0,
            solicitation_patterns=["paypal"] if i % 5 == 0 else [],
        )
        Evidence.objects.create(
            dispute=dispute,
            message=message,
            uploaded_by=message.author,
            file=f"evidence/test/{i}.png",
            original_name=f"photo-{i}.png",
            content_type="image/png",
            kind="image",
            size=1000 + i,
            sha256=f"{i:064x}",
        )
        Offer.objects.create(
            dispute=dispute,
            kind="partial_refund",
            amount="1.00",
            status="declined",
            created_by=people.seller,
            answered_at=now,
        )
        InformationRequest.objects.create(
            dispute=dispute,
            party="buyer",
            question=f"Question {i}",
            due_at=now + DAY,
            requested_by=people.arbiter,
            answered_at=now,
        )
        money.tracking_event_record(
            order=order, actor=people.seller, status=TrackingEvent.Status.IN_TRANSIT, location=f"Hub {i}"
        )
        money.seller_penalize(
            order=order,
            amount="1.00",
            reason=f"Penalty {i}",
            actor=people.arbiter,
            idempotency_key=f"test:{i}",
        )


@pytest.mark.parametrize("state", ["under_review", "decided_with_complaint"])
def test_the_case_page_costs_the_same_with_5_or_50_of_everything_R_ARB_3(
    cases, people, arbiter_client, state
):
    dispute = cases.taken(by=people.arbiter)
    if state == "decided_with_complaint":
        services.dispute_decide(
            dispute=dispute,
            actor=people.arbiter,
            outcome="partial_refund",
            refund_amount="10.00",
            rationale="Partly.",
        )
        Complaint.objects.create(
            dispute=dispute,
            refund=dispute.refund if dispute.refund_id else None,
            kind="agreement_broken",
            description="x",
            filed_by=people.buyer,
            deadline_at=timezone.now() + DAY,
            state="decided",
            outcome="rejected",
            rationale="No.",
            decided_at=timezone.now(),
        )
    url = reverse("admin:arbitration_dispute_change", args=[dispute.pk])
    grow_case(dispute, people, 5, 0)
    five, _ = queries(arbiter_client, url)

    grow_case(dispute, people, 45, 5)
    fifty, sql = queries(arbiter_client, url)

    assert fifty == five, sql
    assert fifty <= CASE_PAGE_BUDGET, sql
    response = arbiter_client.get(url)
    page = response.content.decode()
    # Each list is still on the page, whole: the thread, the files, the tracking, the requests,
    # the ledger (penalties), the offers, the seller's record (read with the dispute) and the
    # buyer's, the notes and the timeline.
    assert "Message 49" in page and "photo-49.png" in page and "Hub 49" in page and "Question 49" in page
    assert "Penalty 49" in page and len(response.context["offers"]) == 50
    assert response.context["seller_record"].penalties_count == 50
    for section in ("seller-record", "buyer-record", "notes", "timeline", "offers", "evidence", "thread"):
        assert f'id="{section}"' in page, section
    assert "reply_templates" in response.context and "decisions" in response.context


def test_the_complaint_page_costs_the_same_with_5_or_50_files(cases, people, arbiter_client):
    complaint = services.complaint_file(
        dispute=cases.decided(), actor=people.buyer, kind="refund_not_received", description="Nothing yet."
    )
    url = reverse("admin:arbitration_complaint_change", args=[complaint.pk])

    def grow(n, start):
        for i in range(start, start + n):
            Evidence.objects.create(
                dispute=complaint.dispute,
                complaint=complaint,
                uploaded_by=people.buyer,
                file=f"evidence/c/{i}.png",
                original_name=f"statement-{i}.png",
                content_type="image/png",
                kind="image",
                size=10,
                sha256=f"{i:064x}",
            )

    grow(5, 0)
    five, _ = queries(arbiter_client, url)
    grow(45, 5)
    fifty, sql = queries(arbiter_client, url)
    assert fifty == five, sql
    assert fifty <= COMPLAINT_PAGE_BUDGET, sql


def test_the_dashboard_costs_the_same_with_5_or_50_cases(cases, people, client_for):
    supervisor = client_for(people.supervisor)  # sees both the cases and the refunds
    url = reverse("admin:index")
    for _ in range(5):
        cases.decided()
    five, _ = queries(supervisor, url)
    for _ in range(45):
        cases.decided()
    fifty, sql = queries(supervisor, url)
    assert fifty == five, sql
