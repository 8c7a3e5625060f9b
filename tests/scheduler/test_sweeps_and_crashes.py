"""Sweeps shared by many workers, in set-based batches, and crashes that lose nothing (R-JOB-2).

There is no job-level lock: two runs of a job (two workers, two beats, a hand run beside the
scheduler) claim different rows with ``FOR UPDATE SKIP LOCKED`` and each row moves once. A batch
is one transaction: a crash in it rolls it back whole and the next run moves it; a bad row makes
the batch fall back to one row at a time, so the others still move.
"""

from __future__ import annotations

import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection, transaction

from arbitration import services
from arbitration.models import Dispute
from arbitration.selectors import disputes_due_for_escalation
from marketplace.actors import scheduler_user
from marketplace.models import Notification, Refund
from marketplace.scheduling import run_job
from tests.arbitration.conftest import SECOND, open_dispute
from tests.marketplace.factories import at
from tests.scheduler.test_jobs import transitions
from tests.support import fresh

ESCALATE = "disputes_escalate_overdue"


def _due_disputes(people, n: int) -> list[Dispute]:
    return [open_dispute(people) for _ in range(n)]


def _told(dispute: Dispute) -> int:
    return Notification.objects.filter(event="dispute_escalated", context__dispute_id=dispute.pk).count()


def test_a_crash_mid_run_loses_nothing_and_the_next_run_finishes_the_work(people, monkeypatch, caplog):
    """R-JOB-2: the worker exits (SystemExit) in its second batch: the first batch stays moved,
    the second is rolled back whole; the next run escalates the rest; each once, each party told once."""
    disputes = _due_disputes(people, 5)
    real = services.disputes_escalate_overdue
    batches = []

    def escalate_then_die(*, rows, limit, actor):
        batches.append(limit)
        moved = real(rows=rows, limit=limit, actor=actor)
        if len(batches) == 2:
            raise SystemExit("worker killed")  # after writing, before the batch commits
        return moved

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, ESCALATE, escalate_then_die)
        with pytest.raises(SystemExit):
            run_job("escalate_disputes", batch_size=2)
        monkeypatch.undo()
        states_after_crash = [fresh(d).state for d in disputes]
        rerun = run_job("escalate_disputes")
        third = run_job("escalate_disputes")

    assert states_after_crash == [Dispute.State.ESCALATED] * 2 + [Dispute.State.OPEN] * 3
    assert "escalate_disputes: moved 2, skipped 0, failed 0" in caplog.text  # the log says how far it got
    assert "interrupted by SystemExit" in caplog.text
    assert (rerun.moved, rerun.failed) == (3, 0)
    assert third.moved == 0
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1] * 5
    assert [_told(d) for d in disputes] == [2] * 5


def test_a_poisoned_row_fails_alone_and_the_rest_of_its_batch_moves(people, monkeypatch):
    """R-JOB-2: the batch with a bad row fails, falls back to one row at a time: the others move,
    the bad one is counted as failed, not retried in this run, and moved by the next."""
    disputes = _due_disputes(people, 3)
    real = services.disputes_escalate_overdue
    poisoned = disputes[1].pk

    def failing_with_the_second(*, rows, limit, actor):
        if rows.filter(pk=poisoned).exists():
            raise RuntimeError("a bug in one case")
        return real(rows=rows, limit=limit, actor=actor)

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, ESCALATE, failing_with_the_second)
        failed = run_job("escalate_disputes")
        monkeypatch.undo()
        retried = run_job("escalate_disputes")

    assert (failed.moved, failed.failed) == (2, 1)
    assert (retried.moved, retried.failed) == (1, 0)
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1, 1, 1]
    assert [_told(d) for d in disputes] == [2, 2, 2]


def test_celerys_soft_time_limit_ends_the_run_instead_of_counting_as_failed_items(people, monkeypatch):
    """R-JOB-2: the time limit must stop the job (the next run continues), not be swallowed."""
    disputes = _due_disputes(people, 2)

    def out_of_time(*, rows, limit, actor):
        raise SoftTimeLimitExceeded()

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, ESCALATE, out_of_time)
        with pytest.raises(SoftTimeLimitExceeded):
            run_job("escalate_disputes")
        monkeypatch.undo()
        assert run_job("escalate_disputes").moved == 2


