"""The parties' pages (R-ARB-3, R-ARB-5) and the solicitation patterns supervisors edit
without a deploy (R-DSP-8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from arbitration import services
from arbitration.models import Message, SolicitationPattern
from tests.admin.conftest import DAY, ago

pytestmark = pytest.mark.django_db

PATTERNS = reverse("admin:arbitration_solicitationpattern_changelist")
ADD_PATTERN = reverse("admin:arbitration_solicitationpattern_add")


def user_page(user) -> str:
    return reverse("admin:marketplace_user_change", args=[user.pk])


@pytest.fixture
def seller_history(cases, people):
    """The seller lost one arbitration with a penalty and a flagged message, and has one open case."""
    lost = cases.taken(by=people.arbiter, flagged=True, title="Drone")
    services.dispute_decide(
        dispute=lost,
        actor=people.arbiter,
        outcome="full_refund",
        rationale="Never shipped.",
        penalty_amount="25.00",
        penalty_reason="Asked the buyer to pay by PayPal.",
    )
    won = cases.taken(by=people.arbiter, title="Kettle")
    services.dispute_decide(
        dispute=won, actor=people.arbiter, outcome="rejected", rationale="Delivered, signed."
    )
    return cases.escalated(title="Tent")


def test_the_sellers_page_shows_penalties_dispute_count_and_loss_rate_R_ARB_5(
    seller_history, people, arbiter_client
):
    response = arbiter_client.get(user_page(people.seller))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="seller-record"' in html and 'id="penalties"' in html
    assert "Asked the buyer to pay by PayPal." in html and "$25.00" in html
    assert "50%" in html  # lost 1 of 2 decided
    assert "(1/2)" in html
    for title in ("Drone", "Kettle", "Tent"):
        assert title in html


def test_the_buyers_page_shows_past_disputes_and_outcomes_R_ARB_3(seller_history, people, arbiter_client):
    html = arbiter_client.get(user_page(people.buyer)).content.decode()

    assert 'id="buyer-record"' in html
    assert "Arbitration decided a refund" in html and "Arbitration rejected the claim" in html
    assert "Escalated" in html  # the open one


def test_the_people_list_shows_dispute_counts_and_flags_without_per_row_queries(
    seller_history, people, arbiter_client
):
    response = arbiter_client.get(reverse("admin:marketplace_user_changelist"))

    by_name = {u.username: u for u in response.context["cl"].result_list}
    assert by_name[people.seller.username].seller_disputes == 3
    assert by_name[people.seller.username].seller_flags == 1
    assert by_name[people.buyer.username].buyer_disputes == 3


def test_people_search_is_by_username_prefix_or_email(people, arbiter_client):
    changelist = reverse("admin:marketplace_user_changelist")

    assert [u.pk for u in arbiter_client.get(changelist, {"q": "bor"}).context["cl"].result_list] == [
        people.buyer.pk
    ]
    assert [
        u.pk for u in arbiter_client.get(changelist, {"q": "SAM@example.com"}).context["cl"].result_list
    ] == [people.seller.pk]


def test_an_arbiter_cannot_edit_people(people, arbiter_client):
    response = arbiter_client.get(user_page(people.seller))

    assert response.context["has_change_permission"] is False


# --- Solicitation patterns (R-DSP-8) -----------------------------------------------------------


def test_a_supervisor_adds_a_pattern_and_new_seller_messages_are_flagged_by_it(cases, people, client_for):
    supervisor = client_for(people.supervisor)

    response = supervisor.post(
        ADD_PATTERN,
        {
            "name": "zelle",
            "pattern": r"\bzelle\b",
            "language": "en",
            "intent": "off-platform",
            "description": "US bank transfers",
            "is_active": "on",
        },
        follow=True,
    )

    pattern = SolicitationPattern.objects.get(name="zelle")
    assert pattern.updated_by == people.supervisor
    assert response.status_code == 200
    dispute = cases.open()
    with ago(DAY / 2):
        message = services.dispute_post_message(
            dispute=dispute, actor=people.seller, body="Pay me with Zelle, ok?"
        )
    assert "zelle" in [flag["pattern"] for flag in Message.objects.get(pk=message.pk).solicitation_patterns]


@pytest.mark.parametrize("bad", [r"(paypal", r"[a-", r"*close", r"(?P<x>a)(?P<x>b)"])
def test_a_broken_regex_is_refused_with_a_clear_message_and_the_input_kept_R_DSP_8(people, client_for, bad):
    response = client_for(people.supervisor).post(
        ADD_PATTERN, {"name": "broken", "pattern": bad, "language": "any", "is_active": "on"}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["pattern"]
    assert errors and "regular expression" in " ".join(errors).lower()
    assert not SolicitationPattern.objects.filter(name="broken").exists()


def test_editing_a_pattern_is_validated_too(people, client_for):
    pattern = SolicitationPattern.objects.first()
    url = reverse("admin:arbitration_solicitationpattern_change", args=[pattern.pk])
    before = pattern.pattern

    response = client_for(people.supervisor).post(
        url, {"name": pattern.name, "pattern": "((", "language": "any", "is_active": "on"}
    )

    assert "pattern" in response.context["adminform"].form.errors
    assert SolicitationPattern.objects.get(pk=pattern.pk).pattern == before


def test_the_sample_message_says_whether_the_pattern_would_flag_it(people, client_for):
    response = client_for(people.supervisor).post(
        ADD_PATTERN,
        {
            "name": "venmo",
            "pattern": r"venmo",
            "language": "en",
            "intent": "off-platform",
            "is_active": "on",
            "sample": "send it on Venmo",
        },
        follow=True,
    )

    assert "The sample message would be flagged by this pattern." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]


def test_patterns_are_switched_off_never_deleted(people, client_for):
    pattern = SolicitationPattern.objects.first()
    supervisor = client_for(people.supervisor)

    assert (
        supervisor.post(
            reverse("admin:arbitration_solicitationpattern_delete", args=[pattern.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert SolicitationPattern.objects.filter(pk=pattern.pk).exists()


def test_an_arbiter_cannot_edit_patterns(people, arbiter_client):
    assert arbiter_client.get(ADD_PATTERN).status_code == 403
    assert (
        arbiter_client.post(ADD_PATTERN, {"name": "x", "pattern": "x", "language": "any"}).status_code == 403
    )


def test_penalty_totals_are_decimal(seller_history, people):
    from arbitration.selectors import seller_record

    assert seller_record(people.seller).penalties_total == Decimal("25.00")
