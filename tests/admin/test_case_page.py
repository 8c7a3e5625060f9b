"""The case page (R-ARB-3): the whole dispute on one page, and buttons for exactly the actions
``available_actions`` allows this arbiter now (R-DSP-10)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from arbitration import services
from arbitration.models import Dispute, Evidence, Message
from arbitration.presentation import available_actions
from marketplace.actors import scheduler_user
from marketplace.models import ExtensionRequest, Order
from marketplace.selectors import order_history
from tests.admin.conftest import DAY, FLAGGED_TEXT, ago, png
from tests.support import fresh

pytestmark = pytest.mark.django_db


def case_url(dispute) -> str:
    return reverse("admin:arbitration_dispute_change", args=[dispute.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def rich_case(cases, people) -> Dispute:
    """A dispute with everything an arbiter reads: evidence, an amendment, a flagged message,
    a declined offer, an escalation, an information request and its answer."""
    dispute = cases.open(
        opened_ago=9 * DAY,
        title="Robot vacuum cleaner",
        amount="240.00",
        reason="damaged",
        description="The side brush motor does not turn.",
        events=2,
    )
    buyer, seller = people.buyer, people.seller
    with ago(9 * DAY - timedelta(hours=1)):
        services.dispute_post_message(
            dispute=dispute,
            actor=buyer,
            body="Photo of the brush",
            files=[png("brush.png", (10, 120, 10))],
        )
    with ago(8 * DAY):
        services.dispute_amend(
            dispute=dispute,
            actor=buyer,
            reason="damaged",
            resolution="partial_refund",
            requested_amount="100.00",
            description="The brush motor is dead; 100 back is fair.",
        )
        services.dispute_post_message(dispute=dispute, actor=seller, body=FLAGGED_TEXT)
    with ago(7 * DAY):
        services.dispute_make_offer(dispute=dispute, actor=seller, kind="partial_refund", amount="30.00")
    with ago(6 * DAY):
        services.dispute_decline_offer(dispute=dispute, actor=buyer, reason="Too little.")
        services.dispute_escalate(dispute=dispute, actor=buyer)
    with ago(5 * DAY):
        services.case_take(case=dispute, actor=people.arbiter)
        services.dispute_request_information(
            dispute=dispute,
            actor=people.arbiter,
            party="buyer",
            question="Please send a video of the brush not turning.",
        )
    with ago(4 * DAY):
        services.dispute_post_message(
            dispute=dispute,
            actor=buyer,
            body="Here is a second photo.",
            files=[png("second.png", (10, 10, 200))],
        )
    return fresh(dispute)


def test_the_case_page_shows_the_whole_case_on_one_page_R_ARB_3(rich_case, people, arbiter_client):
    response = arbiter_client.get(case_url(rich_case))

    assert response.status_code == 200
    html = response.content.decode()
    order = rich_case.order
    # Order, shipment and tracking
    assert order.number in html and "Robot vacuum cleaner" in html and "Visa •••• 4242" in html
    assert order.shipment.tracking_number in html
    assert "Sorting centre 1" in html and "Sorting centre 2" in html
    # The money trail (R-ESC-5)
    assert "held in escrow" in html and "$240.00" in html
    # The claim and its amendment
    assert "The brush motor is dead; 100 back is fair." in html
    assert "The side brush motor does not turn." in html and "Amendment 1" in html
    # Offers
    assert "Partial refund</strong> $30.00" in html and "Declined" in html
    # Messages, the flagged one marked (R-DSP-8)
    assert FLAGGED_TEXT in html
    assert "Flagged: off-platform solicitation" in html
    # Information request and whether it was answered (R-ARB-6)
    assert "Please send a video of the brush not turning." in html
    assert "answered" in html
    # Both parties' records
    assert 'id="seller-record"' in html and 'id="buyer-record"' in html


def test_the_timeline_says_who_did_what_and_when_R_ARB_3_R_SEC_2(rich_case, arbiter_client):
    rows = arbiter_client.get(case_url(rich_case)).context["timeline"]

    steps = [(row.subject, row.text, row.who) for row in rows]
    assert ("Dispute", "Dispute opened", "Boris Buyer") in steps
    assert ("Dispute", "Claim amended", "Boris Buyer") in steps
    assert ("Dispute", "The seller made an offer", "Sam Seller") in steps
    assert ("Dispute", "Escalated by the buyer", "Boris Buyer") in steps
    assert ("Dispute", "Case taken", "Alina Arbiter (you)") in steps
    assert ("Order", "Escrow frozen for the dispute", "Boris Buyer") in steps
    assert [row.at for row in rows] == sorted(row.at for row in rows)


def _row(instance) -> tuple:
    """A model row's every column, to compare rows read two ways."""
    return tuple(getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields)


