"""``manage.py seed_demo`` (SPEC §15): idempotent, consistent money, disputes in every state."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_fsm_log.models import StateLog

from arbitration.models import Complaint, Decision, Dispute, Evidence, Message, Offer, SafetyReport
from marketplace.models import LedgerEntry, Notification, Order, Refund
from marketplace.selectors.reconciliation import ledger_reconcile

pytestmark = pytest.mark.django_db

COUNTED = [
    get_user_model(),
    Order,
    LedgerEntry,
    Refund,
    Dispute,
    Offer,
    Message,
    Decision,
    Complaint,
    SafetyReport,
    Evidence,
    Notification,
    StateLog,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_creates_the_same_data_once_and_the_books_reconcile_R_JOB_4():
    first_output = seed()
    first = counts()
    second_output = seed()

    assert counts() == first
    assert "0 scenario(s) created" in second_output and "0 scenario(s) created" not in first_output
    assert first["Dispute"] > 0 and first["Refund"] > 0
    result = ledger_reconcile()
    assert result.orders_checked == first["Order"]
    assert [d.as_dict() for d in result.discrepancies] == []


def test_the_demo_has_a_dispute_in_every_state_and_a_flagged_solicitation_message_R_DSP_8():
    seed()

    assert set(Dispute.objects.values_list("state", flat=True)) == set(Dispute.State.values)
    assert Message.objects.filter(is_flagged=True, role="seller").exists()
    assert Dispute.objects.filter(solicitation_flags__gt=0).exists()
    assert Complaint.objects.filter(kind="refund_overdue").exists()  # "refund overdue" (SPEC §15)
    assert Dispute.objects.filter(overdue_flagged_at__isnull=False).exists()  # an overdue case (R-ARB-4)
    assert SafetyReport.objects.exists()


def test_the_demo_people_can_do_their_jobs_R_SEC_2():
    seed()
    users = {u.username: u for u in get_user_model().objects.all()}

    assert users["arbiter"].has_perm("arbitration.arbitrate")
    assert users["supervisor"].has_perm("arbitration.supervise")
    assert users["finance"].has_perm("marketplace.manage_payouts")
    assert not users["buyer"].is_staff and not users["seller"].has_perm("arbitration.arbitrate")
    assert users["scheduler"].is_system


def test_demo_staff_get_printed_recovery_codes_that_pass_the_second_factor_once_R_OPS_1(settings):
    """Under DEBUG the demo's staff can open the admin without an authenticator app: seed_demo
    prints recovery codes; each passes the second factor once; the buyer gets none."""
    from marketplace.errors import DomainError
    from marketplace.security.devices import second_factor_verify

    settings.DEBUG = True
    output = seed()
    printed = dict(
        line.split(": second-factor recovery codes ") for line in output.splitlines() if "recovery" in line
    )

    assert {"arbiter", "finance", "supervisor"} <= set(printed) and "buyer" not in printed
    arbiter = get_user_model().objects.get(username="arbiter")
    code = printed["arbiter"].split()[0]
    assert second_factor_verify(user=arbiter, token=code) is not None
    with pytest.raises(DomainError):
        second_factor_verify(user=arbiter, token=code)  # used up
    assert printed["arbiter"].split()[1] in seed()  # the next run prints the codes still unused
