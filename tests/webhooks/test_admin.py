"""R-API-5 in the admin: supervisors subscribe, disable, rotate and replay; other staff read the
endpoints and their delivery log; nobody deletes one."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from marketplace.models import DomainEvent, WebhookDelivery, WebhookEndpoint
from tests.arbitration.conftest import START, at
from tests.marketplace.factories import paid_order
from tests.support import fresh
from tests.webhooks.conftest import deliveries_of

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:marketplace_webhookendpoint_changelist")
ADD = reverse("admin:marketplace_webhookendpoint_add")
DELIVERIES = reverse("admin:marketplace_webhookdelivery_changelist")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_R_API_5_a_supervisor_subscribes_an_endpoint_and_sees_its_secret_once(
    people, marketplace_client, receiver
):
    response = signed_in(people.supervisor).post(
        ADD,
        {
            "client": marketplace_client.pk,
            "url": receiver.url,
            "event_types": ["dispute.closed", "refund.completed"],
            "description": "Main back end",
        },
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.event_types) == (receiver.url, ["dispute.closed", "refund.completed"])
    (secret,) = endpoint.valid_secrets()
    assert any(secret in text and "shown only now" in text for text in said(response))
    page = signed_in(people.supervisor).get(
        reverse("admin:marketplace_webhookendpoint_change", args=[endpoint.pk])
    )
    assert page.status_code == 200
    assert secret not in page.content.decode()  # never on a page


def test_R_API_5_a_private_address_is_refused_in_the_form_with_the_services_words(
    people, marketplace_client, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    response = signed_in(people.supervisor).post(
        ADD, {"client": marketplace_client.pk, "url": "https://192.168.0.10/hooks", "description": ""}
    )

    assert response.status_code == 200
    assert "Webhooks can&#x27;t go to a private or local address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_R_API_5_other_staff_read_endpoints_and_the_delivery_log_but_change_nothing(people, subscribed):
    endpoint, _ = subscribed
    paid_order(buyer=people.buyer, seller=people.seller)
    arbiter = signed_in(people.arbiter)

    listing = arbiter.get(ENDPOINTS)
    page = arbiter.get(reverse("admin:marketplace_webhookendpoint_change", args=[endpoint.pk]))
    log = arbiter.get(DELIVERIES)

    assert listing.status_code == page.status_code == log.status_code == 200
    assert 'name="action"' not in listing.content.decode()  # no disable / rotate / replay
    assert "order.escrow_held" in page.content.decode()  # the delivery log on the endpoint's page
    assert 'name="url"' not in page.content.decode()
    assert arbiter.get(ADD).status_code == 403
    assert (
        arbiter.post(reverse("admin:marketplace_webhookendpoint_delete", args=[endpoint.pk])).status_code
        == 403
    )
    assert signed_in(people.staff).get(ENDPOINTS).status_code == 403  # staff without a group: nothing
    assert signed_in(people.finance).get(DELIVERIES).status_code == 200


def test_R_API_5_a_supervisor_disables_enables_and_rotates_from_the_list(people, subscribed):
    endpoint, old = subscribed
    supervisor = signed_in(people.supervisor)

    supervisor.post(ENDPOINTS, {"action": "disable", "_selected_action": [endpoint.pk]})
    assert fresh(endpoint).is_active is False
    supervisor.post(ENDPOINTS, {"action": "enable", "_selected_action": [endpoint.pk]})
    assert fresh(endpoint).is_active is True

    response = supervisor.post(
        ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )

    new, previous = fresh(endpoint).valid_secrets()
    assert previous == old
    assert any(new in text for text in said(response))


def test_R_API_5_a_supervisor_replays_everything_since_a_time_and_one_delivery_again(
    people, subscribed, receiver, django_capture_on_commit_callbacks
):
    endpoint, _ = subscribed
    with at(START):
        paid_order(buyer=people.buyer, seller=people.seller)
    supervisor = signed_in(people.supervisor)

    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(
            ENDPOINTS,
            {"action": "replay_since", "_selected_action": [endpoint.pk], "since": "2025-03-03 08:00"},
            follow=True,
        )
    assert any("1 event queued again" in text for text in said(response))
    first = deliveries_of(endpoint)[0]

    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(DELIVERIES, {"action": "send_again", "_selected_action": [first.pk]})

    assert len(deliveries_of(endpoint)) == 3
    assert WebhookDelivery.objects.filter(endpoint=endpoint, is_replay=True).count() == 2
    event = DomainEvent.objects.get()
    assert [request.headers["webhook-id"] for request in receiver.requests] == [event.uid, event.uid]


def test_R_API_5_replay_without_a_time_says_what_is_missing(people, subscribed):
    endpoint, _ = subscribed

    response = signed_in(people.supervisor).post(
        ENDPOINTS, {"action": "replay_since", "_selected_action": [endpoint.pk], "since": ""}, follow=True
    )

    assert "Enter the time to send events from." in said(response)


def test_R_API_5_the_event_log_shows_each_event_with_its_deliveries(people, subscribed):
    paid_order(buyer=people.buyer, seller=people.seller)
    event = DomainEvent.objects.get()

    page = signed_in(people.supervisor).get(reverse("admin:marketplace_domainevent_change", args=[event.pk]))

    assert page.status_code == 200
    assert event.uid in page.content.decode() and subscribed[0].url in page.content.decode()


def test_R_API_5_the_webhook_pages_speak_russian(people, subscribed):
    page = signed_in(people.supervisor).get(ENDPOINTS, HTTP_ACCEPT_LANGUAGE="ru")

    assert "Сменить секрет подписи" in page.content.decode()
    assert "Отправить заново все события с …" in page.content.decode()
