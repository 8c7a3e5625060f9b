"""Arbitration's scheduled jobs (R-JOB-1): sweeps over the disputes' deadline column.

Each moves a case through the same service a person would use; see marketplace.scheduling.
"""

from __future__ import annotations

from arbitration import selectors, services
from marketplace.actors import scheduler_user
from marketplace.scheduling import BatchTransition, JobResult, job, sweep, sweep_batches
from marketplace.selectors import refunds_overdue


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
    sweep(
        result,
        selectors.disputes_return_not_shipped,
        lambda dispute: services.return_close_not_shipped(dispute=dispute, actor=actor),
        batch_size=batch_size,
    )


@job(
    "refund_unconfirmed_returns",
    "Refund buyers whose return the seller did not confirm in time (R-RET-2)",
    async_commit=True,
    due=selectors.disputes_return_not_confirmed,
    lag_field="deadline_at",
)
def refund_unconfirmed_returns(result: JobResult, batch_size: int) -> None:
    actor = scheduler_user()
    sweep(
        result,
        selectors.disputes_return_not_confirmed,
        lambda dispute: services.return_refund_unconfirmed(dispute=dispute, actor=actor),
        batch_size=batch_size,
    )


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
    actor = scheduler_user()
    sweep(
        result,
        refunds_overdue,
        lambda refund: services.refund_overdue_open_complaint(refund=refund, actor=actor),
        batch_size=batch_size,
        # No row lock here: the service locks the dispute before the refund, as every dispute
        # service does. Locking the refund first would deadlock with a buyer filing a complaint
        # (dispute lock, then the complaint's foreign key share-locks the refund).
        lock=False,
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