def test_the_timeline_lists_are_read_in_one_query_each_typed_and_whole_R_ARB_3(
    rich_case, people, django_assert_num_queries
):
    """``order_history``: the transitions, the carrier events and the extension requests in one
    UNION ALL query, made back into the same model rows the three queries of the ORM read, in
    their models' order, with the people who acted (their names read without a query)."""
    order = rich_case.order
    ExtensionRequest.objects.create(
        order=order,
        requested_by=people.buyer,
        days=5,
        reason="Still waiting.",
        status="declined",
        answered_at=timezone.now(),
        answered_by=people.seller,
        decline_reason="It was delivered.",
    )
    ExtensionRequest.objects.create(order=order, requested_by=people.buyer, days=3, reason="Again.")
    objects = (rich_case, order, order.escrow)
    order = Order.objects.select_related("shipment").get(pk=order.pk)
    types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})  # cached per process

    with django_assert_num_queries(1):
        history = order_history(order, objects)
        names = {log.by.get_full_name() for log in history.transitions if log.by_id}
        names |= {event.recorded_by.username for event in history.tracking}
        names |= {r.requested_by.username for r in history.extension_requests}
        names |= {r.answered_by.username for r in history.extension_requests if r.answered_by_id}
        assert all(event.shipment is order.shipment for event in history.tracking)

    logs = StateLog.objects.filter(
        content_type__in=types.values(), object_id__in={obj.pk for obj in objects}
    ).order_by("timestamp", "id")
    logs = [
        log
        for log in logs
        if (log.content_type_id, log.object_id) in {(types[type(o)].pk, o.pk) for o in objects}
    ]
    assert [_row(log) for log in history.transitions] == [_row(log) for log in logs] != []
    assert [_row(e) for e in history.tracking] == [_row(e) for e in order.shipment.events.all()] != []
    assert [_row(r) for r in history.extension_requests] == [_row(r) for r in order.extension_requests.all()]
    assert len(history.extension_requests) == 2 and "Boris Buyer" in names and people.seller.username in names
    assert {type(log) for log in history.transitions} == {StateLog}
    assert not any(log.get_deferred_fields() for log in [*history.transitions, *history.tracking])


def test_the_timeline_names_the_scheduler_for_automatic_escalations(cases, arbiter_client):
    dispute = cases.escalated()

    rows = arbiter_client.get(case_url(dispute)).context["timeline"]

    assert any(r.who == "Scheduler" and r.text.startswith("Escalated by the scheduler") for r in rows)


def test_evidence_shows_as_thumbnails_that_open_full_size_with_checksums_R_ARB_3(rich_case, arbiter_client):
    evidence = list(Evidence.objects.filter(dispute=rich_case))
    assert len(evidence) == 2

    html = arbiter_client.get(case_url(rich_case)).content.decode()

    for item in evidence:
        full = reverse("evidence-file", args=[item.pk])
        assert f'href="{full}" data-ax-full' in html  # the thumbnail opens the full-size image
        assert (
            f'<img src="{full}"' in html
            or f'<img src="{reverse("evidence-thumbnail", args=[item.pk])}"' in html
        )
        assert item.sha256 in html  # the full checksum, in the tooltip
        assert item.original_name in html
        assert reverse("evidence-original", args=[item.pk]) in html


