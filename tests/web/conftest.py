"""The people and cases of the buyer and seller page tests (SPEC §1, R-SEC-1).

People: ``tests/people.py``, with passwords (the sign-in tests use them). Cases are built now,
through the real services, so every page shows the deadlines and money the services computed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from arbitration import services
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.models import ExtensionRequest, Order
from tests.people import RETURN_ADDRESS, People, make_people
from tests.support import fresh, messages_of, png

User = get_user_model()

CARD = "Visa •••• 4242"
__all__ = ["RETURN_ADDRESS", "People", "fresh", "messages_of", "png"]


@pytest.fixture
def people(db) -> People:
    return make_people(passwords=True)


# --- Cases, made now through the services -----------------------------------------------------


def shipped(
    people: People, *, amount: str = "100.00", currency: str = "USD", title="Power bank 20000 mAh"
) -> Order:
    order = money.order_pay(
        buyer=people.buyer,
        seller=people.seller,
        item_title=title,
        amount=Decimal(amount),
        currency=currency,
        payment_method=CARD,
    )
    return money.order_ship(
        order=order, actor=people.seller, carrier="China Post", tracking_number="RR123456789CN"
    )


def open_dispute(
    people: People, order: Order | None = None, *, resolution="full_refund", requested=None, files=()
) -> Dispute:
    return services.dispute_open(
        order=order or shipped(people),
        actor=people.buyer,
        reason="not_as_described",
        resolution=resolution,
        requested_amount=requested,
        description="The capacity is 4,800 mAh, not 20,000.",
        files=files,
    )


def with_offer(people: People, *, amount="40.00", kind="partial_refund") -> Dispute:
    dispute = open_dispute(people)
    services.dispute_make_offer(
        dispute=dispute,
        actor=people.seller,
        kind=kind,
        amount=amount,
        note="We can refund 40 USD, you keep it.",
    )
    return fresh(dispute)


def rejected(people: People) -> Dispute:
    dispute = open_dispute(people)
    services.dispute_reject_claim(
        dispute=dispute, actor=people.seller, explanation="It was tested before sending."
    )
    return fresh(dispute)


def awaiting_return(people: People) -> Dispute:
    dispute = open_dispute(people, resolution="return_and_refund")
    services.dispute_seller_accept(dispute=dispute, actor=people.seller)
    return fresh(dispute)


def return_in_transit(people: People) -> Dispute:
    dispute = awaiting_return(people)
    services.return_ship(dispute=dispute, actor=people.buyer, carrier="Russian Post", tracking_number="RR1RU")
    return fresh(dispute)


def closed_with_refund(people: People) -> Dispute:
    dispute = open_dispute(people)
    services.dispute_seller_accept(dispute=dispute, actor=people.seller)
    return fresh(dispute)


def under_review_with_question(people: People, party: str = "buyer") -> Dispute:
    dispute = rejected(people)
    services.dispute_escalate(dispute=dispute, actor=people.buyer)
    services.case_take(case=dispute, actor=people.arbiter)
    services.dispute_request_information(
        dispute=dispute, actor=people.arbiter, party=party, question="Please upload a photo of the label."
    )
    return fresh(dispute)


def with_solicitation(people: People) -> Dispute:
    dispute = open_dispute(people)
    services.dispute_post_message(
        dispute=dispute, actor=people.seller, body="Please close the dispute, I'll pay you by PayPal."
    )
    return fresh(dispute)


def pending_extension(people: People) -> ExtensionRequest:
    order = shipped(people)
    return money.extension_request_create(
        order=order, actor=people.buyer, days=10, reason="Still in transit."
    )


def fake_exe(name: str = "invoice.pdf") -> SimpleUploadedFile:
    """A Windows program dressed as a PDF: refused by content, whatever the name says (R-EVD-1)."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
