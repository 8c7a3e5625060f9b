"""Scheduled jobs: sweeps over indexed deadline columns, shared by many workers (R-JOB-1, R-JOB-2).

Two ways to sweep, both safe with any number of workers and overlapping runs of the same job:

* ``sweep_batches`` — the high-volume deadline sweeps. One statement claims a batch of due rows
  and makes their transition (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)
  RETURNING …``, see ``claim``); the batch's other effects (audit rows, ledger rows,
  notifications, events) are one bulk insert each, in the same transaction. Rows another worker
  holds are skipped, not waited for, so workers share a sweep. If a batch fails, its rows are
  moved one at a time through the same effects (a batch of one), so one bad row never blocks the
  rest; it is logged, counted and left for the next run.
* ``sweep`` — the low-volume sweeps (reminders, backstops): each row locked with ``SKIP LOCKED``
  and moved in its own transaction by the service a person uses, which re-checks it under its lock.

There is no job-level lock: a second run of a job, in another worker or another beat, simply
claims other rows. Nothing outlives a transaction (no session advisory lock, no session ``SET``,
no server-side cursor), so the sweeps work behind PgBouncer in transaction pooling mode.

Each app registers its jobs in its ``jobs.py`` with ``@job``; ``manage.py run_job`` and the
Celery task ``run_job_task`` run them by name (R-JOB-3). A job that names its due rows
(``due=``, ``lag_field=``) reports its **sweep lag**, the age of its oldest due item (``sweep_lag``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django_fsm import FSMFieldMixin

from marketplace.errors import DomainError
from marketplace.notifications import notifications_in_batches

log = logging.getLogger("jobs")

_Row = TypeVar("_Row", bound=models.Model)

# How many moved ids a result keeps, to print with ``run_job -v 2``.
KEEP_MOVED_IDS = 1000


@dataclass
class JobResult:
    name: str
    moved: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    stopped_reason: str = ""
    moved_ids: list[int] = field(default_factory=list)
    failed_ids: set[int] = field(default_factory=set)

    def record_moved(self, pk: int) -> None:
        self.moved += 1
        if len(self.moved_ids) < KEEP_MOVED_IDS:
            self.moved_ids.append(pk)

    def summary(self) -> str:
        text = (
            f"{self.name}: moved {self.moved}, skipped {self.skipped}, failed {self.failed} "
            f"in {self.seconds:.2f}s"
        )
        if self.stopped_reason:
            text += f"; stopped early: {self.stopped_reason}"
        return "; ".join([text, *self.notes])


Due = Callable[[], QuerySet]


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[[JobResult, int], None]
    # See ``_async_commit``: only for jobs whose every item is safe to redo after a database crash.
    async_commit: bool = False
    # The rows due now and the column whose age is the job's lag (R-OPS-3); None: not a deadline sweep.
    due: Due | None = None
    lag_field: str | None = None


REGISTRY: dict[str, Job] = {}


def job(
    name: str,
    description: str,
    *,
    async_commit: bool = False,
    due: Due | None = None,
    lag_field: str | None = None,
):
    """Register ``func(result, batch_size)`` as the job ``name``."""

    def register(func: Callable[[JobResult, int], None]) -> Callable[[JobResult, int], None]:
        if name in REGISTRY:
            raise ValueError(f"Job {name!r} is registered twice")
        REGISTRY[name] = Job(name, description, func, async_commit, due, lag_field)
        return func

    return register


def all_jobs() -> dict[str, Job]:
    # Jobs are registered when their module is imported; import every app's jobs module.
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
    return dict(sorted(REGISTRY.items()))


def sweep_lag(now: datetime | None = None) -> dict[str, float | None]:
    """Per job, the age in seconds of its oldest due item: 0 when nothing is due, None for jobs
    that are not deadline sweeps. What an operator watches to see the scheduler keep up."""
    now = now or timezone.now()
    lags: dict[str, float | None] = {}
    for name, entry in all_jobs().items():
        if entry.due is None or entry.lag_field is None:
            lags[name] = None
            continue
        oldest = entry.due().aggregate(oldest=Min(entry.lag_field))["oldest"]
        lags[name] = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return lags


def backlog(name: str, *, cap: int) -> int:
    """How many items the job has due now, counted up to ``cap``."""
    entry = all_jobs()[name]
    if entry.due is None:
        return 0
    return entry.due().order_by().values("pk")[:cap].count()


# --- Running a job -----------------------------------------------------------------------


def run_job(name: str, *, batch_size: int | None = None) -> JobResult:
    """Run the job ``name`` now (beside any other run of it); log and return what it did."""
    jobs = all_jobs()
    if name not in jobs:
        raise KeyError(f"Unknown job {name!r}. Known jobs: {', '.join(jobs)}")
    chosen = jobs[name]
    result = JobResult(name=name)
    started = time.monotonic()
    try:
        chosen.run(result, batch_size or settings.JOB_BATCH_SIZE)
    except BaseException as exc:
        # What moved before the interruption stays moved; the log says how far it got.
        result.stopped_reason = f"interrupted by {type(exc).__name__}; the next run continues"
        raise
    finally:
        result.seconds = time.monotonic() - started
        log.log(logging.WARNING if result.failed or result.stopped_reason else logging.INFO, result.summary())
    return result


def async_commit_enabled(name: str) -> bool:
    return REGISTRY[name].async_commit and settings.JOB_ASYNC_COMMIT and connection.vendor == "postgresql"


def set_local_async_commit() -> None:
    """``SET LOCAL synchronous_commit = off`` for this transaction only (PostgreSQL).

    Why it is safe for the deadline sweeps: a commit then returns before its WAL record is
    flushed, so if the *database server* crashes, the last fraction of a second of committed
    items can be lost — each one whole (atomicity is kept, nothing is half-moved, nothing is
    corrupted), and WAL is flushed in order, so no later synchronous commit (a person's
    action) can survive one of ours that was lost. A lost item is simply still due: the
    next run moves it again, with the same idempotency keys (ledger entries, refunds and
    gateway payouts are unique per cause), so no money moves twice. What can escape a lost
    commit is a notification email queued after it, so after a database crash a party may
    receive one duplicate email. Jobs that call the payment gateway do not opt in. ``LOCAL``
    ends with the transaction, so nothing leaks to the next user of a pooled connection.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


