"""Second-factor services (R-OPS-1): enrol a TOTP device, issue recovery codes, verify, reset.

A device counts once it is confirmed. Recovery codes are django-otp's static tokens: each is
deleted when used, so it works once. A reset (a lost phone or key) removes every device of the
person; the person enrols again at their next sign-in. Resets are audited twice: the device rows'
history (pghistory, with the acting supervisor as context) and a log line.
"""

from __future__ import annotations

import logging

import pghistory
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from marketplace.errors import DomainError
from marketplace.models import User

log = logging.getLogger("security")

RECOVERY_CODE_COUNT = 10
RESET_PERMISSION = "marketplace.reset_second_factor"


def needs_second_factor(user) -> bool:
    """Whether this person must pass a second factor: every staff account (R-OPS-1)."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_device_start(*, user: User) -> TOTPDevice:
    """The person's unconfirmed authenticator-app device, created on first use (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def totp_device_confirm(*, user: User, device_id: int, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app device with a code it shows; returns it and a fresh set of recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user).first()
        if device is None or device.confirmed:
            raise DomainError(_("This set-up has expired. Reload the page and scan the new code."))
        if not device.verify_token(token.strip().replace(" ", "")):
            raise DomainError(
                _("That code is not right. Check the phone's clock and enter the code the app shows now.")
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_issue(user=user)
    log.info("second factor enrolled", extra={"user_id": user.pk, "device": "totp"})
    return device, codes


def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the person's recovery codes with ``RECOVERY_CODE_COUNT`` new ones, each usable once."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="recovery", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(*, user: User) -> list[str]:
    """The person's unused recovery codes (the demo prints them; nobody else reads them)."""
    return list(
        StaticToken.objects.filter(device__user=user, device__name="recovery").values_list("token", flat=True)
    )


def second_factor_verify(*, user: User, token: str):
    """The device that accepts ``token`` (an app code or a recovery code, used up), or a refusal."""
    device = match_token(user, token.strip().replace(" ", ""))
    if device is None:
        raise DomainError(
            _("That code is not right. Enter the code your app shows now, or one of your recovery codes.")
        )
    if isinstance(device, StaticDevice):
        log.warning("recovery code used", extra={"user_id": user.pk, "left": device.token_set.count()})
    return device


def second_factor_reset(*, user: User, actor: User, reason: str) -> int:
    """Remove every second-factor device of ``user`` (a lost phone or key); returns how many.

    Only a supervisor (the ``reset_second_factor`` permission) or a superuser may, never for
    themselves: a second person confirms who is asking. Audited with the actor and the reason.
    """
    reason = (reason or "").strip()
    if not (actor.is_superuser or actor.has_perm(RESET_PERMISSION)):
        raise DomainError(_("Only a supervisor can reset a second factor."))
    if actor.pk == user.pk:
        raise DomainError(_("Ask another supervisor to reset your own second factor."))
    if not reason:
        raise DomainError(_("Say why the second factor is reset (for example, how you confirmed who asked)."))
    with transaction.atomic(), pghistory.context(action="second_factor_reset", actor=actor.pk, reason=reason):
        removed = 0
        for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
            devices = model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
    log.warning(
        "second factor reset",
        extra={"user_id": user.pk, "actor_id": actor.pk, "reason": reason, "devices_removed": removed},
    )
    return removed


def is_verified(user: object) -> bool:
    """Whether this session passed the second factor (django-otp's ``OTPMiddleware`` gives the
    request's user an ``is_verified()``; a user without it has not)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False
