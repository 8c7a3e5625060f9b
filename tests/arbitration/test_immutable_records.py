"""The record of a case can't be rewritten, even behind the services' back (R-DSP-7, R-ARB-2, R-EVD-3)."""

import pytest
from django.db import IntegrityError, transaction

from arbitration import services
from arbitration.models import ClaimVersion, Decision, Evidence, Message
from tests.arbitration.conftest import decide, png, under_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def refused(call) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        call()


def test_messages_claims_and_decisions_refuse_update_and_delete_in_the_database_R_DSP_7_R_ARB_2(people):
    dispute = under_review(people)
    services.dispute_post_message(dispute=dispute, actor=people.seller, body="We shipped it on time.")
    decide(people, dispute, outcome="rejected")

    edits = {
        Message: {"body": "edited"},
        ClaimVersion: {"description": "edited"},
        Decision: {"rationale": "edited"},
    }
    for model, edit in edits.items():
        rows = model.objects.filter(dispute=dispute)
        assert rows.exists()
        refused(lambda rows=rows, edit=edit: rows.update(**edit))
        refused(lambda rows=rows: rows._raw_delete(rows.db))
        assert not model.objects.filter(dispute=dispute, **edit).exists()


def test_evidence_refuses_a_new_file_or_checksum_but_takes_its_rendition_R_EVD_3(people):
    dispute = under_review(people)
    services.dispute_post_message(dispute=dispute, actor=people.buyer, body="Photo", files=[png()])
    evidence = Evidence.objects.get(dispute=dispute)

    refused(lambda: Evidence.objects.filter(pk=evidence.pk).update(sha256="0" * 64))
    refused(lambda: Evidence.objects.filter(pk=evidence.pk).update(file="evidence/other.png"))
    refused(lambda: Evidence.objects.filter(pk=evidence.pk)._raw_delete(Evidence.objects.db))
    # Adding the thumbnail is the background task's job and stays possible.
    Evidence.objects.filter(pk=evidence.pk).update(thumbnail="evidence/thumb.jpg")

    assert Evidence.objects.get(pk=evidence.pk).sha256 == evidence.sha256
