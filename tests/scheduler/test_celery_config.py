"""The Celery app and the one beat schedule (R-JOB-1): every job scheduled, tasks safe to redeliver."""

from __future__ import annotations

from celery.schedules import crontab

from config.celery import app
from config.schedule import SCHEDULE, beat_schedule
from marketplace.scheduling import all_jobs


def test_beat_runs_every_registered_job_and_nothing_else(db):
    """R-JOB-1: the schedule installed on the app names each job once, through the one job task."""
    scheduled = [entry["args"][0] for entry in app.conf.beat_schedule.values()]
    assert sorted(scheduled) == sorted(all_jobs())
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} == {"marketplace.tasks.run_job_task"}
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every tasks.py
    assert "marketplace.tasks.run_job_task" in app.tasks


def test_deadline_sweeps_run_at_least_every_ten_minutes_and_reminders_hourly():
    """R-JOB-1: a deadline measured in days is acted on within minutes of passing."""
    every = {entry["args"][0]: entry["schedule"] for entry in SCHEDULE.values()}
    for job in (
        "escalate_disputes",
        "close_unshipped_returns",
        "refund_unconfirmed_returns",
        "release_escrow",
        "auto_extend_protection",
    ):
        assert every[job] <= 60, job
    for job in ("flag_overdue_refunds", "flag_overdue_cases"):
        assert every[job] <= 600, job
    for job in ("remind_protection_ending", "remind_returns_due"):
        assert every[job] <= 3600, job
    assert every["reconcile_ledger"] == crontab(hour=3, minute=17)  # daily (R-JOB-4)


def test_a_queued_copy_expires_when_the_next_one_is_due():
    """A backlog after an outage runs each job once, not once per missed tick."""
    for name, entry in SCHEDULE.items():
        if isinstance(entry["schedule"], int):
            assert entry["options"]["expires"] == entry["schedule"], name


def test_the_interval_can_be_shortened_for_tests_without_touching_the_daily_check():
    fast = beat_schedule(2)
    assert {e["schedule"] for n, e in fast.items() if n != "reconcile-ledger"} == {2}
    assert fast["reconcile-ledger"] == SCHEDULE["reconcile-ledger"]
    assert beat_schedule(0) is SCHEDULE


def test_tasks_are_acknowledged_after_they_ran_and_redelivered_if_their_worker_dies():
    """A task whose worker is killed runs again (every task is idempotent), one task at a time each."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.broker_connection_retry_on_startup is True
