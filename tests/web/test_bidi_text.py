"""Bidirectional-text spoofing (issue 13 item 7): people's text can't reorder what others read.

Direction controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) are removed where text
is stored: the arbitration services' free text, people's names (``User.save``) and file names
(``safe_name``), so emails, the admin, webhooks and exports get clean text too. Pages isolate
each piece of people's text in ``<bdi>`` (the ``isolated`` filter), which also strips controls
from rows written before the rule (shown here by writing them with ``update()``).
"""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from arbitration import services
from arbitration.models import Evidence, Message
from marketplace.text import BIDI_CONTROLS, without_bidi_controls
from tests.web.conftest import open_dispute, png

pytestmark = pytest.mark.django_db

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# "Refund sent: $1000" typed as the override would show it to a reader.
SPOOFED = "Refund sent: \u202e0001$\u202c, please withdraw"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_direction_control_of_the_issue_is_removed_and_nothing_else():
    assert without_bidi_controls(f"a{CONTROLS}b") == "ab"
    assert without_bidi_controls("مرحبا שלום hello") == "مرحبا שלום hello"  # RTL letters stay
    assert len(BIDI_CONTROLS.findall(CONTROLS)) == len(CONTROLS)


def test_the_isolated_filter_escapes_strips_and_wraps_in_bdi():
    html = Template("{% load market %}{{ text|isolated }}|{{ lines|linebreaksbr|isolated }}").render(
        Context({"text": "<script>\u202ex</script>", "lines": "one\u202e\ntwo & three"})
    )
    assert html == "<bdi>&lt;script&gt;x&lt;/script&gt;</bdi>|<bdi>one<br>two &amp; three</bdi>"


def test_a_message_is_stored_without_direction_controls_R_DSP_7(people):
    dispute = open_dispute(people)

    message = services.dispute_post_message(dispute=dispute, actor=people.seller, body=SPOOFED)

    assert Message.objects.get(pk=message.pk).body == "Refund sent: 0001$, please withdraw"


def test_names_are_stored_without_direction_controls(people):
    people.seller.first_name, people.seller.last_name = "Sam\u202e", "\u2067Seller\u2069"
    people.seller.save()

    people.seller.refresh_from_db()
    assert (people.seller.first_name, people.seller.last_name) == ("Sam", "Seller")


def test_a_file_name_is_stored_without_direction_controls_R_EVD_3(people):
    dispute = open_dispute(people, files=[png(name="invoice\u202egnp.exe.png")])

    assert Evidence.objects.get(dispute=dispute).original_name == "invoicegnp.exe.png"


def test_the_buyers_page_isolates_people_text_and_shows_no_control_even_from_old_rows_R_DSP_7(people):
    dispute = open_dispute(people)
    # Written before the rule (messages are immutable, so straight into the table).
    Message.objects.create(dispute=dispute, author=people.seller, role=Message.Role.SELLER, body=SPOOFED)

    html = client_for(people.buyer).get(reverse("dispute-detail", args=[dispute.pk])).content.decode()

    assert not BIDI_CONTROLS.search(html)
    assert '<div class="body"><bdi>Refund sent: 0001$, please withdraw</bdi></div>' in html
    assert "<bdi>Sam</bdi>" in html  # the other party's name
    assert "<bdi>The capacity is 4,800 mAh, not 20,000.</bdi>" in html  # the claim's description


def test_the_arbiters_case_page_isolates_people_text_and_shows_no_control(people):
    dispute = open_dispute(people)
    Message.objects.create(dispute=dispute, author=people.seller, role=Message.Role.SELLER, body=SPOOFED)

    response = client_for(people.arbiter).get(reverse("admin:arbitration_dispute_change", args=[dispute.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert not BIDI_CONTROLS.search(html)
    assert '<div class="ax-msg-body"><bdi>Refund sent: 0001$, please withdraw</bdi></div>' in html
    assert "<strong><bdi>Boris</bdi></strong>" in html


def test_the_order_page_isolates_the_other_partys_name_and_the_extension_reason_R_PRT_4(people):
    from marketplace import services as money
    from tests.web.conftest import shipped

    order = shipped(people)
    request = money.extension_request_create(
        order=order, actor=people.buyer, days=5, reason="Customs\u202e delay"
    )
    assert request.reason == "Customs delay"  # stored clean by the service

    html = client_for(people.buyer).get(reverse("order-detail", args=[order.pk])).content.decode()

    assert not BIDI_CONTROLS.search(html)
    assert "<bdi>Sam</bdi>" in html
    assert "<bdi>Customs delay</bdi>" in html