def test_the_full_size_evidence_link_serves_the_image_to_the_arbiter(rich_case, arbiter_client):
    item = Evidence.objects.filter(dispute=rich_case).first()

    response = arbiter_client.get(reverse("evidence-file", args=[item.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_made_thumbnail_is_used_once_the_background_job_made_it_R_EVD_4(
    rich_case, arbiter_client, django_capture_on_commit_callbacks
):
    from arbitration.evidence import evidence_process

    item = Evidence.objects.filter(dispute=rich_case).first()
    evidence_process(evidence_id=item.pk)

    html = arbiter_client.get(case_url(rich_case)).content.decode()

    assert f'<img src="{reverse("evidence-thumbnail", args=[item.pk])}"' in html


def test_messages_list_their_attachments(rich_case, arbiter_client):
    response = arbiter_client.get(case_url(rich_case))

    thread = response.context["thread"]
    with_files = [m for m in thread if m.attachments]
    assert [m.body for m in with_files] == ["Photo of the brush", "Here is a second photo."]


# --- Buttons: exactly what available_actions allows (R-DSP-10) -------------------------------


def buttons(response) -> list[str]:
    return [name for name, _label in response.context["buttons"]]


def test_an_escalated_case_offers_the_arbiter_only_to_take_it(cases, arbiter_client):
    response = arbiter_client.get(case_url(cases.escalated()))

    assert buttons(response) == ["take"]
    assert (
        reverse("admin:arbitration_dispute_take", args=[response.context["dispute"].pk])
        in response.content.decode()
    )


def test_my_case_offers_decide_request_information_and_release(cases, people, arbiter_client):
    response = arbiter_client.get(case_url(cases.taken(by=people.arbiter)))

    assert buttons(response) == ["decide", "request_information", "release"]


def test_another_arbiters_case_offers_me_nothing(cases, people, arbiter_client):
    response = arbiter_client.get(case_url(cases.taken(by=people.arbiter2)))

    assert buttons(response) == []
    assert "Decide" not in [label for _n, label in response.context["buttons"]]


def test_a_supervisor_may_release_or_reassign_any_case(cases, people, client_for):
    response = client_for(people.supervisor).get(case_url(cases.taken(by=people.arbiter2)))

    assert buttons(response) == ["release", "reassign"]


@pytest.mark.parametrize("state", ["open", "escalated", "mine", "theirs", "decided"])
@pytest.mark.parametrize("persona", ["arbiter", "supervisor"])
def test_buttons_are_exactly_the_available_actions_R_DSP_10(cases, people, client_for, state, persona):
    dispute = {
        "open": lambda: cases.open(),
        "escalated": lambda: cases.escalated(),
        "mine": lambda: cases.taken(by=people.arbiter),
        "theirs": lambda: cases.taken(by=people.arbiter2),
        "decided": lambda: cases.decided(),
    }[state]()
    user = getattr(people, persona)

    response = client_for(user).get(case_url(dispute))

    allowed = available_actions(fresh(dispute), user).actions
    assert buttons(response) == [
        a for a in ("take", "decide", "request_information", "release", "reassign") if a in allowed
    ]
    assert (response.context["message_form"] is not None) == ("message" in allowed)


# --- The buttons post to the services --------------------------------------------------------


def test_take_button_calls_the_service_and_shows_the_case_as_mine(cases, people, arbiter_client):
    dispute = cases.escalated()

    with mock.patch("arbitration.backoffice.cases.services.case_take", wraps=services.case_take) as take:
        response = arbiter_client.post(
            reverse("admin:arbitration_dispute_take", args=[dispute.pk]), follow=True
        )

    take.assert_called_once()
    assert response.redirect_chain[-1][0] == case_url(dispute)
    assert fresh(dispute).assigned_arbiter == people.arbiter
    assert buttons(response) == ["decide", "request_information", "release"]


def test_take_button_on_a_case_someone_holds_shows_why_and_changes_nothing(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)

    response = client_for(people.arbiter2).post(
        reverse("admin:arbitration_dispute_take", args=[dispute.pk]), follow=True
    )

    assert "Alina Arbiter (alina) has already taken this case." in texts(response)
    assert fresh(dispute).assigned_arbiter == people.arbiter


def test_release_button_returns_to_the_queue(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)

    response = arbiter_client.post(reverse("admin:arbitration_dispute_release", args=[dispute.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:arbitration_dispute_changelist")
    assert fresh(dispute).state == Dispute.State.ESCALATED


def test_take_is_post_only(cases, arbiter_client):
    dispute = cases.escalated()

    response = arbiter_client.get(reverse("admin:arbitration_dispute_take", args=[dispute.pk]))

    assert response.status_code == 405
    assert fresh(dispute).state == Dispute.State.ESCALATED


def test_the_arbiter_writes_in_the_thread_R_DSP_7(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)

    with mock.patch(
        "arbitration.backoffice.disputes.services.dispute_post_message", wraps=services.dispute_post_message
    ) as post:
        response = arbiter_client.post(
            reverse("admin:arbitration_dispute_message", args=[dispute.pk]),
            {"body": "Please both keep the packaging."},
            follow=True,
        )

    post.assert_called_once()
    message = Message.objects.filter(dispute=dispute).last()
    assert (message.role, message.author, message.body) == (
        "arbiter",
        people.arbiter,
        "Please both keep the packaging.",
    )
    assert "Message posted; both parties are notified." in texts(response)


def test_an_empty_message_is_refused_with_a_message(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)
    before = Message.objects.filter(dispute=dispute).count()

    response = arbiter_client.post(
        reverse("admin:arbitration_dispute_message", args=[dispute.pk]), {"body": " "}, follow=True
    )

    assert "Write a message or attach a file." in texts(response)
    assert Message.objects.filter(dispute=dispute).count() == before


def test_the_arbiter_may_attach_evidence_to_a_message(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)

    arbiter_client.post(
        reverse("admin:arbitration_dispute_message", args=[dispute.pk]),
        {"body": "The label, enlarged.", "files": [png("label.png", (1, 2, 3))]},
    )

    assert Evidence.objects.get(dispute=dispute).uploaded_by == people.arbiter


def test_a_closed_case_shows_the_outcome_and_no_buttons(cases, people, arbiter_client):
    dispute = cases.decided(refund_amount="40.00")

    response = arbiter_client.get(case_url(dispute))

    html = response.content.decode()
    assert buttons(response) == []
    assert "Arbitration decided a refund" in html
    assert "final, can't be changed" in html
    assert "Half the set was missing." in html


def test_the_buyer_record_lists_their_other_disputes_R_ARB_3(cases, people, arbiter_client):
    earlier = cases.open(opened_ago=20 * DAY)
    with ago(19 * DAY):
        services.dispute_withdraw(dispute=earlier, actor=people.buyer, confirmed=True)
    current = cases.escalated()

    response = arbiter_client.get(case_url(current))

    assert [d.pk for d in response.context["buyer_other_disputes"]] == [earlier.pk]
    assert response.context["buyer_record"].withdrawn == 1
    assert "Withdrawn by the buyer" in response.content.decode()


def test_the_seller_record_counts_flags_and_penalties_R_ARB_5(cases, people, arbiter_client):
    with ago(DAY):
        decided = cases.taken(by=people.arbiter, flagged=True)
    services.dispute_decide(
        dispute=decided,
        actor=people.arbiter,
        outcome="full_refund",
        rationale="Not sent.",
        penalty_amount="15.00",
        penalty_reason="Asked the buyer to pay by PayPal.",
    )
    current = cases.escalated()

    record = arbiter_client.get(case_url(current)).context["seller_record"]

    assert record.disputes == 2 and record.lost == 1 and record.decided == 1
    assert record.solicitation_flags == 1
    assert record.penalties_count == 1 and record.penalties_total == Decimal("15.00")


def test_an_unknown_case_is_a_404(arbiter_client):
    assert arbiter_client.get(reverse("admin:arbitration_dispute_change", args=[999999])).status_code == 404


def test_the_scheduler_user_is_not_offered_buttons(cases):
    assert available_actions(cases.escalated(), scheduler_user()).actions == []
