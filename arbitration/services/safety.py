"""Reports of dangerous products (R-SAF-1)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration.events import safety_report_payload
from arbitration.evidence import evidence_add
from arbitration.models import (
    SafetyReport,
)
from arbitration.services.base import _allow, _log_event, _text
from marketplace.errors import DomainError
from marketplace.events import emit
from marketplace.models import Order, User
from marketplace.notifications import notify


def safety_report_file(
    *, order: Order, actor: User, description: str, files: Iterable[UploadedFile[bytes]] = ()
) -> SafetyReport:
    """Any time, even after protection ended: the buyer reports a dangerous product."""
    if actor.pk != order.buyer_id:
        raise DomainError(_("Only the buyer of this order can report it."))
    description = _text(description, _("Describe the danger (for example: the battery swelled and got hot)."))
    with transaction.atomic():
        report = SafetyReport.objects.create(order=order, reporter=actor, description=description)
        evidence_add(uploaded_by=actor, files=files, safety_report=report)
        _log_event(report, name="file", actor=actor)
        emit("safety_report.opened", order=order, data=safety_report_payload(report))
    return report


def safety_report_close(*, report: SafetyReport, actor: User, outcome: str, reason: str) -> SafetyReport:
    """Closed only with a recorded outcome and reason; the buyer sees it."""
    if outcome not in SafetyReport.Outcome.values:
        raise DomainError(_("Choose the outcome: listing blocked, seller warned, or no action."))
    reason = _text(reason, _("Write the reason for the outcome; the buyer will see it."))
    with transaction.atomic():
        report = SafetyReport.objects.select_for_update().get(pk=report.pk)
        _allow(report, "close", actor)
        report.close(by=actor, description=SafetyReport.Outcome(outcome).label)
        report.outcome, report.outcome_reason = outcome, reason
        report.closed_by, report.closed_at = actor, timezone.now()
        report.save()
        notify(
            "safety_report_closed",
            order=report.order,
            context={"report_id": report.pk, "outcome": outcome, "reason": reason},
        )
        emit("safety_report.closed", order=report.order, data=safety_report_payload(report))
    return report
