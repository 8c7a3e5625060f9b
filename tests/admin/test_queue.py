"""The arbitration queue (R-ARB-1, R-ARB-4): oldest first, columns to choose by, filters,
search, and the take/release actions that call the services."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_fsm_log.models import StateLog

from arbitration import services
from arbitration.models import Dispute
from tests.admin.conftest import DAY
from tests.support import fresh

QUEUE = reverse("admin:arbitration_dispute_changelist")

pytestmark = pytest.mark.django_db


def rows(response) -> list[Dispute]:
    return list(response.context["cl"].result_list)


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_lists_escalated_disputes_oldest_escalation_first_R_ARB_1(cases, arbiter_client):
    newest = cases.escalated(days_ago=1)
    oldest = cases.escalated(days_ago=4)
    middle = cases.escalated(days_ago=2)
    cases.open()  # still between the parties: not in the queue

    response = arbiter_client.get(QUEUE)

    assert response.status_code == 200
    assert [d.pk for d in rows(response)] == [oldest.pk, middle.pk, newest.pk]


def test_cases_waiting_for_an_arbiter_come_first_then_cases_in_review_each_oldest_first_R_ARB_1(
    cases, people, arbiter_client
):
    old_in_review = cases.taken(by=people.arbiter2, days_ago=6)
    new_waiting = cases.escalated(days_ago=1)
    old_waiting = cases.escalated(days_ago=3)
    new_in_review = cases.taken(by=people.arbiter2, days_ago=2)

    response = arbiter_client.get(QUEUE)

    assert [d.pk for d in rows(response)] == [
        old_waiting.pk,
        new_waiting.pk,
        old_in_review.pk,
        new_in_review.pk,
    ]


def test_a_case_under_review_stays_in_the_queue_with_its_arbiter_R_ARB_1(cases, people, client_for):
    taken = cases.taken(by=people.arbiter2)

    response = client_for(people.arbiter).get(QUEUE)

    assert [d.pk for d in rows(response)] == [taken.pk]
    assert "Artem Arbiter" in response.content.decode()


def test_the_queue_shows_order_amount_reason_age_overdue_arbiter_and_flags_R_ARB_4(
    cases, people, arbiter_client
):
    overdue = cases.escalated(
        days_ago=7, amount="310.00", reason="wrong_item", flagged=True, title="Drone with 4K camera"
    )
    mine = cases.taken(by=people.arbiter, days_ago=1)

    html = arbiter_client.get(QUEUE).content.decode()

    assert overdue.order.number in html
    assert "$310.00" in html
    assert "Wrong item" in html
    assert "7 d 0 h" in html  # waiting since the escalation
    assert "2 days overdue" in html  # ARBITER_DECISION_DAYS = 5 after escalation
    assert "⚑ 1" in html  # one flagged seller message (R-DSP-8)
    assert "unassigned" in html
    assert f"#{mine.pk}" in html and ">you<" in html


def test_the_overdue_filter_shows_only_cases_past_their_decision_date_R_ARB_4(cases, arbiter_client):
    late = cases.escalated(days_ago=6)
    cases.escalated(days_ago=1)

    response = arbiter_client.get(QUEUE, {"overdue": "yes"})

    assert [d.pk for d in rows(response)] == [late.pk]


def test_the_mine_and_unassigned_filters(cases, people, arbiter_client):
    mine = cases.taken(by=people.arbiter)
    theirs = cases.taken(by=people.arbiter2)
    waiting = cases.escalated()

    assert [d.pk for d in rows(arbiter_client.get(QUEUE, {"assigned": "me"}))] == [mine.pk]
    assert [d.pk for d in rows(arbiter_client.get(QUEUE, {"assigned": "nobody"}))] == [waiting.pk]
    assert [d.pk for d in rows(arbiter_client.get(QUEUE, {"assigned": "others"}))] == [theirs.pk]


def test_the_reason_flagged_and_amount_filters(cases, arbiter_client):
    cheap = cases.escalated(amount="20.00", reason="not_received")
    flagged = cases.escalated(amount="150.00", reason="damaged", flagged=True)
    dear = cases.escalated(amount="1500.00", reason="damaged")

    assert {d.pk for d in rows(arbiter_client.get(QUEUE, {"reason__exact": "damaged"}))} == {
        flagged.pk,
        dear.pk,
    }
    assert [d.pk for d in rows(arbiter_client.get(QUEUE, {"flagged": "yes"}))] == [flagged.pk]
    assert {d.pk for d in rows(arbiter_client.get(QUEUE, {"flagged": "no"}))} == {cheap.pk, dear.pk}
    in_range = rows(arbiter_client.get(QUEUE, {"amount_min": "50", "amount_max": "200"}))
    assert [d.pk for d in in_range] == [flagged.pk]
    assert [d.pk for d in rows(arbiter_client.get(QUEUE, {"amount_min": "1000"}))] == [dear.pk]


def test_a_bad_amount_bound_is_ignored_with_a_message_not_an_error(cases, arbiter_client):
    case = cases.escalated(amount="20.00")

    response = arbiter_client.get(QUEUE, {"amount_min": "lots"})

    assert response.status_code == 200
    assert [d.pk for d in rows(response)] == [case.pk]
    assert "“lots” is not an amount" in " ".join(texts(response))


def test_the_state_filter_shows_any_state_on_request(cases, arbiter_client):
    queued = cases.escalated()
    talking = cases.open()

    assert [d.pk for d in rows(arbiter_client.get(QUEUE, {"state": "open"}))] == [talking.pk]
    assert {d.pk for d in rows(arbiter_client.get(QUEUE, {"state": "all"}))} == {queued.pk, talking.pk}


@pytest.mark.parametrize(
    "field", ["order number", "order prefix", "buyer", "seller", "email", "tracking", "id"]
)
def test_search_finds_a_dispute_in_any_state(cases, people, client_for, field):
    """Search by order number, buyer, seller, tracking number: every branch an indexed lookup."""
    buyer = people.buyer.__class__.objects.create_user("vera", email="vera@example.com")
    target = cases.open(buyer=buyer, tracking="RR555000111CN")
    cases.escalated()  # someone else's
    term = {
        "order number": target.order.number,
        "order prefix": target.order.number[:8],
        "buyer": "vera",
        "seller": people.seller.username,
        "email": "VERA@example.com",
        "tracking": "rr555000111cn",
        "id": f"#{target.pk}",
    }[field]

    found = {d.pk for d in rows(client_for(people.arbiter).get(QUEUE, {"q": term}))}

    assert target.pk in found
    if field not in ("seller", "order prefix"):
        assert found == {target.pk}


def test_take_case_action_calls_the_service_and_the_case_becomes_mine_R_ARB_1(cases, people, arbiter_client):
    case = cases.escalated()

    with mock.patch("arbitration.backoffice.cases.services.case_take", wraps=services.case_take) as take:
        response = arbiter_client.post(
            QUEUE, {"action": "take_cases", "_selected_action": [case.pk]}, follow=True
        )

    take.assert_called_once()
    assert take.call_args.kwargs["actor"] == people.arbiter
    case = fresh(case)
    assert case.state == Dispute.State.UNDER_REVIEW and case.assigned_arbiter == people.arbiter
    assert "You took 1 case." in texts(response)
    assert StateLog.objects.for_(case).filter(transition="take", by=people.arbiter).exists()


def test_taking_a_case_another_arbiter_holds_shows_a_message_and_changes_nothing_R_ARB_1(
    cases, people, arbiter_client
):
    case = cases.taken(by=people.arbiter2)

    response = arbiter_client.post(
        QUEUE, {"action": "take_cases", "_selected_action": [case.pk]}, follow=True
    )

    assert any("Artem Arbiter (artem) has already taken this case" in t for t in texts(response))
    case = fresh(case)
    assert case.assigned_arbiter == people.arbiter2 and case.state == Dispute.State.UNDER_REVIEW


def test_release_action_puts_my_case_back_in_the_queue(cases, people, arbiter_client):
    case = cases.taken(by=people.arbiter)

    with mock.patch(
        "arbitration.backoffice.cases.services.case_release", wraps=services.case_release
    ) as release:
        response = arbiter_client.post(
            QUEUE, {"action": "release_cases", "_selected_action": [case.pk]}, follow=True
        )

    release.assert_called_once()
    case = fresh(case)
    assert case.state == Dispute.State.ESCALATED and case.assigned_arbiter is None
    assert "1 case released to the queue." in texts(response)


def test_releasing_someone_elses_case_is_refused_and_changes_nothing(cases, people, arbiter_client):
    case = cases.taken(by=people.arbiter2)

    response = arbiter_client.post(
        QUEUE, {"action": "release_cases", "_selected_action": [case.pk]}, follow=True
    )

    assert any(t.startswith(f"#{case.pk}: You can't do that now") for t in texts(response))
    assert fresh(case).assigned_arbiter == people.arbiter2


def test_taking_several_cases_reports_each_refusal_by_case(cases, people, arbiter_client):
    free = cases.escalated(days_ago=2)
    held = cases.taken(by=people.arbiter2, days_ago=1)

    response = arbiter_client.post(
        QUEUE, {"action": "take_cases", "_selected_action": [free.pk, held.pk]}, follow=True
    )

    messages = texts(response)
    assert "You took 1 case." in messages
    assert any(m.startswith(f"#{held.pk}:") for m in messages)
    assert fresh(free).assigned_arbiter == people.arbiter
    assert fresh(held).assigned_arbiter == people.arbiter2


def test_the_queue_offers_no_delete_action(cases, client_for, people, admin_user):
    cases.escalated()
    for user in (people.arbiter, people.supervisor, admin_user):
        actions = client_for(user).get(QUEUE).context["action_form"].fields["action"].choices
        names = [name for name, _label in actions]
        assert "delete_selected" not in names
        assert "take_cases" in names and "release_cases" in names


def test_the_queue_header_counts_waiting_in_review_and_overdue(cases, people, arbiter_client):
    cases.escalated(days_ago=6)
    cases.escalated(days_ago=1)
    cases.taken(by=people.arbiter2, days_ago=1)

    counts = arbiter_client.get(QUEUE).context["queue_counts"]

    assert counts == {"waiting": 2, "in_review": 1, "overdue": 1, "mine": 0, "complaints": 0}


def test_waiting_counts_from_the_escalation(cases, arbiter_client):
    cases.escalated(days_ago=3)

    html = arbiter_client.get(QUEUE).content.decode()

    assert "3 d 0 h" in html
    assert "in 2 days" in html  # decided within 5 days of escalation


def test_the_dispute_list_pages_without_a_full_count(cases, arbiter_client, settings):
    for _ in range(3):
        cases.escalated()
    response = arbiter_client.get(QUEUE)
    cl = response.context["cl"]
    assert cl.show_full_result_count is False
    assert cl.paginator.count == 3 and cl.paginator.capped is False


def test_more_than_the_cap_shows_more_than(cases, arbiter_client, monkeypatch):
    from marketplace.backoffice.base import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "CAP", 2)
    for _ in range(3):
        cases.escalated()

    response = arbiter_client.get(QUEUE)

    assert response.context["cl"].paginator.capped is True
    assert "more than 2" in response.content.decode()


def test_a_case_overdue_by_less_than_a_day_says_by_how_many_hours_R_ARB_4(cases, arbiter_client):
    """A case escalated 5 days + 1 hour ago is 1 hour past its decision date."""
    from datetime import timedelta

    cases.escalated(days_ago=(5 * DAY + timedelta(hours=1)).total_seconds() / 86400)

    html = arbiter_client.get(QUEUE).content.decode()

    assert "1 h overdue" in html
