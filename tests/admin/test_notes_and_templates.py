"""Internal notes on a case and reply templates for arbiters' messages (issue 14).

Notes are staff-only (R-ARB-3: the case file; R-SEC-2: parties see only their own case, never
the staff's notes) and kept like the thread's messages (R-DSP-7: never edited or deleted).
Reply templates are written by supervisors in both languages and offered to arbiters."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from arbitration import services
from arbitration.models import CaseNote, ReplyTemplate
from marketplace.errors import DomainError

pytestmark = pytest.mark.django_db

SECRET = "Seller has three similar cases this month; check the courier's photos."


def case_page(dispute) -> str:
    return reverse("admin:arbitration_dispute_change", args=[dispute.pk])


def test_R_ARB_3_an_arbiter_adds_an_internal_note_and_staff_see_it_on_the_case(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)

    response = arbiter_client.post(
        reverse("admin:arbitration_dispute_note", args=[dispute.pk]), {"body": SECRET}, follow=True
    )

    assert "Note added. Only staff see it." in response.content.decode()
    (note,) = CaseNote.objects.filter(dispute=dispute)
    assert note.author == people.arbiter and note.body == SECRET
    page = arbiter_client.get(case_page(dispute)).content.decode()
    assert SECRET.replace("'", "&#x27;") in page and 'id="notes"' in page


def test_R_SEC_2_the_parties_never_see_an_internal_note(cases, people, client_for):
    dispute = cases.taken(by=people.arbiter)
    services.case_note_add(dispute=dispute, actor=people.arbiter, body=SECRET)
    services.dispute_post_message(dispute=dispute, actor=people.arbiter, body="Please send photos.")

    for party in (people.buyer, people.seller):
        client = client_for(party)
        for url in (
            reverse("dispute-detail", args=[dispute.pk]),
            reverse("order-detail", args=[dispute.order_id]),
        ):
            page = client.get(url)
            assert page.status_code == 200
            assert "courier" not in page.content.decode(), (party, url)
        assert client.get(reverse("admin:arbitration_casenote_changelist")).status_code == 302  # to login


def test_R_DSP_7_notes_are_never_edited_or_deleted(cases, people):
    note = services.case_note_add(dispute=cases.escalated(), actor=people.arbiter, body=SECRET)

    with pytest.raises(ValueError):
        note.save()
    with pytest.raises(ValueError):
        note.delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE arbitration_casenote SET body = 'rewritten' WHERE id = %s", [note.pk])


def test_only_arbiters_write_notes(cases, people, client_for):
    dispute = cases.escalated()

    with pytest.raises(DomainError):
        services.case_note_add(dispute=dispute, actor=people.finance, body="Not mine to write.")
    response = client_for(people.finance).post(
        reverse("admin:arbitration_dispute_note", args=[dispute.pk]), {"body": "x"}
    )
    assert response.status_code == 403
    with pytest.raises(DomainError, match="Write the note"):
        services.case_note_add(dispute=dispute, actor=people.arbiter, body="   ")
    assert not CaseNote.objects.exists()


def test_an_empty_note_is_refused_with_a_message(cases, people, arbiter_client):
    dispute = cases.escalated()

    response = arbiter_client.post(
        reverse("admin:arbitration_dispute_note", args=[dispute.pk]), {"body": ""}, follow=True
    )

    assert "Write the note." in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_supervisor_writes_reply_templates_in_both_languages(people, client_for):
    supervisor = client_for(people.supervisor)

    response = supervisor.post(
        reverse("admin:arbitration_replytemplate_add"),
        {
            "title": "Ask for photos",
            "body_en": "Please upload photos of the item and the box.",
            "body_ru": "Пожалуйста, загрузите фото товара и коробки.",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    template = ReplyTemplate.objects.get()
    assert template.updated_by == people.supervisor and template.body_ru.startswith("Пожалуйста")
    missing_russian = supervisor.post(
        reverse("admin:arbitration_replytemplate_add"),
        {"title": "Half", "body_en": "Only English.", "body_ru": "", "is_active": "on"},
    )
    assert missing_russian.status_code == 200 and not ReplyTemplate.objects.filter(title="Half").exists()


def test_arbiters_read_reply_templates_but_do_not_edit_them(people, client_for, arbiter_client):
    template = ReplyTemplate.objects.create(
        title="Ask for photos", body_en="Photos, please.", body_ru="Фото."
    )

    assert arbiter_client.get(reverse("admin:arbitration_replytemplate_changelist")).status_code == 200
    arbiter_client.post(
        reverse("admin:arbitration_replytemplate_change", args=[template.pk]),
        {"title": "Changed", "body_en": "x", "body_ru": "y", "is_active": "on"},
    )
    assert ReplyTemplate.objects.get().title == "Ask for photos"


def test_the_message_form_offers_the_active_templates_in_both_languages(cases, people, arbiter_client):
    dispute = cases.taken(by=people.arbiter)
    ReplyTemplate.objects.create(title="Ask for photos", body_en="Photos, please.", body_ru="Пришлите фото.")
    ReplyTemplate.objects.create(title="Old one", body_en="Gone.", body_ru="Нет.", is_active=False)

    page = arbiter_client.get(case_page(dispute)).content.decode()

    assert 'data-ax-text="Photos, please."' in page and 'data-ax-text="Пришлите фото."' in page
    assert "Old one" not in page