# --- Sweeping ----------------------------------------------------------------------------


def _time_budget() -> float:
    """Stop taking new items well before Celery's soft time limit; the next run continues."""
    seconds = settings.JOB_TIME_BUDGET_SECONDS or int(settings.CELERY_TASK_SOFT_TIME_LIMIT * 0.8)
    return time.monotonic() + seconds


def sweep(
    result: JobResult,
    due: Callable[[], models.QuerySet[_Row]],
    move: Callable[[_Row], bool],
    *,
    batch_size: int,
    lock: bool = True,
    full_row: bool = False,
) -> None:
    """Move every row of ``due()`` through ``move(row) -> bool`` (True when it moved).

    Candidates are read in primary-key order, ``batch_size`` at a time, without locks; each
    is then locked alone (``lock=True``) and skipped if another worker holds it, and moved in
    its own transaction by ``move`` — a service, which locks the row again and re-checks
    that it is still due (someone may have moved it since the candidates were read). With
    ``lock=False`` ``move`` locks rows itself (e.g. a service that must lock another row first).

    ``move`` gets the row with only its primary key and state loaded (the services look the
    rest up under their own lock); ``full_row=True`` loads every column for a ``move`` that
    reads them before locking.

    A row that fails is logged and counted and left for the next run; a lost database
    connection or Celery's soft time limit ends the run (the rest stays due). Notification
    emails of the moved rows are queued once per batch.
    """
    model = due().model
    lock_row = _RowLock(model, full_row=full_row) if lock else None
    budget = _time_budget()
    last_pk = 0
    with notifications_in_batches() as mail:
        while True:
            candidates = list(
                due().filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not candidates:
                return
            last_pk = candidates[-1]
            for pk in candidates:
                _move_one(result, due, move, pk, lock_row)
                if time.monotonic() > budget:
                    result.stopped_reason = "time budget used up; the next run continues"
                    return
            mail.flush()
            if len(candidates) < batch_size:
                return


class _RowLock(Generic[_Row]):
    """``SELECT … FOR UPDATE SKIP LOCKED`` of one row by primary key, with as little work as possible.

    It runs once per item of sweeps over hundreds of thousands of rows, so on PostgreSQL it is
    one statement built once, loading only the primary key and the state fields (what a model
    with ``ConcurrentTransitionMixin`` reads when it is instantiated); the rest is deferred.
    """

    def __init__(self, model: type[_Row], *, full_row: bool) -> None:
        self.model = model
        self.full_row = full_row
        fields = [model._meta.pk] + [f for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin)]
        self.field_names = [f.name for f in fields]
        self.attnames = [f.attname for f in fields]
        self.sql = None
        if connection.vendor == "postgresql" and not full_row:
            quote = connection.ops.quote_name
            columns = [quote(f.column) for f in fields if f.column]  # the primary key's first
            self.sql = (
                f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} "
                f"WHERE {columns[0]} = %s FOR UPDATE SKIP LOCKED"
            )

    def __call__(self, pk: int) -> _Row | None:
        if self.sql is None:
            rows = self.model._default_manager.filter(pk=pk).select_for_update(skip_locked=True, of=("self",))
            return (rows if self.full_row else rows.only(*self.field_names)).first()
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            values = cursor.fetchone()
        if values is None:
            return None  # gone, or locked by another worker right now
        return self.model.from_db(connection.alias, self.attnames, values)


