"""The people and cases of the buyer and seller page tests (SPEC §1, R-SEC-1).

People: the buyer (Boris), the seller (Sam), a stranger (another buyer), staff without any
permission, and an arbiter. Cases are built now, through the real services, so every page
shows the deadlines and money the services computed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from arbitration import services
from arbitration.models import Dispute
from marketplace import services as money
from marketplace.models import ExtensionRequest, Order

User = get_user_model()

CARD = "Visa •••• 4242"
RETURN_ADDRESS = "Sam Seller, Returns desk, 12 Warehouse Road, Shenzhen"


@dataclass
class People:
    buyer: User
    seller: User
    stranger: User
    staff: User
    arbiter: User


def make_people() -> People:
    arbiter = User.objects.create_user(username="alina", first_name="Alina", is_staff=True, password="x")
    arbiter.groups.add(Group.objects.get(name="Arbiters"))
    return People(
        buyer=User.objects.create_user(
            username="boris", first_name="Boris", email="boris@example.com", password="correct horse battery"
        ),
        seller=User.objects.create_user(
            username="sam",
            first_name="Sam",
            email="sam@example.com",
            return_address=RETURN_ADDRESS,
            password="x",
        ),
        stranger=User.objects.create_user(username="stella", first_name="Stella", password="x"),
        staff=User.objects.create_user(username="steve", first_name="Steve", is_staff=True, password="x"),
        arbiter=User.objects.get(pk=arbiter.pk),
    )


@pytest.fixture
def people(db) -> People:
    return make_people()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The people have passwords (the sign-in tests use them); the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence goes to a temporary private folder, never the project's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private-media", "base_url": None},
        },
    }


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


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def png(name: str = "photo.png", colour: str = "red", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fake_exe(name: str = "invoice.pdf") -> SimpleUploadedFile:
    """A Windows program dressed as a PDF: refused by content, whatever the name says (R-EVD-1)."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
