"""Two copies of a job don't both work, and a crash loses nothing (R-JOB-2).

The job guard: while one run of a job holds it, a second run of the same job reports "not
run" and touches nothing (two beats, or a slow run overlapping the next tick). A crash
between items — the worker process exiting — leaves the moved items moved and the rest
due; the next run finishes them, and nothing is done twice.
"""

from __future__ import annotations

import threading
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection

from arbitration import services
from arbitration.models import Dispute
from marketplace.models import Notification
from marketplace.scheduling import _LOCK_CLASS, _job_lock, _lock_id, run_job
from tests.arbitration.conftest import SECOND, open_dispute
from tests.marketplace.factories import at, fresh
from tests.scheduler.test_jobs import transitions


def _guard_holders(job: str) -> int:
    """Sessions holding the job's PostgreSQL advisory lock (pg_locks shows the keys unsigned)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
            " AND classid::bigint = %s AND objid::bigint = %s",
            [_LOCK_CLASS & 0xFFFFFFFF, _lock_id(job) & 0xFFFFFFFF],
        )
        return cursor.fetchone()[0]


def _due_disputes(people, n: int) -> list[Dispute]:
    return [open_dispute(people) for _ in range(n)]


def test_a_second_run_while_the_first_holds_the_guard_is_not_run(people):
    """R-JOB-2: the guard on the shared cache (SQLite) or a PostgreSQL advisory lock."""
    [dispute] = _due_disputes(people, 1)
    with at(dispute.deadline_at + SECOND):
        with _job_lock("escalate_disputes", 60) as acquired:
            assert acquired
            blocked = run_job("escalate_disputes")
        after = run_job("escalate_disputes")

    assert not blocked.ran and "in progress" in blocked.summary()
    assert blocked.moved == 0
    assert after.ran and after.moved == 1
    assert transitions(dispute, "escalate_overdue") == 1


def test_the_guard_of_one_job_does_not_block_another_job(people):
    with _job_lock("release_escrow", 60) as acquired:
        assert acquired
        assert run_job("escalate_disputes").ran


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_in_another_worker_holding_the_guard_keeps_this_run_from_starting(people):
    """R-JOB-2: two workers (threads with their own database sessions) start the same job at once."""
    disputes = _due_disputes(people, 3)
    holding, release = threading.Event(), threading.Event()
    real_escalate = services.dispute_escalate_overdue

    def slow_escalate(*, dispute, actor):
        holding.set()
        release.wait(30)  # the first worker is mid-job while the second one starts
        return real_escalate(dispute=dispute, actor=actor)

    outcome = {}

    def first_worker():
        try:
            outcome["first"] = run_job("escalate_disputes")
        finally:
            connection.close()

    with at(disputes[-1].deadline_at + SECOND), pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "dispute_escalate_overdue", slow_escalate)
        thread = threading.Thread(target=first_worker)
        thread.start()
        assert holding.wait(30)
        second = run_job("escalate_disputes")
        release.set()
        thread.join(60)

    assert not second.ran and second.moved == 0
    assert outcome["first"].moved == 3
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1, 1, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_guard_of_a_worker_that_died_is_free_at_once(people):
    """R-JOB-2: a killed worker's guard does not block the next run until some timeout.

    The guard is a PostgreSQL session lock, so the server drops it with the dead worker's
    connection; here the "worker" takes the guard and its connection is cut without unlocking.
    """
    [dispute] = _due_disputes(people, 1)
    taken, seen = threading.Event(), threading.Event()
    abandoned = []  # kept referenced, so no clean-up code runs: only the closed connection frees it

    def worker_that_dies():
        lock = _job_lock("escalate_disputes", 60)
        abandoned.append(lock)
        assert lock.__enter__()  # and never __exit__: the process "dies" holding it
        taken.set()
        seen.wait(30)
        connection.close()

    thread = threading.Thread(target=worker_that_dies)
    thread.start()
    assert taken.wait(30)
    assert _guard_holders("escalate_disputes") == 1
    seen.set()
    thread.join(30)
    # The server ends the dead session's backend (and its locks) within moments, not a timeout.
    deadline = time.monotonic() + 10
    while _guard_holders("escalate_disputes") and time.monotonic() < deadline:
        time.sleep(0.05)

    with at(dispute.deadline_at + SECOND):
        result = run_job("escalate_disputes")

    assert result.ran and result.moved == 1


def test_a_crash_between_items_loses_nothing_and_the_next_run_finishes_the_work(people, monkeypatch, caplog):
    """R-JOB-2: the worker process exits (SystemExit) after moving two of five disputes; the
    next run escalates the other three; each dispute is escalated once and each party told once."""
    disputes = _due_disputes(people, 5)
    real_escalate = services.dispute_escalate_overdue
    calls = []

    def escalate_then_die(*, dispute, actor):
        calls.append(dispute.pk)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # before the third dispute's transaction commits
        return real_escalate(dispute=dispute, actor=actor)

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, "dispute_escalate_overdue", escalate_then_die)
        with pytest.raises(SystemExit):
            run_job("escalate_disputes")
        monkeypatch.undo()
        states_after_crash = [fresh(d).state for d in disputes]
        rerun = run_job("escalate_disputes")  # the guard went with the crashed run
        third = run_job("escalate_disputes")

    assert states_after_crash == [Dispute.State.ESCALATED] * 2 + [Dispute.State.OPEN] * 3
    assert "escalate_disputes: moved 2, skipped 0, failed 0" in caplog.text  # the log says how far it got
    assert "interrupted by SystemExit" in caplog.text
    assert (rerun.moved, rerun.failed) == (3, 0)
    assert third.moved == 0
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1] * 5
    for dispute in disputes:
        assert (
            Notification.objects.filter(event="dispute_escalated", context__dispute_id=dispute.pk).count()
            == 2
        )


def test_a_failing_item_does_not_stop_the_others_and_the_next_run_retries_it(people, monkeypatch):
    """R-JOB-2: one dispute's error is logged and counted; the rest move; the next run moves it."""
    disputes = _due_disputes(people, 3)
    real_escalate = services.dispute_escalate_overdue

    def failing_for_the_second(*, dispute, actor):
        if dispute.pk == disputes[1].pk:
            raise RuntimeError("a bug in one case")
        return real_escalate(dispute=dispute, actor=actor)

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, "dispute_escalate_overdue", failing_for_the_second)
        failed = run_job("escalate_disputes")
        monkeypatch.undo()
        retried = run_job("escalate_disputes")

    assert (failed.moved, failed.failed) == (2, 1)
    assert (retried.moved, retried.failed) == (1, 0)
    assert [transitions(d, "escalate_overdue") for d in disputes] == [1, 1, 1]


