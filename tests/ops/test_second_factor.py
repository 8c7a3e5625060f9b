"""R-OPS-1: every staff account signs in with a second factor (TOTP, passkey or security key);
recovery codes work once; a supervisor can reset a device, audited. Buyers are not asked."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from marketplace.errors import DomainError
from marketplace.security.devices import second_factor_reset
from tests.ops.conftest import sign_in
from tests.ops.otp import totp_code, totp_device

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/",
    "/admin/arbitration/dispute/",
    "/admin/marketplace/refund/",
    "/admin/marketplace/user/",
    "/admin/audit/auditcheck/",
]


def two_factor_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("two-factor"))


@pytest.mark.no_second_factor
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_R_OPS_1_staff_without_a_second_factor_reach_no_admin_page(staff, client, path):
    client.force_login(staff.supervisor)
    assert two_factor_redirect(client.get(path))


@pytest.mark.no_second_factor
def test_R_OPS_1_staff_without_a_second_factor_cannot_run_an_admin_action(staff, client, monkeypatch):
    """A POST to an admin action is redirected, never run."""
    client.force_login(staff.finance)
    called = []
    monkeypatch.setattr(
        "django.contrib.admin.options.ModelAdmin.response_action", lambda *a: called.append(a)
    )
    response = client.post(
        "/admin/marketplace/refund/", {"action": "delete_selected", "_selected_action": ["1"]}
    )
    assert two_factor_redirect(response) and not called
    assert two_factor_redirect(client.post(reverse("second-factor-reset", args=[staff.arbiter.pk]), {}))


def test_R_OPS_1_first_sign_in_enrols_an_authenticator_app_then_shows_recovery_codes(staff, client):
    assert sign_in(client, staff.arbiter).status_code == 302
    response = client.get("/admin/")
    assert two_factor_redirect(response)
    enrol = client.get(response["Location"])
    assert "Set up your second factor" in enrol.content.decode() and "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=staff.arbiter, confirmed=False)

    wrong = client.post(reverse("two-factor"), {"token": "000000", "next": "/admin/"})
    assert "That code is not right" in wrong.content.decode()
    done = client.post(reverse("two-factor"), {"token": totp_code(device), "next": "/admin/"})

    codes = StaticToken.objects.filter(device__user=staff.arbiter)
    assert done.status_code == 200 and codes.count() == 10
    assert all(code.token in done.content.decode() for code in codes)
    assert client.get("/admin/").status_code == 200


def test_R_OPS_1_with_a_totp_code_generated_from_the_device_key_staff_reach_the_admin(staff, client):
    device = totp_device(staff.finance)
    sign_in(client, staff.finance)
    assert two_factor_redirect(client.get("/admin/marketplace/refund/"))
    page = client.get(reverse("two-factor"))
    assert "Confirm it is you" in page.content.decode()
    response = client.post(
        reverse("two-factor"), {"token": totp_code(device), "next": "/admin/marketplace/refund/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/marketplace/refund/"
    assert client.get("/admin/marketplace/refund/").status_code == 200


def test_R_OPS_1_a_recovery_code_works_once(staff, client):
    totp_device(staff.arbiter)
    client.force_login(staff.arbiter)  # verified (the conftest fixture): issue the codes
    codes = client.post(reverse("two-factor-recovery-codes"))
    code = StaticToken.objects.filter(device__user=staff.arbiter).first().token
    assert code in codes.content.decode()
    client.post(reverse("logout"))

    sign_in(client, staff.arbiter)
    assert client.post(reverse("two-factor"), {"token": code, "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post(reverse("logout"))

    sign_in(client, staff.arbiter)
    again = client.post(reverse("two-factor"), {"token": code, "next": "/admin/"})
    assert again.status_code == 200 and "That code is not right" in again.content.decode()
    assert two_factor_redirect(client.get("/admin/"))


def test_R_OPS_1_buyers_are_not_asked_for_a_second_factor(staff, client):
    sign_in(client, staff.buyer)
    assert client.get(reverse("order-list")).status_code == 200


def test_R_OPS_1_a_supervisor_resets_a_lost_device_audited(staff, client):
    totp_device(staff.arbiter)
    with pytest.raises(DomainError):
        second_factor_reset(user=staff.arbiter, actor=staff.finance, reason="lost phone")
    with pytest.raises(DomainError):
        second_factor_reset(user=staff.supervisor, actor=staff.supervisor, reason="lost phone")

    client.force_login(staff.supervisor)
    url = reverse("second-factor-reset", args=[staff.arbiter.pk])
    assert "Reset the second factor" in client.get(url).content.decode()
    response = client.post(url, {"reason": "lost phone; identity checked on a video call"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff.arbiter).exists()

    # The arbiter enrols again at the next sign-in.
    other = type(client)()
    sign_in(other, staff.arbiter)
    assert "Set up your second factor" in other.get(reverse("two-factor")).content.decode()


@pytest.mark.postgres
def test_R_OPS_1_the_reset_is_in_the_device_history_with_the_supervisor_and_the_reason(staff):
    from marketplace.audit.models import TOTPDeviceProxy

    device = totp_device(staff.arbiter)
    second_factor_reset(user=staff.arbiter, actor=staff.supervisor, reason="lost phone")
    deleted = TOTPDeviceProxy.pgh_event_model.objects.get(pgh_obj_id=device.pk, pgh_label="delete")
    assert deleted.pgh_context["actor"] == staff.supervisor.pk
    assert deleted.pgh_context["reason"] == "lost phone"


# --- The person, their permissions and their devices, read once per request (issue 15) ---------


def test_R_OPS_1_a_device_reset_while_signed_in_counts_from_the_next_request(staff, client):
    """The session's device is checked against the person's confirmed devices on every request
    (read with the person, ``marketplace.security.signed_in``): a reset refuses the very next page."""
    totp_device(staff.arbiter)
    client.force_login(staff.arbiter)  # verified with that device (the conftest fixture)
    assert client.get("/admin/").status_code == 200

    second_factor_reset(user=staff.arbiter, actor=staff.supervisor, reason="lost phone")
    assert two_factor_redirect(client.get("/admin/"))
    assert "otp_device_id" not in client.session  # forgotten, as django-otp does


@pytest.mark.no_second_factor
def test_R_OPS_1_another_persons_or_an_unconfirmed_device_does_not_verify(staff, client):
    from tests.ops.otp import verify_session

    sign_in(client, staff.arbiter)
    verify_session(client, staff.finance)  # the finance person's device in the arbiter's session
    assert two_factor_redirect(client.get("/admin/"))

    unconfirmed = totp_device(staff.arbiter, confirmed=False)
    session = client.session
    session["otp_device_id"] = unconfirmed.persistent_id
    session.save()
    assert two_factor_redirect(client.get("/admin/"))

    unconfirmed.confirmed = True
    unconfirmed.save()
    session = client.session
    session["otp_device_id"] = unconfirmed.persistent_id
    session.save()
    assert client.get("/admin/").status_code == 200


@pytest.mark.postgres
def test_R_OPS_1_the_person_their_permissions_and_devices_are_one_query(staff, django_assert_num_queries):
    """Not a SPEC rule beyond R-OPS-1: what every back office request reads about its person, in one
    query (issue 15's case page budget); a buyer's row is read without them."""
    from django.contrib.auth.backends import ModelBackend

    from marketplace.login_limits import RateLimitedModelBackend

    expected = ModelBackend().get_all_permissions(type(staff.supervisor).objects.get(pk=staff.supervisor.pk))
    device = totp_device(staff.supervisor)
    totp_device(staff.supervisor, confirmed=False)
    with django_assert_num_queries(1):
        person = RateLimitedModelBackend().get_user(staff.supervisor.pk)
        assert person.has_perm("arbitration.supervise") and person.get_all_permissions() == expected
        assert person.confirmed_devices == {device.persistent_id}
    buyer = RateLimitedModelBackend().get_user(staff.buyer.pk)
    assert not hasattr(buyer, "confirmed_devices") and not hasattr(buyer, "_perm_cache")
