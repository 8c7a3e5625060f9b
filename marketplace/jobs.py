"""The money core's scheduled jobs (R-JOB-1). Each is a sweep; see marketplace.scheduling."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from marketplace import services
from marketplace.actors import scheduler_user
from marketplace.mail import deliver
from marketplace.models import IdempotencyRecord, ReconciliationRun, Refund, User
from marketplace.scheduling import (
    BatchTransition,
    JobResult,
    _time_budget,
    job,
    sweep,
    sweep_batches,
)
from marketplace.selectors import (
    idempotency_keys_expired,
    notifications_unsent,
    orders_due_for_auto_extension,
    orders_due_for_protection_reminder,
    orders_due_for_release,
    payouts_to_sync,
    refunds_to_dispatch,
)
from marketplace.selectors.reconciliation import ledger_reconcile
from marketplace.webhooks.deliveries import deliveries_due, webhooks_send_due

log = logging.getLogger("jobs")


@job(
    "release_escrow",
    "Auto-confirm orders whose protection ended and pay sellers after the dispute deadline "
    "(R-PRT-3, R-ESC-4)",
    async_commit=True,
    due=orders_due_for_release,
    lag_field="dispute_deadline",
)
def release_escrow(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    transition = BatchTransition(
        due=orders_due_for_release,
        move=lambda rows, limit: services.orders_release(rows=rows, limit=limit, actor=actor),
    )
    sweep_batches(result, transition, batch_size=batch_size)


@job(
    "auto_extend_protection",
    "Extend protection when the deadline arrives with the buyer's request unanswered (R-PRT-4)",
    async_commit=True,
    due=orders_due_for_auto_extension,
    lag_field="protection_deadline",
)
def auto_extend_protection(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    transition = BatchTransition(
        due=orders_due_for_auto_extension,
        move=lambda rows, limit: services.orders_auto_extend(rows=rows, limit=limit, actor=actor),
    )
    sweep_batches(result, transition, batch_size=batch_size)


@job(
    "remind_protection_ending",
    "Remind buyers once, a few days before protection ends (R-PRT-5)",
    async_commit=True,
)
def remind_protection_ending(result: JobResult, batch_size: int) -> None:
    sweep(
        result,
        lambda: orders_due_for_protection_reminder(days=settings.PROTECTION_REMINDER_DAYS),
        lambda order: services.protection_remind(order=order),
        batch_size=batch_size,
    )


@job(
    "dispatch_refunds",
    "Send pending refunds whose on-commit task was lost (R-REF-3)",
    due=refunds_to_dispatch,
    lag_field="created_at",
)
def dispatch_refunds(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    sweep(
        result,
        refunds_to_dispatch,
        lambda refund: bool(services.refund_send(refund=refund, actor=actor)),
        batch_size=batch_size,
    )


@job(
    "sync_payouts",
    "Record how sent payouts ended at the payment gateway (R-REF-2)",
    due=payouts_to_sync,
    lag_field="sent_at",
)
def sync_payouts(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    due = payouts_to_sync

    def move(refund: Refund) -> bool:
        # Moved means: sent when locked, paid or failed now (another worker may have recorded it first).
        was_sent = refund.state == Refund.State.SENT
        return (
            was_sent
            and services.refund_sync_with_gateway(refund=refund, actor=actor).state != Refund.State.SENT
        )

    # The service reads the refund's payout reference before it locks: load the whole row.
    sweep(result, due, move, batch_size=batch_size, full_row=True)


@job(
    "send_notifications",
    "Send notification emails whose on-commit task was lost (R-NTF-1)",
    due=notifications_unsent,
    lag_field="created_at",
)
def send_notifications(result: JobResult, batch_size: int) -> None:
    due = notifications_unsent

    # deliver() locks, sends and records each one itself: a failed attempt must be written down,
    # not rolled back with the sweep's transaction.
    sweep(
        result,
        due,
        lambda notification: deliver(notification.pk) == "sent",
        batch_size=batch_size,
        lock=False,
    )


@job(
    "send_webhooks",
    "Send webhook deliveries that are due: retries after backoff, and first attempts whose "
    "task was lost (R-API-5)",
    due=deliveries_due,
    lag_field="next_attempt_at",
)
def send_webhooks(result: JobResult, batch_size: int) -> None:
    # Deliveries are claimed in batches (SKIP LOCKED) and POSTed concurrently outside any
    # transaction: see marketplace.webhooks.deliveries.
    budget = _time_budget()
    sent = webhooks_send_due(batch_size=batch_size, keep_going=lambda: time.monotonic() < budget)
    for pk in sent.delivered_ids:
        result.record_moved(pk)
    result.skipped += sent.retrying
    result.failed += sent.failed  # retried for WEBHOOK_RETRY_HOURS and still refused: worth a warning
    if sent.failed:
        result.notes.append(f"{sent.failed} deliveries failed for good; replay them from the admin")


@job(
    "purge_idempotency_keys",
    "Delete Idempotency-Key answers older than IDEMPOTENCY_KEY_HOURS (R-API-3)",
    due=idempotency_keys_expired,
)
def purge_idempotency_keys(result: JobResult, batch_size: int) -> None:
    # No lag_field: an expired key is housekeeping, not a deadline anybody waits on.
    def delete(rows, limit: int) -> list[int]:
        # SKIP LOCKED: a key whose request is running right now is left for the next run.
        claimed = list(
            rows.order_by().select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
        )
        IdempotencyRecord.objects.filter(pk__in=claimed).delete()
        return claimed

    sweep_batches(result, BatchTransition(due=idempotency_keys_expired, move=delete), batch_size=batch_size)


@job(
    "reconcile_ledger",
    "Check the money invariants over all orders and refunds against the gateway; report "
    "discrepancies to staff (R-JOB-4)",
)
def reconcile_ledger(result: JobResult, batch_size: int) -> None:
    """Read-only: records a ReconciliationRun (the admin shows it) and emails staff if anything is off."""
    run = ReconciliationRun.objects.create()
    outcome = ledger_reconcile(batch_size=max(batch_size, 1000))
    run.finished_at = timezone.now()
    run.orders_checked, run.refunds_checked = outcome.orders_checked, outcome.refunds_checked
    run.discrepancy_count = len(outcome.discrepancies)
    run.discrepancies = [d.as_dict() for d in outcome.discrepancies[:1000]]  # all are counted, 1000 kept
    run.save(
        update_fields=[
            "finished_at",
            "orders_checked",
            "refunds_checked",
            "discrepancy_count",
            "discrepancies",
        ]
    )
    result.notes.append(
        f"{run.discrepancy_count} discrepancies in {outcome.orders_checked} orders and "
        f"{outcome.refunds_checked} refunds (reconciliation run #{run.pk})"
    )
    if run.discrepancy_count:
        log.error("Ledger reconciliation run #%s found %s discrepancies", run.pk, run.discrepancy_count)
        _report_discrepancies(run, outcome.discrepancies)


def staff_alert_recipients() -> list[str]:
    """Who hears of money discrepancies: STAFF_ALERT_EMAILS, else active superusers and finance."""
    if settings.STAFF_ALERT_EMAILS:
        return list(settings.STAFF_ALERT_EMAILS)
    people = User.objects.filter(is_active=True, is_staff=True).filter(
        Q(is_superuser=True)
        | Q(
            user_permissions__codename="manage_payouts",
            user_permissions__content_type__app_label="marketplace",
        )
        | Q(
            groups__permissions__codename="manage_payouts",
            groups__permissions__content_type__app_label="marketplace",
        )
    )
    return sorted({email for email in people.exclude(email="").values_list("email", flat=True)})


def _report_discrepancies(run: ReconciliationRun, discrepancies: list) -> None:
    recipients = staff_alert_recipients()
    if not recipients:
        log.error("Nobody to email about reconciliation run #%s: set STAFF_ALERT_EMAILS", run.pk)
        return
    admin_url = settings.SITE_URL.rstrip("/") + _admin_path(run)
    lines = "\n".join(
        f"- {d.code}: order {d.order_id or '-'}, refund {d.refund_id or '-'}: {d.detail}"
        for d in discrepancies[:200]
    )
    more = f"\n… and {len(discrepancies) - 200} more in the admin." if len(discrepancies) > 200 else ""
    subject = f"Ledger reconciliation: {run.discrepancy_count} discrepancies need attention"
    body = (
        f"The daily money check (run #{run.pk}: {run.orders_checked} orders, {run.refunds_checked} "
        f"refunds) found {run.discrepancy_count} discrepancies between the ledger, the escrow balances "
        f"and the payment gateway's records. Nothing was changed automatically: look into each, and "
        f"correct money with a new ledger entry, never by editing one.\n\n"
        f"All details: {admin_url}\n\n{lines}{more}\n"
    )
    try:
        send_mail(f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body, None, recipients)
    except Exception:
        log.exception("Could not email reconciliation run #%s; it is in the admin", run.pk)


def _admin_path(run: ReconciliationRun) -> str:
    try:
        return reverse("admin:marketplace_reconciliationrun_change", args=[run.pk])
    except NoReverseMatch:
        return "/admin/"
