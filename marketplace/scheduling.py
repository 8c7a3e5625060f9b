"""Scheduled jobs: sweeps over indexed deadline columns, safe with many workers (R-JOB-1, R-JOB-2).

A job picks due rows in bounded batches (keyset pagination on the primary key). Each row
moves in its own transaction: it is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` (a row
another worker is moving is skipped, not waited for), then handed to the same service a
person would use, which locks it again and re-checks that it is still due. Two workers or
two beats running the same job at once therefore move each row once; a crash between rows
loses nothing, the next run finds the rest still due.

A job-level guard also keeps a second copy of a job from starting while one runs, so the
work is not even attempted twice. On PostgreSQL it is a session advisory lock: the server
drops it the moment the holder's connection dies, so a killed worker never blocks the next
run. Elsewhere (the SQLite demo) it is a key on the shared cache with an expiry.

Each app registers its jobs in its ``jobs.py`` with ``@job``; ``manage.py run_job`` and the
Celery task ``run_job_task`` run them by name (R-JOB-3).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, models, transaction
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
    not_run_reason: str = ""
    stopped_reason: str = ""
    moved_ids: list[int] = field(default_factory=list)

    @property
    def ran(self) -> bool:
        return not self.not_run_reason

    def record_moved(self, pk: int) -> None:
        self.moved += 1
        if len(self.moved_ids) < KEEP_MOVED_IDS:
            self.moved_ids.append(pk)

    def summary(self) -> str:
        if self.not_run_reason:
            return f"{self.name}: not run ({self.not_run_reason})"
        text = (
            f"{self.name}: moved {self.moved}, skipped {self.skipped}, failed {self.failed} "
            f"in {self.seconds:.2f}s"
        )
        if self.stopped_reason:
            text += f"; stopped early: {self.stopped_reason}"
        return "; ".join([text, *self.notes])


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[[JobResult, int], None]
    # See ``_async_commit``: only for jobs whose every item is safe to redo after a database crash.
    async_commit: bool = False

    @property
    def lock_id(self) -> int:
        return _lock_id(self.name)


REGISTRY: dict[str, Job] = {}


def _lock_id(name: str) -> int:
    # A stable signed 32-bit id for the PostgreSQL advisory lock (``job()`` refuses collisions).
    return zlib.crc32(name.encode()) - 2**31


# The advisory lock's first key: "JOBS", so the jobs' locks never collide with other users' ones.
_LOCK_CLASS = 0x4A4F4253 - 2**31


def job(
    name: str, description: str, *, async_commit: bool = False
) -> Callable[[Callable[[JobResult, int], None]], Callable[[JobResult, int], None]]:
    """Register ``func(result, batch_size)`` as the job ``name``."""

    def register(func: Callable[[JobResult, int], None]) -> Callable[[JobResult, int], None]:
        if name in REGISTRY:
            raise ValueError(f"Job {name!r} is registered twice")
        new = Job(name=name, description=description, run=func, async_commit=async_commit)
        if any(other.lock_id == new.lock_id for other in REGISTRY.values()):
            raise ValueError(f"Job {name!r} would share its lock with another job; rename it")
        REGISTRY[name] = new
        return func

    return register


def all_jobs() -> dict[str, Job]:
    # Jobs are registered when their module is imported; import every app's jobs module.
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
    return dict(sorted(REGISTRY.items()))


# --- Running a job -----------------------------------------------------------------------


def run_job(name: str, *, batch_size: int | None = None, guard: bool = True) -> JobResult:
    """Run the job ``name`` now, unless another run of it holds the guard; log and return what it did.

    ``guard=False`` skips the job-level lock (tests use it to prove the row locks alone keep
    two concurrent runs from moving an item twice).
    """
    jobs = all_jobs()
    if name not in jobs:
        raise KeyError(f"Unknown job {name!r}. Known jobs: {', '.join(jobs)}")
    chosen = jobs[name]
    result = JobResult(name=name)
    started = time.monotonic()
    with _job_lock(name, settings.CELERY_TASK_TIME_LIMIT) if guard else _no_lock() as acquired:
        if not acquired:
            result.not_run_reason = "another run of this job is in progress"
            log.info(result.summary())
            return result
        try:
            with _async_commit(chosen.async_commit):
                chosen.run(result, batch_size or settings.JOB_BATCH_SIZE)
        except BaseException as exc:
            # What moved before the interruption stays moved; the log says how far it got.
            result.stopped_reason = f"interrupted by {type(exc).__name__}; the next run continues"
            raise
        finally:
            result.seconds = time.monotonic() - started
            log.log(
                logging.WARNING if result.failed or result.stopped_reason else logging.INFO, result.summary()
            )
    return result


@contextmanager
def _no_lock() -> Iterator[bool]:
    yield True


# The guards this thread holds. A PostgreSQL advisory lock is re-entrant within one session
# (and Django gives each thread its own connection), so a second run in the same thread
# must be refused here rather than by the server.
_held = threading.local()


@contextmanager
def _job_lock(name: str, timeout: int) -> Iterator[bool]:
    """Hold the job's guard while the block runs; yields whether it was acquired.

    ``timeout`` bounds the cache key's life where the cache is the guard, so a key left by
    a killed process expires; the PostgreSQL lock needs none (it dies with the session).
    """
    held: set[str] = _held.__dict__.setdefault("names", set())
    if name in held:
        yield False
        return
    release: Callable[[], object]
    if connection.vendor == "postgresql":
        lock_id = _lock_id(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, lock_id])
            acquired = cursor.fetchone()[0]
        release = lambda: _pg_unlock(lock_id)  # noqa: E731
    else:
        key, token = f"job-lock:{name}", uuid.uuid4().hex
        acquired = cache.add(key, token, timeout)
        # Check-then-delete is not atomic; the gap matters only if the key expired meanwhile,
        # and then the row locks still keep every item moving once.
        release = lambda: cache.get(key) == token and cache.delete(key)  # noqa: E731
    if not acquired:
        yield False
        return
    held.add(name)
    try:
        yield True
    finally:
        held.discard(name)
        release()


def _pg_unlock(lock_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, lock_id])
    except (OperationalError, InterfaceError):
        connection.close()  # the session is gone or broken; closing it releases the lock for sure
    except Exception:
        # Inside a broken outer transaction (only in tests): the lock goes with the session.
        log.warning("Could not release the job lock %s", lock_id, exc_info=True)


@contextmanager
def _async_commit(enabled: bool) -> Iterator[None]:
    """``SET synchronous_commit = off`` on this connection while a sweep runs (PostgreSQL only).

    Why it is safe for the deadline sweeps: a commit then returns before its WAL record is
    flushed, so if the *database server* crashes, the last fraction of a second of committed
    items can be lost — each one whole (atomicity is kept, nothing is half-moved, nothing is
    corrupted), and WAL is flushed in order, so no later synchronous commit (a person's
    action) can survive one of ours that was lost. A lost item is simply still due: the
    next run moves it again, through the same service, with the same idempotency keys
    (ledger entries, refunds and gateway payouts are unique per cause), so no money moves
    twice. What can escape a lost commit is a notification email queued after it, so after
    a database crash a party may receive one duplicate email. Jobs that call the payment
    gateway do not opt in. The setting is reset before the connection is used for anything else.
    """
    if not enabled or connection.vendor != "postgresql" or not settings.JOB_ASYNC_COMMIT:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:
            connection.close()  # a new connection starts with the server's default


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
    ``lock=False`` ``move`` locks and commits by itself (e.g. sending an email, whose failure
    must be recorded, not rolled back, or a service that must lock another row first).

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


def _move_one(
    result: JobResult,
    due: Callable[[], models.QuerySet[_Row]],
    move: Callable[[_Row], bool],
    pk: int,
    lock_row: _RowLock[_Row] | None,
) -> None:
    try:
        if lock_row is not None:
            with transaction.atomic():
                row = lock_row(pk)
                moved = row is not None and move(row)
        else:
            row = due().filter(pk=pk).first()
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
