"""Nothing that is history or money can be edited or deleted from the admin, not even by a
superuser (R-ESC-2, R-ARB-2, R-DSP-7, R-EVD-3); states change only through the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_fsm import FSMField

from arbitration.models import ClaimVersion, Decision, Dispute, Evidence, Message, Offer
from marketplace.models import EscrowHold, LedgerEntry, Order, Refund
from tests.support import fresh

pytestmark = pytest.mark.django_db

NEVER_DELETED = [
    Dispute,
    Evidence,
    LedgerEntry,
    Refund,
    Decision,
    Message,
    ClaimVersion,
    Offer,
    Order,
    EscrowHold,
]


def superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def project_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("arbitration", "marketplace", "django_fsm_log")
    ]


# Sessions are credentials (a row's key signs its person in, ``config.sessions``): never on a page.
NOT_IN_THE_ADMIN = {"PersonSession"}


def test_every_model_of_the_project_is_in_the_admin():
    from django.apps import apps

    registered = set(admin.site._registry)
    for label in ("arbitration", "marketplace"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__ in NOT_IN_THE_ADMIN:
                assert model not in registered, f"{model.__name__} is in the admin"
                continue
            assert model in registered, f"{model.__name__} is not registered in the admin"


@pytest.mark.parametrize("model", NEVER_DELETED, ids=lambda m: m.__name__)
def test_nobody_can_delete_history_or_money_from_the_admin(model, admin_user):
    model_admin = admin.site._registry[model]
    request = superuser_request(admin_user)

    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_no_project_admin_offers_bulk_delete(admin_user):
    request = superuser_request(admin_user)
    offering = [m.__name__ for m, ma in project_admins() if "delete_selected" in ma.get_actions(request)]
    assert offering == []


def test_state_fields_are_read_only_everywhere(admin_user):
    """Every model with an FSM state is read-only in the admin, even for a superuser."""
    request = superuser_request(admin_user)
    for model, model_admin in project_admins():
        if any(isinstance(field, FSMField) for field in model._meta.fields):
            assert model_admin.has_change_permission(request) is False, model.__name__
            assert model_admin.has_add_permission(request) is False, model.__name__


def test_posting_a_new_state_to_a_dispute_is_refused(cases, client_for, admin_user):
    dispute = cases.escalated()

    response = client_for(admin_user).post(
        reverse("admin:arbitration_dispute_change", args=[dispute.pk]),
        {"state": "closed", "outcome": "withdrawn"},
    )

    assert response.status_code in (200, 403)
    assert fresh(dispute).state == Dispute.State.ESCALATED


@pytest.mark.parametrize("model", [Dispute, Refund, Decision, LedgerEntry], ids=lambda m: m.__name__)
def test_the_delete_page_is_forbidden(cases, client_for, admin_user, model):
    dispute = cases.decided()
    row = {
        Dispute: dispute,
        Refund: dispute.refund,
        Decision: Decision.objects.get(dispute=dispute),
        LedgerEntry: LedgerEntry.objects.filter(order=dispute.order).first(),
    }[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[row.pk])

    assert client_for(admin_user).post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_a_refund_page_is_read_only_for_a_superuser(cases, client_for, admin_user):
    refund = cases.refund_of(cases.decided())

    response = client_for(admin_user).get(reverse("admin:marketplace_refund_change", args=[refund.pk]))

    assert response.context["has_change_permission"] is False
    assert 'name="payout_reference"' not in response.content.decode()  # no free-text editing (R-REF-3)
