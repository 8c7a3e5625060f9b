"""The one beat schedule (R-JOB-1). Every entry runs a job from the registry by name.

Jobs are sweeps over indexed deadline columns, idempotent and safe to overlap, so a
frequent schedule costs little: a run with nothing due is one indexed query. Deadlines are
days long; a minute's delay is invisible to a buyer, an hour's is not, hence the intervals.

``config/celery.py`` installs ``beat_schedule()`` on the Celery app. ``JOB_INTERVAL_SECONDS``
(settings, from the environment) replaces every interval with one short one; the
integration tests use it to watch beat work in seconds.
"""

from __future__ import annotations

from celery.schedules import crontab

RUN_JOB = "marketplace.tasks.run_job_task"


def _every(seconds: int, job: str) -> dict:
    return {
        "task": RUN_JOB,
        "schedule": seconds,
        "args": (job,),
        # A copy still queued when the next one is due is dropped: the next tick runs the job anyway.
        "options": {"expires": seconds},
    }


SCHEDULE: dict[str, dict] = {
    # Disputes open ESCALATION_AFTER_DAYS without agreement go to arbitration (R-DSP-6).
    "escalate-disputes": _every(60, "escalate_disputes"),
    # Returns not shipped by the ship-by date: close, escrow to the seller (R-RET-1).
    "close-unshipped-returns": _every(60, "close_unshipped_returns"),
    # Returns the seller neither confirmed nor disputed in time: refund the buyer (R-RET-2).
    "refund-unconfirmed-returns": _every(60, "refund_unconfirmed_returns"),
    # "Ship your return by …" reminders, RETURN_REMINDER_DAYS ahead; hourly is precise enough (R-RET-1).
    "remind-returns-due": _every(3600, "remind_returns_due"),
    # Refunds past their due date: flag and open a complaint for the buyer (R-REF-4).
    "flag-overdue-refunds": _every(600, "flag_overdue_refunds"),
    # Arbitration cases past ARBITER_DECISION_DAYS are marked overdue in the queue (R-ARB-4).
    "flag-overdue-cases": _every(600, "flag_overdue_cases"),
    # Orders whose dispute deadline passed: auto-confirm and pay the seller (R-PRT-3, R-ESC-4).
    "release-escrow": _every(60, "release_escrow"),
    # Protection deadlines reached with an unanswered extension request: extend once (R-PRT-4).
    "auto-extend-protection": _every(60, "auto_extend_protection"),
    # "Your protection ends in 3 days" (R-PRT-5); hourly is precise enough for a days-long notice.
    "remind-protection-ending": _every(3600, "remind_protection_ending"),
    # Backstop: pending refunds whose on-commit send task was lost (R-REF-3).
    "dispatch-refunds": _every(120, "dispatch_refunds"),
    # Asks the payment gateway how sent payouts ended and records paid/failed (R-REF-2).
    "sync-payouts": _every(60, "sync_payouts"),
    # Webhook deliveries due: retries after backoff, and first attempts whose task was lost (R-API-5).
    "send-webhooks": _every(30, "send_webhooks"),
    # Backstop of the email outbox: notifications whose on-commit task was lost (R-NTF-1).
    "send-notifications": _every(300, "send_notifications"),
    # Backstop of the evidence renditions: uploads whose on-commit task was lost (R-EVD-4).
    "process-evidence": _every(120, "process_evidence"),
    # Idempotency-Key answers past IDEMPOTENCY_KEY_HOURS: the table stays the size of a few days (R-API-3).
    "purge-idempotency-keys": _every(3600, "purge_idempotency_keys"),
    # Daily money check at a quiet hour; discrepancies go to staff by email and to the admin (R-JOB-4).
    "reconcile-ledger": {
        "task": RUN_JOB,
        "schedule": crontab(hour=3, minute=17),
        "args": ("reconcile_ledger",),
    },
    # Tamper evidence: recompute the row history's hash chains, report the first broken link (R-OPS-2).
    # Reads every event once; four times a day bounds how long a rewrite of history goes unseen.
    "verify-audit": _every(6 * 3600, "verify_audit"),
}


def beat_schedule(interval_seconds: int = 0) -> dict[str, dict]:
    """The schedule, with every interval entry at ``interval_seconds`` when it is set (tests)."""
    if not interval_seconds:
        return SCHEDULE
    return {
        name: _every(interval_seconds, entry["args"][0]) if isinstance(entry["schedule"], int) else entry
        for name, entry in SCHEDULE.items()
    }
