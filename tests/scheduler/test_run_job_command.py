"""``python manage.py run_job`` (R-JOB-3): lists the jobs, runs one by hand, says what it did."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from arbitration.models import Dispute
from marketplace.scheduling import all_jobs
from tests.arbitration.conftest import SECOND, open_dispute
from tests.marketplace.factories import at
from tests.support import fresh


def run_job_command(*args: str, **options) -> str:
    out = StringIO()
    call_command("run_job", *args, stdout=out, **options)
    return out.getvalue()


def test_without_a_name_it_lists_every_job_with_what_it_does(db):
    """R-JOB-3"""
    listing = run_job_command()

    lines = {line.split()[0]: line for line in listing.splitlines()[1:]}
    assert list(lines) == sorted(all_jobs())
    for job in all_jobs().values():
        assert lines[job.name].endswith(job.description)
    assert "escalate_disputes" in listing and "R-DSP-6" in listing
    assert "reconcile_ledger" in listing and "R-JOB-4" in listing


def test_with_a_name_it_runs_the_job_now_and_prints_what_moved(people):
    """R-JOB-3, R-DSP-6"""
    first, second = open_dispute(people), open_dispute(people)
    later = open_dispute(people, when=first.opened_at + 2 * SECOND)
    with at(first.deadline_at + SECOND):
        printed = run_job_command("escalate_disputes", verbosity=2)

    assert printed.startswith("escalate_disputes: moved 2, skipped 0, failed 0 in ")
    assert f"Moved: #{first.pk}, #{second.pk}\n" in printed
    assert [fresh(d).state for d in (first, second, later)] == [Dispute.State.ESCALATED] * 2 + [
        Dispute.State.OPEN
    ]


def test_a_run_with_nothing_due_says_so(db):
    assert run_job_command("flag_overdue_cases").startswith(
        "flag_overdue_cases: moved 0, skipped 0, failed 0"
    )


def test_a_hand_run_beside_the_scheduler_moves_only_what_is_still_due(people):
    """R-JOB-2, R-JOB-3: a hand run after (or beside) the scheduler's run claims nothing twice."""
    dispute = open_dispute(people)
    with at(dispute.deadline_at + SECOND):
        first = run_job_command("escalate_disputes")
        again = run_job_command("escalate_disputes")

    assert first.startswith("escalate_disputes: moved 1,")
    assert again.startswith("escalate_disputes: moved 0,")
    assert fresh(dispute).state == Dispute.State.ESCALATED


def test_an_unknown_name_is_refused_with_a_hint(db):
    with pytest.raises(CommandError, match="Unknown job 'escalate'. Run without a name to list the jobs."):
        run_job_command("escalate")


def test_the_batch_size_can_be_set_for_a_hand_run(people):
    disputes = [open_dispute(people) for _ in range(3)]
    with at(disputes[-1].deadline_at + SECOND):
        printed = run_job_command("escalate_disputes", batch_size=1)
    assert printed.startswith("escalate_disputes: moved 3,")
    with pytest.raises(CommandError, match="at least 1"):
        run_job_command("escalate_disputes", batch_size=0)


def test_failed_items_make_the_command_fail_so_an_operator_notices(people, monkeypatch):
    from arbitration import services

    dispute = open_dispute(people)

    def broken(*, rows, limit, actor):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "disputes_escalate_overdue", broken)
    with at(dispute.deadline_at + SECOND), pytest.raises(CommandError, match="1 item"):
        run_job_command("escalate_disputes")