def test_celerys_soft_time_limit_ends_the_run_instead_of_counting_as_one_failed_item(people, monkeypatch):
    """R-JOB-2: the time limit must stop the job (the next run continues), not be swallowed."""
    disputes = _due_disputes(people, 2)

    def out_of_time(*, dispute, actor):
        raise SoftTimeLimitExceeded()

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, "dispute_escalate_overdue", out_of_time)
        with pytest.raises(SoftTimeLimitExceeded):
            run_job("escalate_disputes")
        monkeypatch.undo()
        assert run_job("escalate_disputes").moved == 2  # and the guard was released


def test_a_run_stops_at_its_time_budget_and_the_next_run_continues(people, monkeypatch):
    """R-JOB-2: a sweep never runs into Celery's time limit; it stops between items."""
    disputes = _due_disputes(people, 3)
    monkeypatch.setattr("marketplace.scheduling._time_budget", lambda: 0.0)  # already used up

    with at(disputes[-1].deadline_at + SECOND):
        first = run_job("escalate_disputes")
        monkeypatch.undo()
        rest = run_job("escalate_disputes")

    assert first.moved == 1 and "time budget" in first.summary()
    assert rest.moved == 2


def test_a_lost_database_connection_ends_the_run_so_the_task_is_retried(people, monkeypatch):
    """R-JOB-2: with the database gone every item would fail; the run stops and raises instead
    (run_job_task retries it with backoff)."""
    disputes = _due_disputes(people, 2)

    def connection_lost(*, dispute, actor):
        raise OperationalError("server closed the connection unexpectedly")

    with at(disputes[-1].deadline_at + SECOND):
        monkeypatch.setattr(services, "dispute_escalate_overdue", connection_lost)
        monkeypatch.setattr(connection, "is_usable", lambda: False)
        with pytest.raises(OperationalError):
            run_job("escalate_disputes")


def test_the_job_task_retries_with_backoff_on_transient_database_errors():
    """Thin Celery tasks retry transient errors with backoff (issue 5, STYLE §5)."""
    from marketplace.tasks import refund_send_task, run_job_task, send_notifications

    assert OperationalError in run_job_task.autoretry_for and run_job_task.retry_backoff
    assert OperationalError in refund_send_task.autoretry_for and refund_send_task.retry_backoff
    assert send_notifications.max_retries == 10


@pytest.mark.postgres
def test_deadline_sweeps_commit_asynchronously_and_leave_the_connection_as_they_found_it(people, monkeypatch):
    """R-JOB-2: synchronous_commit is off only while an idempotent sweep runs (see
    marketplace.scheduling._async_commit for why a lost commit is redone, never doubled)."""
    [dispute] = _due_disputes(people, 1)
    real_escalate = services.dispute_escalate_overdue
    seen = []

    def escalate_and_look(*, dispute, actor):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return real_escalate(dispute=dispute, actor=actor)

    monkeypatch.setattr(services, "dispute_escalate_overdue", escalate_and_look)
    with at(dispute.deadline_at + SECOND):
        assert run_job("escalate_disputes").moved == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        after = cursor.fetchone()[0]

    assert (seen, after) == (["off"], "on")
