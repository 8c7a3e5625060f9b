"""The ``verify_audit`` job: check the history's hash chains and report the first broken link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from marketplace.audit.models import AuditCheck
from marketplace.audit.verify import audit_verify
from marketplace.jobs import staff_alert_recipients
from marketplace.scheduling import JobResult, job

log = logging.getLogger("jobs")


@job(
    "verify_audit",
    "Recompute the row history's hash chains and compare them with the live rows; report the "
    "first broken link to staff (R-OPS-2)",
)
def verify_audit(result: JobResult, batch_size: int) -> None:
    """Read-only: records an AuditCheck (the admin shows it) and emails staff if anything is off."""
    previous = AuditCheck.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    check = AuditCheck.objects.create()
    outcome = audit_verify(previous_checkpoints=previous.checkpoints if previous else None)
    check.finished_at = timezone.now()
    check.events_checked = outcome.events_checked
    check.problem_count = outcome.problem_count
    check.problems = [problem.as_dict() for problem in outcome.problems]
    check.checkpoints = outcome.checkpoints
    check.save(update_fields=["finished_at", "events_checked", "problem_count", "problems", "checkpoints"])
    result.notes.append(
        f"{outcome.problem_count} problems in {outcome.events_checked} history events "
        f"(audit check #{check.pk})"
    )
    if outcome.problems:
        first = outcome.problems[0]
        log.error(
            "Audit check #%s: history was changed outside the application",
            check.pk,
            extra={"audit_check": check.pk, "first_broken_link": first.as_dict()},
        )
        _report(check)


def _report(check: AuditCheck) -> None:
    recipients = staff_alert_recipients()
    if not recipients:
        log.error("Nobody to email about audit check #%s: set STAFF_ALERT_EMAILS", check.pk)
        return
    try:
        link = settings.SITE_URL.rstrip("/") + reverse("admin:audit_auditcheck_change", args=[check.pk])
    except NoReverseMatch:
        link = settings.SITE_URL.rstrip("/") + "/admin/"
    first = check.problems[0]
    lines = "\n".join(
        f"- {p['table']}: {p['kind']} at event {p['event_id'] or '-'}, "
        f"row {p['object_id'] or '-'}: {p['detail']}"
        for p in check.problems
    )
    body = (
        f"The audit check #{check.pk} found that recorded history no longer matches its hash chain or "
        f"the live rows: someone changed the database outside the application.\n\n"
        f"First broken link: {first['table']}, event {first['event_id'] or '-'}, row "
        f"{first['object_id'] or '-'} ({first['kind']}): {first['detail']}\n\n{lines}\n\n"
        f"Details: {link}\nDo not repair the rows by hand: keep the database as it is and investigate "
        f"who had direct access.\n"
    )
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}Audit: history changed outside the application"
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        log.exception("Could not email audit check #%s; it is in the admin", check.pk)