def _move_one(result: JobResult, due, move, pk: int, lock_row: _RowLock | None) -> None:
    fast = async_commit_enabled(result.name)
    try:
        with transaction.atomic():
            if fast:
                set_local_async_commit()
            row = lock_row(pk) if lock_row is not None else due().filter(pk=pk).first()
            moved = row is not None and move(row)
    except DomainError as exc:
        result.skipped += 1
        log.info("%s: #%s not moved: %s", result.name, pk, exc.message_text)
    except SoftTimeLimitExceeded:
        raise
    except (OperationalError, InterfaceError):
        if not connection.is_usable():
            raise  # the database went away: end the run; the task is retried with backoff
        result.failed += 1  # e.g. a deadlock or serialization failure: this row, next run
        log.exception("%s: #%s failed; the next run retries it", result.name, pk)
    except Exception:
        result.failed += 1
        log.exception("%s: #%s failed; the next run retries it", result.name, pk)
    else:
        if moved:
            result.record_moved(pk)
        else:
            result.skipped += 1  # no longer due, or locked by another worker


# --- Set-based batches (the claims themselves: marketplace.batches.claim) -------------------------


@dataclass(frozen=True)
class BatchTransition:
    """A deadline sweep's transition, set-based: claim due rows and write their effects in bulk.

    ``due()`` is the one definition of the rows due now; ``move(rows, limit) -> list[int]`` claims
    up to ``limit`` of ``rows`` (a narrowing of ``due()``, see ``claim``) and writes the effects of
    their transition, inside the caller's transaction, returning the ids it moved. The sweep calls
    it for a batch, and for one row (``due().filter(pk=…)``) when a batch fails.
    """

    due: Due
    move: Callable[[QuerySet, int], list[int]]


def sweep_batches(result: JobResult, transition: BatchTransition, *, batch_size: int) -> None:
    """Claim and move batches until nothing is due (or the time budget ends the run).

    Each batch is one transaction. If it fails, nothing of it stays and the rows are moved one at a
    time, each in its own transaction: the good ones move, a bad one is logged, counted as failed
    and left due for the next run (this run does not try it again).
    """
    budget = _time_budget()
    with notifications_in_batches() as mail:
        while True:
            try:
                with _batch_transaction(result):
                    moved = transition.move(transition.due().exclude(pk__in=result.failed_ids), batch_size)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                if _database_gone(exc):
                    raise  # end the run; the task is retried with backoff
                log.exception("%s: a batch failed; moving its rows one at a time", result.name)
                moved, tried = _one_at_a_time(result, transition, batch_size)
                done = tried < batch_size
            else:
                for pk in moved:
                    result.record_moved(pk)
                done = len(moved) < batch_size
            mail.flush()
            if done:
                return
            if time.monotonic() > budget:
                result.stopped_reason = "time budget used up; the next run continues"
                return


def _database_gone(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) and not connection.is_usable()


@contextmanager
def _batch_transaction(result: JobResult) -> Iterator[None]:
    with transaction.atomic():
        if async_commit_enabled(result.name):
            set_local_async_commit()
        yield


def _one_at_a_time(result: JobResult, transition: BatchTransition, batch_size: int) -> tuple[list[int], int]:
    """The fall-back after a failed batch: each due row in its own transaction. Returns the ids
    moved and how many rows were tried."""
    candidates = list(
        transition.due()
        .exclude(pk__in=result.failed_ids)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    moved: list[int] = []
    for pk in candidates:
        try:
            with _batch_transaction(result):
                ids = transition.move(transition.due().filter(pk=pk), 1)
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:
            if _database_gone(exc):
                raise
            result.failed += 1
            result.failed_ids.add(pk)
            log.exception("%s: #%s failed; the next run retries it", result.name, pk)
            continue
        if ids:
            result.record_moved(pk)
            moved += ids
        else:
            result.skipped += 1  # moved or locked by someone else meanwhile
    return moved, len(candidates)
