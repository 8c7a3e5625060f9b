"""Arbitration's scheduled jobs (R-JOB-1): sweeps over the disputes' deadline column.

Each moves its items through the same rule a person's action uses: the set-based function whose
batch of one is that action's service (``BatchTransition``), or the service itself (``sweep``);
see marketplace.scheduling.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connection

from arbitration import selectors, services
from arbitration.evidence import evidence_process, evidence_unprocessed
from marketplace.actors import scheduler_user
from marketplace.scheduling import (
    BatchTransition,
    JobResult,
    _time_budget,
    job,
    sweep,
    sweep_batches,
)
from marketplace.selectors import refunds_overdue

log = logging.getLogger("jobs")


@job(
    "escalate_disputes",
    "Escalate disputes still open ESCALATION_AFTER_DAYS after opening (R-DSP-6)",
    async_commit=True,
    due=selectors.disputes_due_for_escalation,
    lag_field="deadline_at",
)
def escalate_disputes(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    transition = BatchTransition(
        due=selectors.disputes_due_for_escalation,
        move=lambda rows, limit: services.disputes_escalate_overdue(rows=rows, limit=limit, actor=actor),
    )
    sweep_batches(result, transition, batch_size=batch_size)


@job(
    "close_unshipped_returns",
    "Close disputes whose return was not shipped in time: escrow to the seller (R-RET-1)",
    async_commit=True,
    due=selectors.disputes_return_not_shipped,
    lag_field="deadline_at",
)
def close_unshipped_returns(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    transition = BatchTransition(
        due=selectors.disputes_return_not_shipped,
        move=lambda rows, limit: services.disputes_close_unshipped_returns(
            rows=rows, limit=limit, actor=actor
        ),
    )
    sweep_batches(result, transition, batch_size=batch_size)


@job(
    "refund_unconfirmed_returns",
    "Refund buyers whose return the seller did not confirm in time (R-RET-2)",
    async_commit=True,
    due=selectors.disputes_return_not_confirmed,
    lag_field="deadline_at",
)
def refund_unconfirmed_returns(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    transition = BatchTransition(
        due=selectors.disputes_return_not_confirmed,
        move=lambda rows, limit: services.disputes_refund_unconfirmed_returns(
            rows=rows, limit=limit, actor=actor
        ),
    )
    sweep_batches(result, transition, batch_size=batch_size)


@job("remind_returns_due", "Remind buyers before the return's ship-by date (R-RET-1)", async_commit=True)
def remind_returns_due(result: JobResult, batch_size: int) -> None:
    sweep(
        result,
        selectors.disputes_due_for_return_reminder,
        lambda dispute: services.return_remind(dispute=dispute),
        batch_size=batch_size,
    )


@job(
    "flag_overdue_refunds",
    "Flag refunds not paid by their due date and open a complaint for the buyer (R-REF-4)",
    async_commit=True,
    due=refunds_overdue,
    lag_field="due_at",
)
def flag_overdue_refunds(result: JobResult, batch_size: int) -> None:
    """Set-based batches first: each locks its refunds' disputes with SKIP LOCKED before the
    refunds, as every dispute service locks (locking the refund first would deadlock with a buyer
    filing a complaint: dispute lock, then the complaint's foreign key share-locks the refund), so
    workers share the sweep. Then the refunds still overdue — their disputes were held by a person
    or another worker — one at a time through the single-refund service, which waits for the
    dispute: a buyer complaining at that moment does not make the flag wait for the next run."""
    actor = scheduler_user()
    transition = BatchTransition(
        due=refunds_overdue,
        move=lambda rows, limit: services.refunds_overdue_open_complaints(
            rows=rows, limit=limit, actor=actor
        ),
    )
    sweep_batches(result, transition, batch_size=batch_size)
    if result.stopped_reason:
        return  # the time budget is used up: the next run continues
    sweep(
        result,
        lambda: refunds_overdue().exclude(pk__in=result.failed_ids),
        lambda refund: services.refund_overdue_open_complaint(refund=refund, actor=actor),
        batch_size=batch_size,
        lock=False,  # the service locks the dispute, then the refund
    )


@job(
    "flag_overdue_cases",
    "Flag arbitration cases not decided ARBITER_DECISION_DAYS after escalation (R-ARB-4)",
    async_commit=True,
    due=selectors.disputes_decision_overdue,
    lag_field="deadline_at",
)
def flag_overdue_cases(result: JobResult, batch_size: int) -> None:
    transition = BatchTransition(
        due=selectors.disputes_decision_overdue,
        move=lambda rows, limit: services.disputes_flag_overdue(rows=rows, limit=limit),
    )
    sweep_batches(result, transition, batch_size=batch_size)


@job(
    "process_evidence",
    "Make the renditions of uploaded files whose after-commit task was lost or failed (R-EVD-4)",
    due=evidence_unprocessed,
    lag_field="created_at",
)
def process_evidence(result: JobResult, batch_size: int) -> None:
    """The backstop of ``evidence_process_task``: without it a file whose task message was lost
    stays "being prepared" for the other party for good.

    Each file is processed outside any transaction (decoding takes seconds; no lock or
    connection is held meanwhile) by the same ``evidence_process`` the task runs, which records
    the rendition only if nobody recorded one first, so a run beside the task or another run
    costs duplicate work at worst, never a second rendition.
    """
    budget = _time_budget()
    last_pk = 0
    while True:
        candidates = list(
            evidence_unprocessed()
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not candidates:
            return
        last_pk = candidates[-1]
        for pk in candidates:
            try:
                outcome = evidence_process(evidence_id=pk)
            except (OperationalError, InterfaceError):
                if not connection.is_usable():
                    raise  # the database went away: the task is retried with backoff
                result.failed += 1
                log.exception("process_evidence: #%s failed; the next run retries it", pk)
                continue
            except Exception:
                result.failed += 1  # e.g. the storage unreachable: the next run retries it
                log.exception("process_evidence: #%s failed; the next run retries it", pk)
                continue
            if outcome == "processed":
                result.record_moved(pk)
            elif outcome == "failed":
                result.failed += 1  # logged by evidence_process; staff see the original
            else:
                result.skipped += 1  # processed meanwhile by its task or another run, or gone
            if time.monotonic() > budget:
                result.stopped_reason = "time budget used up; the next run continues"
                return
        if len(candidates) < batch_size:
            return