def test_a_run_stops_at_its_time_budget_and_the_next_run_continues(people, monkeypatch):
    """R-JOB-2: a sweep never runs into Celery's time limit; it stops between batches."""
    disputes = _due_disputes(people, 3)
    monkeypatch.setattr("marketplace.scheduling._time_budget", lambda: 0.0)  # already used up

    with at(disputes[-1].deadline_at + SECOND):
        first = run_job("escalate_disputes", batch_size=1)
        monkeypatch.undo()
        rest = run_job("escalate_disputes")

    assert first.moved == 1 and "time budget" in first.summary()
    assert rest.moved == 2


def test_a_lost_database_connection_ends_the_run_so_the_task_is_retried(people, monkeypatch):
    """R-JOB-2: with the database gone every batch would fail; the run stops and raises instead
    (run_job_task retries it with backoff)."""
    disputes = _due_disputes(people, 2)

    def connection_lost(*, rows, limit, actor):
        raise OperationalError("server closed the connection unexpectedly")

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, ESCALATE, connection_lost)
        monkeypatch.setattr(connection, "is_usable", lambda: False)
        with pytest.raises(OperationalError):
            run_job("escalate_disputes")


def test_the_job_task_retries_with_backoff_on_transient_database_errors():
    """Thin Celery tasks retry transient errors with backoff (STYLE §5)."""
    from marketplace.tasks import refund_send_task, run_job_task, send_notifications

    assert OperationalError in run_job_task.autoretry_for and run_job_task.retry_backoff
    assert OperationalError in refund_send_task.autoretry_for and refund_send_task.retry_backoff
    assert send_notifications.max_retries == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_commit_asynchronously_with_set_local_and_leave_the_connection_as_they_found_it(
    people, monkeypatch
):
    """R-JOB-2: synchronous_commit is off only inside a sweep's batch transaction (SET LOCAL, so
    nothing leaks to the next user of a pooled connection; see set_local_async_commit)."""
    [dispute] = _due_disputes(people, 1)
    real = services.disputes_escalate_overdue
    seen = []

    def escalate_and_look(*, rows, limit, actor):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return real(rows=rows, limit=limit, actor=actor)

    monkeypatch.setattr(services, ESCALATE, escalate_and_look)
    with at(dispute.deadline_at + SECOND):
        assert run_job("escalate_disputes").moved == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        after = cursor.fetchone()[0]

    assert (seen, after) == (["off"], "on")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_holds_a_batch_moves_the_other_rows(people):
    """R-JOB-2: no job lock turns the second run away; it claims the rows the first one doesn't
    hold (SKIP LOCKED) and neither waits for the other."""
    disputes = _due_disputes(people, 4)
    holding, release = threading.Event(), threading.Event()
    real = services.disputes_escalate_overdue
    outcome = {}

    def slow_first_batch(*, rows, limit, actor):
        moved = real(rows=rows, limit=limit, actor=actor)
        if threading.current_thread().name == "first":
            holding.set()
            release.wait(30)  # mid-batch, its rows locked, while the second run starts
        return moved

    def first_worker():
        try:
            outcome["first"] = run_job("escalate_disputes", batch_size=2)
        finally:
            connection.close()

    with at(disputes[-1].deadline_at + SECOND), pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, ESCALATE, slow_first_batch)
        thread = threading.Thread(target=first_worker, name="first")
        thread.start()
        assert holding.wait(30)
        second = run_job("escalate_disputes", batch_size=2)
        release.set()
        thread.join(60)

    assert second.moved == 2  # not blocked, not turned away
    assert outcome["first"].moved == 2
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1, 1, 1, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_the_batch_whole_for_the_next_run(people):
    """R-JOB-2: a worker claims a batch and dies before committing (its connection is cut): the
    server rolls the batch back and frees its rows at once; the next run moves the batch whole."""
    disputes = _due_disputes(people, 3)
    claimed, died = threading.Event(), threading.Event()
    outcome: list[int] = []
    with at(disputes[-1].deadline_at + SECOND):

        def worker_that_dies():
            try:
                with transaction.atomic():
                    moved = services.disputes_escalate_overdue(
                        rows=disputes_due_for_escalation(), limit=3, actor=scheduler_user()
                    )
                    claimed.set()
                    outcome.append(len(moved))
                    died.wait(30)
                    connection.close()  # the process is gone: no COMMIT
            except Exception:
                pass  # leaving the block on a closed connection: nothing to roll back here
            finally:
                connection.close()

        thread = threading.Thread(target=worker_that_dies)
        thread.start()
        assert claimed.wait(30) and outcome == [3]
        assert [fresh(d).state for d in disputes] == [Dispute.State.OPEN] * 3  # not committed
        died.set()
        thread.join(30)
        result = run_job("escalate_disputes")

    assert result.moved == 3
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1, 1, 1]
    assert [_told(d) for d in disputes] == [2, 2, 2]


