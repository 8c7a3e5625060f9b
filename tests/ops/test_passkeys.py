"""R-OPS-1: a passkey or security key as the second factor, registered and used through
django-otp-webauthn's endpoints with a software authenticator (soft-webauthn)."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode

import pytest
from django.urls import reverse
from soft_webauthn import SoftWebauthnDevice

from tests.ops.conftest import sign_in
from tests.ops.otp import totp_device

pytestmark = pytest.mark.django_db

ORIGIN = "http://localhost:8000"


def b64decode(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data: bytes) -> str:
    return urlsafe_b64encode(data).decode().rstrip("=")


def post_json(client, name: str, body: dict | None = None):
    return client.post(
        reverse(f"otp_webauthn:{name}"),
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def register(client, authenticator: SoftWebauthnDevice):
    options = post_json(client, "credential-registration-begin").json()
    made = authenticator.create(
        {
            "publicKey": {
                **options,
                "challenge": b64decode(options["challenge"]),
                "user": {**options["user"], "id": b64decode(options["user"]["id"])},
                "pubKeyCredParams": [
                    {"alg": p["alg"], "type": p["type"]} for p in options["pubKeyCredParams"]
                ],
                "attestation": "none",
            }
        },
        ORIGIN,
    )
    return post_json(
        client,
        "credential-registration-complete",
        {
            "id": b64encode(made["rawId"]),
            "rawId": b64encode(made["rawId"]),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64encode(made["response"]["clientDataJSON"]),
                "attestationObject": b64encode(made["response"]["attestationObject"]),
                "transports": ["usb"],
            },
            "clientExtensionResults": {},
        },
    )


def authenticate(client, authenticator: SoftWebauthnDevice):
    options = post_json(client, "credential-authentication-begin").json()
    made = authenticator.get({"publicKey": {**options, "challenge": b64decode(options["challenge"])}}, ORIGIN)
    return post_json(
        client,
        "credential-authentication-complete",
        {
            "id": b64encode(made["rawId"]),
            "rawId": b64encode(made["rawId"]),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64encode(made["response"]["clientDataJSON"]),
                "authenticatorData": b64encode(made["response"]["authenticatorData"]),
                "signature": b64encode(made["response"]["signature"]),
                "userHandle": b64encode(made["response"]["userHandle"]),
            },
            "clientExtensionResults": {},
        },
    )


def test_R_OPS_1_a_security_key_is_registered_then_used_to_sign_in(staff, client, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]
    key = SoftWebauthnDevice()

    sign_in(client, staff.supervisor)
    assert client.get("/admin/").status_code == 302
    registered = register(client, key)
    assert registered.status_code == 200, registered.content
    assert client.get("/admin/").status_code == 200  # enrolment verified the session
    client.post(reverse("logout"))

    sign_in(client, staff.supervisor)
    assert client.get("/admin/").status_code == 302  # a new sign-in needs the key again
    used = authenticate(client, key)
    assert used.status_code == 200, used.content
    assert client.get("/admin/").status_code == 200


def test_R_OPS_1_a_password_alone_cannot_register_a_new_key_for_an_enrolled_account(staff, client, settings):
    """Otherwise a stolen password would let an attacker add their own key and pass."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]
    totp_device(staff.arbiter)
    sign_in(client, staff.arbiter)
    assert post_json(client, "credential-registration-begin").status_code == 403
    assert client.get("/admin/").status_code == 302
