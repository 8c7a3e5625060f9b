"""The back office's free text has the parties' limits, with a clear message (issue 13 item 6).

The forms say it first (``max_length``, the same constants the services enforce); the services
refuse whatever gets past a form (tests/arbitration/test_text_limits.py).
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from arbitration.models import InformationRequest, Message

ONE_MB = "x" * (1024 * 1024)


def test_a_1_mb_question_re_renders_the_form_with_the_limit_and_asks_nothing_R_ARB_6(
    cases, people, arbiter_client
):
    dispute = cases.taken(by=people.arbiter)
    url = reverse("admin:arbitration_dispute_request_information", args=[dispute.pk])

    response = arbiter_client.post(url, {"party": "buyer", "question": ONE_MB, "due_in_days": "3"})

    assert response.status_code == 200
    [error] = response.context["form"].errors["question"]
    assert "at most 5000 characters" in error and "1048576" in error
    assert not InformationRequest.objects.filter(dispute=dispute).exists()


def test_a_1_mb_message_from_the_arbiter_is_refused_with_the_limit_R_DSP_7(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)
    before = Message.objects.filter(dispute=dispute).count()

    response = arbiter_client.post(
        reverse("admin:arbitration_dispute_message", args=[dispute.pk]), {"body": ONE_MB}, follow=True
    )

    [text] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "at most 5000 characters" in text
    assert Message.objects.filter(dispute=dispute).count() == before
    assert len(response.content) < 200_000  # the case page does not carry the megabyte back
