"""One arbitration lifecycle in the admin for every case (R-ARB-1, R-ARB-2, R-CMP-1): the same
take, release, reassign and decide pages (``arbitration.backoffice.cases.CaseAdmin``) serve
disputes and complaints, with the same refusals, and the decide page commits exactly what its
confirmation step shows."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arbitration import services
from arbitration.models import Complaint, Message
from tests.admin.conftest import ago
from tests.support import fresh

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(complaint: Complaint, view: str) -> str:
    return reverse(f"admin:arbitration_complaint_{view}", args=[complaint.pk])


class _ConfirmationForm(HTMLParser):
    """The hidden inputs of the decide page's form, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name") != "csrfmiddlewaretoken":
            self.data[attrs["name"]] = attrs.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _ConfirmationForm()
    parser.feed(html)
    return parser.data


@pytest.fixture
def complaint(cases, people) -> Complaint:
    dispute = cases.decided(refund_amount="40.00")
    with ago(timedelta(hours=1)):
        return services.complaint_file(
            dispute=dispute,
            actor=people.buyer,
            kind="agreement_broken",
            description="The seller promised to send the missing charger.",
        )


def test_a_complaint_is_decided_by_confirming_what_the_review_step_shows_R_CMP_1(
    complaint, people, arbiter_client
):
    services.case_take(case=complaint, actor=people.arbiter)
    review = arbiter_client.post(
        url(complaint, "decide"), {"outcome": "rejected", "rationale": "Not promised."}
    )
    assert review.context["step"] == "confirm"
    assert "No money moves: the complaint is rejected." in review.content.decode()

    posted = hidden_inputs(review.content.decode())
    response = arbiter_client.post(url(complaint, "decide"), {**posted, "confirm": ""}, follow=True)

    assert fresh(complaint).state == Complaint.State.DECIDED
    assert "Complaint decided: Rejected." in texts(response)


def test_the_complaint_page_buttons_open_the_complaints_own_pages(complaint, people, arbiter_client):
    services.case_take(case=complaint, actor=people.arbiter)

    response = arbiter_client.get(url(complaint, "change"))

    html = response.content.decode()
    assert [name for name, _label in response.context["buttons"]] == ["decide", "release"]
    assert f'href="{url(complaint, "decide")}"' in html
    assert f'action="{url(complaint, "release")}"' in html


def test_releasing_a_complaint_from_its_page_returns_it_to_the_queue_R_ARB_1(
    complaint, people, arbiter_client
):
    services.case_take(case=complaint, actor=people.arbiter)

    response = arbiter_client.post(url(complaint, "release"))

    assert response["Location"] == reverse("admin:arbitration_complaint_changelist")
    assert fresh(complaint).state == Complaint.State.OPEN and fresh(complaint).assigned_arbiter is None


def test_a_supervisor_reassigns_a_complaint_like_a_dispute(complaint, people, client_for):
    services.case_take(case=complaint, actor=people.arbiter)
    supervisor = client_for(people.supervisor)

    page = supervisor.get(url(complaint, "reassign"))
    assert "Now with: Alina Arbiter." in page.content.decode()
    response = supervisor.post(url(complaint, "reassign"), {"arbiter": people.arbiter2.pk}, follow=True)

    assert "Complaint reassigned to Artem Arbiter." in texts(response)
    assert fresh(complaint).assigned_arbiter == people.arbiter2


def test_a_decided_complaint_is_not_reassigned_and_the_supervisor_is_told_why(complaint, people, client_for):
    services.case_take(case=complaint, actor=people.arbiter)
    services.complaint_decide(complaint=complaint, actor=people.arbiter, outcome="rejected", rationale="No.")

    response = client_for(people.supervisor).get(url(complaint, "reassign"), follow=True)

    assert response.redirect_chain[-1][0] == url(complaint, "change")
    assert "You can't do that now: the case is “Decided”." in texts(response)


def test_another_arbiters_complaint_is_not_decided_and_says_who_holds_it_R_ARB_1(
    complaint, people, arbiter_client
):
    services.case_take(case=complaint, actor=people.arbiter2)

    response = arbiter_client.post(
        url(complaint, "decide"), {"outcome": "rejected", "rationale": "x", "confirmed": "1"}, follow=True
    )

    assert any("Artem Arbiter holds this case" in t for t in texts(response))
    assert fresh(complaint).state == Complaint.State.UNDER_REVIEW


def test_a_refused_file_in_the_arbiters_message_is_explained_and_nothing_is_posted_R_EVD_2(
    cases, people, arbiter_client
):
    dispute = cases.taken(by=people.arbiter)
    fake = SimpleUploadedFile("receipt.png", b"this is not a picture", content_type="image/png")

    response = arbiter_client.post(
        reverse("admin:arbitration_dispute_message", args=[dispute.pk]),
        {"body": "Here is the receipt.", "files": [fake]},
        follow=True,
    )

    assert any("receipt.png" in t for t in texts(response)), texts(response)
    assert not Message.objects.filter(dispute=dispute, role="arbiter").exists()


def test_the_money_admin_templates_need_nothing_from_arbitration():
    """The apps depend one way, templates too: the marketplace's admin pages and the shared
    includes load only the marketplace's ``backoffice`` tags."""
    folders = [Path(settings.BASE_DIR) / "templates/admin" / name for name in ("marketplace", "includes")]
    loads = [
        line
        for folder in folders
        for template in folder.rglob("*.html")
        for line in template.read_text().splitlines()
        if "{% load" in line
    ]

    assert loads and not [line for line in loads if "arbitration" in line]
