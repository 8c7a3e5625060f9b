"""The audit's own rows: the checks of the chain, and the history of other apps' tables.

Tables of Django and of libraries (group membership, permissions, the transition log, the second
factor's devices) can't carry a decorator, so their event models are declared here.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm_log.models import StateLog
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from marketplace.audit.tracking import history
from marketplace.models import User


class AuditCheck(models.Model):
    """One run of ``verify_audit``: what was checked, the first broken link, the counts seen."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    events_checked = models.PositiveBigIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problem of each kind per table, for people: [{table, kind, event, object, detail}].
    problems = models.JSONField(default=list, blank=True)
    # Per event table: [highest event id seen, events up to it]. The next run checks that no
    # event up to that id has disappeared (a whole chain deleted leaves no broken link).
    checkpoints = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("audit check")

    def __str__(self) -> str:
        return f"Audit check {self.started_at:%Y-%m-%d %H:%M}: {self.problem_count} problems"


# Proxies keep the triggers' migrations in this app, not in Django's or the libraries' (pghistory's
# advice for third-party models). Membership tables have no object key: one chain per table.
@history(model_name="UserGroupEvent", obj_field=None)
class UserGroupProxy(User.groups.through):  # type: ignore[name-defined]  # a runtime class
    class Meta:
        proxy = True


@history(model_name="UserPermissionEvent", obj_field=None)
class UserPermissionProxy(User.user_permissions.through):  # type: ignore[name-defined]  # a runtime class
    class Meta:
        proxy = True


@history(model_name="GroupPermissionEvent", obj_field=None)
class GroupPermissionProxy(Group.permissions.through):  # type: ignore[name-defined]  # a runtime class
    class Meta:
        proxy = True


@history(model_name="GroupEvent")
class GroupProxy(Group):
    class Meta:
        proxy = True


@history(model_name="StateLogEvent")
class StateLogProxy(StateLog):
    class Meta:
        proxy = True


# Second-factor devices: who has which, confirmed or not; never the secret keys.
@history(model_name="TOTPDeviceEvent", fields=["user", "name", "confirmed"])
class TOTPDeviceProxy(TOTPDevice):
    class Meta:
        proxy = True


@history(model_name="StaticDeviceEvent", fields=["user", "name", "confirmed"])
class StaticDeviceProxy(StaticDevice):
    class Meta:
        proxy = True


@history(model_name="WebAuthnCredentialEvent", fields=["user", "name", "confirmed"])
class WebAuthnCredentialProxy(WebAuthnCredential):
    class Meta:
        proxy = True
