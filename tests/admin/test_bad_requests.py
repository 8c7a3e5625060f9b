"""Not a SPEC rule: the house standard "no 500s". Hand-made admin requests get a page that doesn't exist or a
message, never a 500 (found by fuzzing every admin URL with garbage): a non-numeric id in a case URL, a
non-numeric or oversized id in a bulk action's selection, and the superuser's add-user page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from arbitration.models import Dispute

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/arbitration/dispute/abc/change/",
        "/admin/arbitration/dispute/1e30/change/",
        "/admin/arbitration/complaint/abc/change/",
        "/admin/arbitration/safetyreport/abc/change/",
        "/admin/arbitration/dispute/abc/take/",
        "/admin/arbitration/dispute/abc/decide/",
        "/admin/arbitration/complaint/abc/take/",
        "/admin/arbitration/safetyreport/abc/close/",
        "/admin/arbitration/dispute/%C2%B9/change/",  # "¹" passes str.isdigit, not int()
        "/admin/arbitration/dispute/%D9%A3/take/",  # "٣"
        "/admin/arbitration/dispute/99999999999999999999/change/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_non_numeric_case_id_is_a_page_that_does_not_exist(cases, people, client_for, url, method):
    response = getattr(client_for(people.supervisor), method)(url, follow=True)
    assert response.status_code == 404


@pytest.mark.parametrize("selected", ["abc", "9" * 40, "-1", "¹", "٣"])
def test_a_bulk_action_on_a_malformed_selection_changes_nothing_and_says_so(
    cases, people, arbiter_client, selected
):
    waiting = cases.escalated()
    response = arbiter_client.post(
        reverse("admin:arbitration_dispute_changelist"),
        {"action": "take_cases", "_selected_action": [str(waiting.pk), selected]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Items must be selected" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert Dispute.objects.get(pk=waiting.pk).state == Dispute.State.ESCALATED


def test_a_superuser_adds_a_user_from_the_admin(client_for):
    User = get_user_model()
    root = User.objects.create_superuser("root", "root@example.com", "x-Strong-Pass-2026")
    client = client_for(root)
    url = reverse("admin:marketplace_user_add")

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "username": "newarbiter",
            "usable_password": "true",
            "password1": "a-Long-Pass-2026",
            "password2": "a-Long-Pass-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="newarbiter").check_password("a-Long-Pass-2026")


@pytest.mark.parametrize("term", ["#¹", "#٣", "#" + "9" * 30])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/arbitration/dispute/",
        "/admin/arbitration/complaint/",
        "/admin/marketplace/refund/",
        "/admin/arbitration/decision/",
        "/admin/django_fsm_log/statelog/",
        "/admin/marketplace/order/",
    ],
)
def test_a_search_for_an_id_in_other_digits_finds_nothing_and_does_not_fail(
    cases, people, client_for, url, term
):
    response = client_for(people.supervisor).get(url, {"q": term})

    assert response.status_code == 200
