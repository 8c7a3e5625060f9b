"""Rendering and sending one notification email (R-NTF-1).

Templates live in ``templates/emails/<event>.subject.txt``, ``<event>.txt`` and
``<event>.html``; they are rendered in the recipient's language with the context ``notify()``
stored, plus the recipient, the links to the order and dispute pages, and the time zone.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime
from decimal import Decimal, InvalidOperation
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from marketplace.models import Notification

log = logging.getLogger(__name__)

# Context keys that carry a moment as an ISO string (JSON has no datetime); templates get
# them back as aware datetimes so ``|date`` formats them in the recipient's language.
DATE_KEYS = (
    "deadline",
    "protection_deadline",
    "escalation_at",
    "decision_due",
    "ship_by",
    "confirm_by",
    "due_at",
    "dispute_deadline",
    "pending_since",
    "asked_at",
)
# Amounts travel as strings (exact); templates get Decimals, shown in the recipient's number format.
MONEY_KEYS = ("amount", "refund_amount", "offer_amount", "penalty_amount", "released_amount")

# Errors worth another attempt: the mail server or the network, not our templates.
TRANSIENT_SEND_ERRORS = (SMTPException, OSError)


def template_context(notification: Notification) -> dict:
    """The stored context made ready for templates: dates, amounts, links, the recipient."""
    context = {**notification.context}
    for key in DATE_KEYS:
        value = context.get(key)
        if isinstance(value, str):
            with suppress(ValueError):  # otherwise shown as written
                context[key] = datetime.fromisoformat(value)
    for key in MONEY_KEYS:
        value = context.get(key)
        if isinstance(value, str):
            with suppress(InvalidOperation):
                context[key] = Decimal(value)
    order_url = _absolute("order-detail", context.get("order_id")) or settings.SITE_URL
    context.setdefault("order_url", order_url)
    if notification.event == "order_auto_confirmed":
        # What is still possible after protection ended (R-SAF-1): a link straight to it.
        context.setdefault("safety_report_url", _absolute("safety-report-create", context.get("order_id")))
    if context.get("dispute_id"):
        context.setdefault("dispute_url", _absolute("dispute-detail", context["dispute_id"]) or order_url)
    recipient = notification.recipient
    context.update(
        recipient=recipient,
        recipient_name=recipient.first_name or recipient.username,
        site_url=settings.SITE_URL,
        event=notification.event,
        time_zone=timezone.get_current_timezone_name(),
    )
    return context


def _absolute(url_name: str, pk) -> str | None:
    """The page's full address, or None where the web pages don't have it."""
    try:
        path = reverse(url_name, args=[pk])
    except NoReverseMatch:
        return None
    return settings.SITE_URL.rstrip("/") + path


def render(notification: Notification) -> tuple[str, str, str]:
    """Subject, text and HTML bodies in the recipient's language."""
    context = template_context(notification)
    base = f"emails/{notification.event}"
    with translation.override(notification.recipient.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        text = _tidy(render_to_string(f"{base}.txt", context))
        html = render_to_string(f"{base}.html", context)
    return subject, text, html


def _tidy(text: str) -> str:
    """Plain text as a person would type it: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def deliver(notification_id: int) -> str:
    """Send a notification once; returns what happened.

    The row is locked (``SKIP LOCKED``) while the message is handed to the mail server and
    marked sent in the same transaction, so two workers never send it twice. A failed send
    is recorded (attempts, last error) and re-raised for a transient error, so the Celery
    task retries it with backoff; the outbox sweep stops after ten attempts.
    """
    error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return "already sent or being sent"
        if not notification.recipient.email:
            notification.sent_at = timezone.now()
            notification.last_error = "recipient has no email address"
            notification.save(update_fields=["sent_at", "last_error"])
            return "no address"
        notification.attempts += 1
        try:
            subject, text, html = render(notification)
            message = EmailMultiAlternatives(
                subject,
                text,
                to=[notification.recipient.email],
                headers={"Auto-Submitted": "auto-generated", "X-Notification-Event": notification.event},
            )
            message.attach_alternative(html, "text/html")
            message.send()
        except Exception as exc:
            notification.last_error = f"{type(exc).__name__}: {exc}"[:500]
            notification.save(update_fields=["attempts", "last_error"])
            log.warning("Notification %s (%s) not sent: %s", notification.pk, notification.event, exc)
            if isinstance(exc, TRANSIENT_SEND_ERRORS):
                error = exc
            else:
                return "failed"  # a bug (e.g. a template error): retried by the outbox sweep after a fix
        else:
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["sent_at", "attempts", "last_error"])
    if error is not None:
        raise error
    return "sent"
