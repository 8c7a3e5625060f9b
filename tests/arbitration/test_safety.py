"""Dangerous products (SPEC §9: R-SAF-1): reported any time, closed only with an outcome and a
reason, and the buyer sees the outcome."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from arbitration import services
from arbitration.models import Evidence, SafetyReport
from marketplace import services as money
from marketplace.errors import DomainError
from marketplace.models import Order
from tests.arbitration.conftest import DAY, HOUR, START, at, log_of, notified, png, shipped

pytestmark = pytest.mark.django_db


def refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.message_text


def report(people, order, *, when=START + 100 * DAY, files=()):
    with at(when):
        return services.safety_report_file(
            order=order,
            actor=people.buyer,
            description="The battery swelled and got hot while charging.",
            files=list(files),
        )


def test_the_buyer_reports_an_unsafe_product_with_evidence_even_after_protection_ended_R_SAF_1(people):
    order = shipped(people)
    after_protection = order.protection_deadline + 40 * DAY

    with at(after_protection):
        money.order_release_if_due(order=order, actor=people.scheduler)
    safety = report(people, order, when=after_protection + HOUR, files=[png("swollen.png")])

    assert Order.objects.get(pk=order.pk).state == Order.State.COMPLETED
    assert (safety.state, safety.reporter, safety.created_at) == (
        SafetyReport.State.OPEN,
        people.buyer,
        after_protection + HOUR,
    )
    assert Evidence.objects.get(safety_report=safety).kind == "image"
    assert log_of(safety) == [("file", people.buyer.pk)]


@pytest.mark.parametrize(
    ("who", "description", "expected"),
    [
        ("seller", "Dangerous", "Only the buyer of this order can report it."),
        ("stranger", "Dangerous", "Only the buyer of this order can report it."),
        ("buyer", "  ", "Describe the danger (for example: the battery swelled and got hot)."),
    ],
)
def test_a_report_is_made_by_the_orders_buyer_and_describes_the_danger_R_SAF_1(
    people, who, description, expected
):
    order = shipped(people)

    message = refused(
        lambda: services.safety_report_file(order=order, actor=getattr(people, who), description=description)
    )

    assert message == expected
    assert not SafetyReport.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "reason", "expected"),
    [
        ("", "Checked the listing", "Choose the outcome: listing blocked, seller warned, or no action."),
        (
            "dismissed",
            "Checked the listing",
            "Choose the outcome: listing blocked, seller warned, or no action.",
        ),
        ("no_action", "   ", "Write the reason for the outcome; the buyer will see it."),
    ],
)
def test_a_report_cannot_be_closed_without_an_outcome_and_a_reason_R_SAF_1(people, outcome, reason, expected):
    safety = report(people, shipped(people))

    message = refused(
        lambda: services.safety_report_close(
            report=safety, actor=people.arbiter, outcome=outcome, reason=reason
        )
    )

    assert message == expected
    assert SafetyReport.objects.get().state == SafetyReport.State.OPEN


def test_the_database_refuses_a_closed_report_without_an_outcome_and_reason_R_SAF_1(people):
    safety = report(people, shipped(people))

    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyReport.objects.filter(pk=safety.pk).update(state="closed")


@pytest.mark.parametrize("who", ["buyer", "seller", "staff", "finance"])
def test_only_arbitration_closes_a_safety_report_R_SAF_1_R_SEC_2(people, who):
    safety = report(people, shipped(people))

    message = refused(
        lambda: services.safety_report_close(
            report=safety, actor=getattr(people, who), outcome="no_action", reason="Fine"
        )
    )

    assert message.startswith("You can't do that now: the case is “Being reviewed”")
    assert SafetyReport.objects.get().state == SafetyReport.State.OPEN


def test_the_arbiter_blocks_the_listing_and_the_buyer_sees_the_outcome_and_reason_R_SAF_1(people):
    safety = report(people, shipped(people))

    with at(START + 101 * DAY):
        services.safety_report_close(
            report=safety,
            actor=people.arbiter,
            outcome="listing_blocked",
            reason="Uncertified lithium cells; the listing is blocked.",
        )
        again = refused(
            lambda: services.safety_report_close(
                report=safety, actor=people.arbiter, outcome="no_action", reason="Changed"
            )
        )

    safety = SafetyReport.objects.get()
    assert (safety.state, safety.outcome, safety.closed_by, safety.closed_at) == (
        SafetyReport.State.CLOSED,
        "listing_blocked",
        people.arbiter,
        START + 101 * DAY,
    )
    told = notified(people.buyer, "safety_report_closed")
    assert [(n.context["outcome"], n.context["reason"]) for n in told] == [
        ("listing_blocked", "Uncertified lithium cells; the listing is blocked.")
    ]
    assert log_of(safety) == [("file", people.buyer.pk), ("close", people.arbiter.pk)]
    assert again.startswith("You can't do that now")
