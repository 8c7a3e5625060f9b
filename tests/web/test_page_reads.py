"""What the buyer's and seller's pages read, and how often (R-DSP-10, R-SEC-1).

What a reader may do with a dispute is worked out once per request, and the same answer drives
the page, its inline forms and the action's own page. The pages people reload most read whose
turn it is, the thread and its files for all rows at once: their number of queries does not
grow with the number of disputes, messages or files.
"""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arbitration import services
from arbitration.presentation import actions as presentation_actions
from tests.web.conftest import messages_of, open_dispute, png, rejected, with_offer

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def counting_case_actions():
    """Every ``available_actions`` asks ``case_actions`` exactly once: count the asks."""
    return mock.patch.object(presentation_actions, "case_actions", wraps=presentation_actions.case_actions)


def test_the_dispute_page_works_out_what_the_reader_may_do_once_R_DSP_10(people, client):
    dispute = open_dispute(people)
    for reader in (people.buyer, people.seller):
        client.force_login(reader)
        with counting_case_actions() as asked:
            html = client.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
        assert asked.call_count == 1, reader
    # The seller's answers are offered, as buttons in "what you can do now" and as inline forms.
    assert f'action="/disputes/{dispute.pk}/accept/"' in html and "#action-make_offer" in html


def test_an_action_page_works_out_what_the_reader_may_do_once_R_DSP_10(people, client):
    dispute = open_dispute(people)
    client.force_login(people.buyer)
    url = reverse("dispute-message", args=[dispute.pk])
    with counting_case_actions() as asked:
        client.get(url)
    assert asked.call_count == 1
    with counting_case_actions() as asked:
        response = client.post(url, {"body": ""})  # nothing written: the form comes back
    assert asked.call_count == 1 and response.status_code == 200
    with counting_case_actions() as asked:
        refused = client.post(reverse("dispute-escalate", args=[dispute.pk]), follow=True)
    assert asked.call_count == 2  # the refused action, then the dispute page it sends the buyer to
    assert any("to arbitration early once" in text for text in messages_of(refused))


def test_the_sellers_desk_reads_whose_turn_it_is_for_all_disputes_at_once_R_DSP_10(people, client):
    with_offer(people)
    client.force_login(people.seller)
    client.get(reverse("sales"))
    one = queries(client, reverse("sales"))
    open_dispute(people)
    rejected(people)
    with_offer(people)
    assert queries(client, reverse("sales")) == one


def test_my_orders_reads_whose_turn_it_is_for_all_disputes_at_once_R_DSP_10(people, client):
    with_offer(people)
    client.force_login(people.buyer)
    client.get(reverse("order-list"))
    one = queries(client, reverse("order-list"))
    open_dispute(people)
    rejected(people)
    with_offer(people)
    assert queries(client, reverse("order-list")) == one


def test_the_dispute_page_reads_the_thread_and_its_files_at_once_R_DSP_7(people, client):
    dispute = with_offer(people)
    services.dispute_post_message(
        dispute=dispute, actor=people.buyer, body="The label", files=[png("label.png")]
    )
    url = reverse("dispute-detail", args=[dispute.pk])
    client.force_login(people.buyer)
    client.get(url)
    before = queries(client, url)
    colours = iter(["blue", "green", "yellow", "white", "black", "purple"])
    for n in range(3):
        files = [png(f"p{n}.png", next(colours)), png(f"q{n}.png", next(colours))]
        services.dispute_post_message(dispute=dispute, actor=people.buyer, body=f"Photo {n}", files=files)
    html = client.get(url).content.decode()
    assert html.count("/evidence/") >= 7 * 2  # every file is shown (a link and a thumbnail)
    assert queries(client, url) == before <= DISPUTE_PAGE_BUDGET


# The session with the signed-in person (1: ``config.sessions``); the dispute with its order,
# people, refund and return, its offers, open requests and claim versions (4: the FSM conditions of
# every action answer from these, not a query each); evidence, messages, complaints or decisions as
# the state has them, the timeline.
DISPUTE_PAGE_BUDGET = 9


@pytest.mark.parametrize("reader", ["buyer", "seller"])
def test_the_dispute_page_asks_the_conditions_facts_once_R_DSP_10(people, client, reader):
    """Every transition's conditions (an offer pending? amendments left?) are asked for each
    action a reader might take; they answer from the dispute's offers and claim versions, read
    once per request."""
    dispute = with_offer(people)
    services.dispute_amend(
        dispute=dispute,
        actor=people.buyer,
        reason="not_as_described",
        resolution="full_refund",
        description="It does not charge at all.",
    )
    url = reverse("dispute-detail", args=[dispute.pk])
    client.force_login(getattr(people, reader))
    client.get(url)
    assert queries(client, url) <= DISPUTE_PAGE_BUDGET


def test_a_dispute_reads_its_conditions_facts_once_and_forgets_them_when_they_change_R_DSP_5(
    people, django_assert_num_queries
):
    dispute = open_dispute(people)
    with django_assert_num_queries(1):  # the offers and the amendments together, once
        assert not dispute.has_pending_offer() and dispute.has_no_pending_offer()
        assert dispute.can_amend() and dispute.amendments_left() == dispute.amendments_left()
        assert not dispute.has_offers()
    services.dispute_make_offer(dispute=dispute, actor=people.seller, kind="partial_refund", amount="10.00")
    assert not dispute.has_pending_offer()  # this copy read its facts before the offer
    dispute.refresh_from_db()
    assert dispute.has_pending_offer() and dispute.pending_offer().amount == Decimal("10.00")
    dispute.decline_offer(by=people.buyer)  # a transition forgets them too
    assert "_condition_facts" not in dispute.__dict__