def _refunds_of(dispute: Dispute) -> int:
    return Refund.objects.filter(order_id=dispute.order_id).count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_seller_accepting_while_the_sweep_holds_the_batch_waits_and_acts_on_the_escalated_dispute(people):
    """R-JOB-2, R-DSP-6: the sweep claims the dispute first; the seller's accept waits for the
    batch's row lock, then sees the escalated dispute (the seller may still accept under review):
    one escalation, one acceptance, one refund — nothing lost, nothing twice."""
    [dispute] = _due_disputes(people, 1)
    holding, release = threading.Event(), threading.Event()
    real = services.disputes_escalate_overdue
    accepted: dict[str, object] = {}

    def holding_batch(*, rows, limit, actor):
        moved = real(rows=rows, limit=limit, actor=actor)
        holding.set()
        release.wait(30)
        return moved

    def seller():
        try:
            accepted["dispute"] = services.dispute_seller_accept(dispute=dispute, actor=people.seller)
        except Exception as error:  # recorded for the assertion below
            accepted["error"] = error
        finally:
            connection.close()

    with at(dispute.deadline_at + SECOND), pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, ESCALATE, holding_batch)
        sweep = threading.Thread(target=lambda: (run_job("escalate_disputes"), connection.close()))
        sweep.start()
        assert holding.wait(30)
        person = threading.Thread(target=seller)
        person.start()
        person.join(1)
        assert person.is_alive()  # waiting for the batch's lock, not acting on a stale row
        release.set()
        sweep.join(60)
        person.join(60)

    assert "error" not in accepted, accepted
    assert transitions(dispute, "escalate_overdue") == 1
    assert transitions(dispute, "accept_claim") == 1
    assert fresh(dispute).state == Dispute.State.CLOSED
    assert _refunds_of(dispute) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_running_while_the_seller_accepts_skips_the_dispute_and_never_escalates_it(people):
    """R-JOB-2, R-DSP-6: the seller holds the dispute's lock first; the sweep skips it (SKIP
    LOCKED) instead of waiting, the seller's acceptance commits, and the next run finds nothing
    due: one acceptance, no escalation, one refund."""
    [dispute] = _due_disputes(people, 1)
    holding, release = threading.Event(), threading.Event()

    def seller():
        try:
            with transaction.atomic():
                services.dispute_seller_accept(dispute=dispute, actor=people.seller)
                holding.set()
                release.wait(30)  # the acceptance is made, its row lock held, not yet committed
        finally:
            connection.close()

    with at(dispute.deadline_at + SECOND):
        person = threading.Thread(target=seller)
        person.start()
        assert holding.wait(30)
        during = run_job("escalate_disputes")
        release.set()
        person.join(60)
        after = run_job("escalate_disputes")

    assert (during.moved, during.failed) == (0, 0)
    assert (after.moved, after.failed) == (0, 0)
    assert transitions(dispute, "escalate_overdue") == 0
    assert transitions(dispute, "accept_claim") == 1
    assert fresh(dispute).state == Dispute.State.CLOSED
    assert _refunds_of(dispute) == 1
