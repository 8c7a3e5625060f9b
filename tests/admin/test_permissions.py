"""Who may open which back-office page and take which action (R-SEC-2): the arbiter, the
finance operator, the supervisor, staff without a group, and a buyer (not staff).

The permissions come from the groups of migration 0003; nothing here grants any by hand.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from arbitration import services
from arbitration.backoffice.forms import effect_key
from arbitration.models import Complaint, Dispute, SafetyReport, SolicitationPattern
from arbitration.services import decision_effect
from marketplace.models import Refund
from tests.support import fresh

pytestmark = pytest.mark.django_db

PERSONAS = ["arbiter", "finance", "supervisor", "staff", "buyer"]
CASE_READERS = {"arbiter", "supervisor"}


@pytest.fixture
def world(cases, people):
    """One of everything: a case the arbiter holds, a waiting case, a complaint, a safety
    report, a refund, a solicitation pattern."""
    mine = cases.taken(by=people.arbiter)
    decided = cases.decided(by=people.arbiter2)
    complaint = services.complaint_file(
        dispute=decided, actor=people.buyer, kind="refund_not_received", description="Nothing yet."
    )
    report = services.safety_report_file(order=cases.order(), actor=people.buyer, description="It smokes.")
    return {
        "mine": mine,
        "waiting": cases.escalated(),
        "complaint": complaint,
        "report": report,
        "refund": Refund.objects.get(pk=decided.refund_id),
        "pattern": SolicitationPattern.objects.first(),
        "seller": people.seller,
    }


PAGES = {
    # name: (url builder, the personas who get the page)
    "dashboard": (lambda w: reverse("admin:index"), {"arbiter", "finance", "supervisor", "staff"}),
    "queue": (lambda w: reverse("admin:arbitration_dispute_changelist"), CASE_READERS),
    "case page": (lambda w: reverse("admin:arbitration_dispute_change", args=[w["mine"].pk]), CASE_READERS),
    "decide form": (lambda w: reverse("admin:arbitration_dispute_decide", args=[w["mine"].pk]), {"arbiter"}),
    "request information form": (
        lambda w: reverse("admin:arbitration_dispute_request_information", args=[w["mine"].pk]),
        {"arbiter"},
    ),
    "reassign form": (
        lambda w: reverse("admin:arbitration_dispute_reassign", args=[w["mine"].pk]),
        {"supervisor"},
    ),
    "complaints": (lambda w: reverse("admin:arbitration_complaint_changelist"), CASE_READERS),
    "complaint page": (
        lambda w: reverse("admin:arbitration_complaint_change", args=[w["complaint"].pk]),
        CASE_READERS,
    ),
    "safety reports": (lambda w: reverse("admin:arbitration_safetyreport_changelist"), CASE_READERS),
    "safety report page": (
        lambda w: reverse("admin:arbitration_safetyreport_change", args=[w["report"].pk]),
        CASE_READERS,
    ),
    "refunds": (
        lambda w: reverse("admin:marketplace_refund_changelist"),
        {"arbiter", "finance", "supervisor"},
    ),
    "refund page": (
        lambda w: reverse("admin:marketplace_refund_change", args=[w["refund"].pk]),
        {"arbiter", "finance", "supervisor"},
    ),
    "mark sent form": (
        lambda w: reverse("admin:marketplace_refund_payout", args=[w["refund"].pk, "mark-sent"]),
        {"finance"},
    ),
    "people": (lambda w: reverse("admin:marketplace_user_changelist"), {"arbiter", "finance", "supervisor"}),
    "seller page": (
        lambda w: reverse("admin:marketplace_user_change", args=[w["seller"].pk]),
        {"arbiter", "finance", "supervisor"},
    ),
    "ledger": (
        lambda w: reverse("admin:marketplace_ledgerentry_changelist"),
        {"arbiter", "finance", "supervisor"},
    ),
    "orders": (lambda w: reverse("admin:marketplace_order_changelist"), {"arbiter", "finance", "supervisor"}),
    "evidence": (lambda w: reverse("admin:arbitration_evidence_changelist"), CASE_READERS),
    # Arbiters read the patterns (to understand a flag); only supervisors change them.
    "solicitation patterns": (
        lambda w: reverse("admin:arbitration_solicitationpattern_changelist"),
        {"arbiter", "supervisor"},
    ),
    "edit a pattern": (
        lambda w: reverse("admin:arbitration_solicitationpattern_change", args=[w["pattern"].pk]),
        {"arbiter", "supervisor"},
    ),
    "add a pattern": (lambda w: reverse("admin:arbitration_solicitationpattern_add"), {"supervisor"}),
}


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_page_permission_matrix_R_SEC_2(world, people, client_for, page, persona):
    url_for, allowed = PAGES[page]
    response = client_for(getattr(people, persona)).get(url_for(world))

    if persona == "buyer":
        assert is_login_redirect(response), "a buyer never reaches the back office"
    elif persona in allowed:
        assert response.status_code == 200
        if page == "edit a pattern":
            # Read-only for arbiters: no save button; supervisors can save.
            assert (b'name="_save"' in response.content) == (persona == "supervisor")
    elif page == "decide form" and persona == "supervisor":
        # A supervisor may open cases but not decide another arbiter's: sent back with the reason.
        assert response.status_code == 302 and response["Location"] == reverse(
            "admin:arbitration_dispute_change", args=[world["mine"].pk]
        )
    elif page == "request information form" and persona == "supervisor":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


# --- Actions -----------------------------------------------------------------------------------


def take_case(client, world):
    return client.post(reverse("admin:arbitration_dispute_take", args=[world["waiting"].pk]))


def take_case_from_queue(client, world):
    return client.post(
        reverse("admin:arbitration_dispute_changelist"),
        {"action": "take_cases", "_selected_action": [world["waiting"].pk]},
    )


def release_my_case(client, world):
    return client.post(reverse("admin:arbitration_dispute_release", args=[world["mine"].pk]))


def reassign(client, world):
    return client.post(
        reverse("admin:arbitration_dispute_reassign", args=[world["mine"].pk]),
        {"arbiter": world["arbiter2"].pk},
    )


def take_complaint(client, world):
    return client.post(reverse("admin:arbitration_complaint_take", args=[world["complaint"].pk]))


def close_report(client, world):
    return client.post(
        reverse("admin:arbitration_safetyreport_close", args=[world["report"].pk]),
        {"outcome": "seller_warned", "reason": "First report."},
    )


def mark_sent(client, world):
    return client.post(
        reverse("admin:marketplace_refund_payout", args=[world["refund"].pk, "mark-sent"]),
        {"reference": "REF-1"},
    )


def add_pattern(client, world):
    return client.post(
        reverse("admin:arbitration_solicitationpattern_add"),
        {
            "name": "zelle",
            "pattern": r"\bzelle\b",
            "language": "en",
            "intent": "off-platform",
            "is_active": "on",
        },
    )


def decide_my_case(client, world):
    """Review, then confirm (the key is what the review step shows)."""
    data = {"outcome": "rejected", "rationale": "Delivered and signed for."}
    key = effect_key(decision_effect(dispute=fresh(world["mine"]), outcome="rejected"))
    return client.post(
        reverse("admin:arbitration_dispute_decide", args=[world["mine"].pk]),
        {**data, "confirmed_effect": key},
    )


def request_information(client, world):
    return client.post(
        reverse("admin:arbitration_dispute_request_information", args=[world["mine"].pk]),
        {"party": "buyer", "question": "A photo of the label, please.", "due_in_days": "3"},
    )


def post_message(client, world):
    return client.post(
        reverse("admin:arbitration_dispute_message", args=[world["mine"].pk]),
        {"body": "Both parties: please keep the packaging."},
    )


def changed(world, action: str) -> bool:
    return {
        "take a case": lambda: fresh(world["waiting"]).state == Dispute.State.UNDER_REVIEW,
        "take from the queue": lambda: fresh(world["waiting"]).state == Dispute.State.UNDER_REVIEW,
        "release my case": lambda: fresh(world["mine"]).state == Dispute.State.ESCALATED,
        "reassign": lambda: fresh(world["mine"]).assigned_arbiter_id == world["arbiter2"].pk,
        "take a complaint": lambda: fresh(world["complaint"]).state == Complaint.State.UNDER_REVIEW,
        "close a report": lambda: fresh(world["report"]).state == SafetyReport.State.CLOSED,
        "mark a payout sent": lambda: fresh(world["refund"]).state == Refund.State.SENT,
        "add a pattern": lambda: SolicitationPattern.objects.filter(name="zelle").exists(),
        "decide my case": lambda: fresh(world["mine"]).state == Dispute.State.CLOSED,
        "request information": lambda: world["mine"].information_requests.exists(),
        "post a message": lambda: world["mine"].messages.filter(role="arbiter").exists(),
    }[action]()


ACTIONS = {
    # name: (call, who may, who passes the permission check but is refused by the rule with a
    # message; the arbiter holds "mine", so only they decide it, and they or a supervisor release it)
    "take a case": (take_case, {"arbiter", "supervisor"}, set()),
    "take from the queue": (take_case_from_queue, {"arbiter", "supervisor"}, set()),
    "release my case": (release_my_case, {"arbiter", "supervisor"}, set()),
    "reassign": (reassign, {"supervisor"}, set()),
    "decide my case": (decide_my_case, {"arbiter"}, {"supervisor"}),
    "request information": (request_information, {"arbiter"}, {"supervisor"}),
    "post a message": (post_message, {"arbiter", "supervisor"}, set()),
    "take a complaint": (take_complaint, {"arbiter", "supervisor"}, set()),
    "close a report": (close_report, {"arbiter", "supervisor"}, set()),
    "mark a payout sent": (mark_sent, {"finance"}, set()),
    "add a pattern": (add_pattern, {"supervisor"}, set()),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_action_permission_matrix_R_SEC_2(world, people, client_for, action, persona):
    world["arbiter2"] = people.arbiter2
    call, allowed, refused = ACTIONS[action]

    response = call(client_for(getattr(people, persona)), world)

    if persona == "buyer":
        assert is_login_redirect(response)
        assert not changed(world, action)
    elif persona in refused:
        assert response.status_code == 302  # back to the case, with the reason as a message
        assert not changed(world, action)
    elif persona in allowed:
        assert response.status_code == 302, getattr(response, "context", None) and response.context.get(
            "form"
        )
        assert changed(world, action)
    else:
        assert response.status_code == 403
        assert not changed(world, action)


@pytest.mark.parametrize("persona", [*PERSONAS, "superuser", "inactive"])
def test_the_permissions_are_djangos_read_in_one_query_R_SEC_2(people, persona, django_assert_num_queries):
    """The back office's backend reads a person's own and their groups' permissions in one query
    (every admin page asks); the set is exactly the one Django's model backend gives."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from marketplace.login_limits import RateLimitedModelBackend

    User = get_user_model()
    if persona in ("superuser", "inactive"):
        user = User.objects.create_user(
            f"perm-{persona}",
            is_staff=True,
            is_superuser=persona == "superuser",
            is_active=persona != "inactive",
        )
        user.user_permissions.add(Permission.objects.get(codename="view_refund"))
    else:
        user = getattr(people, persona)
        user.user_permissions.add(Permission.objects.get(codename="view_ledgerentry"))  # own, besides groups'
    expected = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
    fresh_user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(0 if persona == "inactive" else 1):
        got = RateLimitedModelBackend().get_all_permissions(fresh_user)
        assert RateLimitedModelBackend().get_all_permissions(fresh_user) == got  # kept for the request
    assert got == expected
    groups_or_all = persona in ("arbiter", "finance", "supervisor", "superuser")
    assert (len(got) > 1) == groups_or_all, got  # the groups' permissions (or all) besides their own
