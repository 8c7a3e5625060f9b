"""Demo accounts outlive the demo (issue 13 item 9, R-SEC-3): the people ``seed_demo`` makes
(password = username) can't sign in with DEBUG off, and ``check --deploy`` warns while they exist."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from marketplace.checks import W001
from marketplace.demo import ensure_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people():
    return ensure_people(with_passwords=True)  # what `seed_demo` does under DEBUG


def _deploy_warnings() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id == W001]


def test_R_SEC_3_a_demo_account_is_refused_sign_in_with_debug_off_and_told_why(demo_people, client, settings):
    settings.DEBUG = False
    response = client.post(reverse("login"), {"username": "buyer", "password": "buyer"})
    html = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "demo account" in html and "Please enter a correct username" not in html


def test_R_SEC_3_the_demo_admin_is_refused_on_the_admin_sign_in_page_too(demo_people, client, settings):
    settings.DEBUG = False
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "admin"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "demo account" in response.content.decode()


def test_a_wrong_password_for_a_demo_account_says_only_wrong_password(demo_people, client, settings):
    """The refusal is said only to someone who knows the password."""
    settings.DEBUG = False
    html = client.post(reverse("login"), {"username": "buyer", "password": "guess"}).content.decode()
    assert "Please enter a correct username" in html and "demo account" not in html


def test_demo_accounts_sign_in_under_debug_as_the_demo_needs(demo_people, client, settings):
    settings.DEBUG = True
    response = client.post(reverse("login"), {"username": "buyer", "password": "buyer"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_people_outside_the_demo_group_sign_in_with_debug_off(
    demo_people, client, settings, django_user_model
):
    settings.DEBUG = False
    django_user_model.objects.create_user(username="real", password="a real password 1")
    response = client.post(reverse("login"), {"username": "real", "password": "a real password 1"})
    assert response.status_code == 302


def test_R_SEC_3_the_deploy_check_warns_only_while_demo_accounts_exist(django_user_model):
    django_user_model.objects.create_user(username="real", password="x")
    assert _deploy_warnings() == []  # a fresh (or real) database: nothing to say
    people = ensure_people(with_passwords=False)
    assert _deploy_warnings() == [W001]
    django_user_model.objects.filter(pk__in=[u.pk for u in people.values()]).delete()
    assert _deploy_warnings() == []
