"""The order jobs' own proofs beside the matrix of ``test_jobs.py`` (which proves every job on time
and once): release, automatic extension and the protection reminder (R-PRT-3, R-PRT-4, R-PRT-5
via R-JOB-2) in small batches, after a crash, and with two workers at once, counted in the
ledger and the audit log (PostgreSQL, real threads)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django_fsm_log.models import StateLog

from marketplace import services
from marketplace.models import ExtensionRequest, LedgerEntry, Notification, Order
from marketplace.scheduling import run_job
from tests.marketplace.factories import (
    DAY,
    SECOND,
    START,
    at,
    fresh,
    ledger_of,
    make_buyer,
    make_seller,
    run_concurrently,
    shipped_order,
)

# Each job, how to make an order due for it, the moment it becomes due, and how to see it moved.


def _due_for_release(buyer, seller, shipped_at: datetime = START) -> Order:
    return shipped_order(buyer=buyer, seller=seller, shipped_at=shipped_at)


def _due_for_extension(buyer, seller, shipped_at: datetime = START) -> Order:
    order = shipped_order(buyer=buyer, seller=seller, shipped_at=shipped_at)
    with at(order.protection_deadline - 5 * DAY):
        services.extension_request_create(order=order, actor=buyer, days=7, reason="Parcel stuck in customs")
    return order


def _due_for_reminder(buyer, seller, shipped_at: datetime = START) -> Order:
    return shipped_order(buyer=buyer, seller=seller, shipped_at=shipped_at)


def _moved_by_release(order: Order) -> int:
    return ledger_of(order, LedgerEntry.Kind.RELEASE).count()


def _moved_by_extension(order: Order) -> int:
    return order.extension_requests.filter(status=ExtensionRequest.Status.AUTO_GRANTED).count()


def _moved_by_reminder(order: Order) -> int:
    return Notification.objects.filter(event="protection_ending", context__order_id=order.pk).count()


JOBS = [
    pytest.param(
        "release_escrow",
        _due_for_release,
        lambda o: o.protection_deadline,
        _moved_by_release,
        id="release_escrow",
    ),
    pytest.param(
        "auto_extend_protection",
        _due_for_extension,
        lambda o: o.protection_deadline,
        _moved_by_extension,
        id="auto_extend_protection",
    ),
    pytest.param(
        "remind_protection_ending",
        _due_for_reminder,
        lambda o: o.protection_deadline - 3 * DAY,
        _moved_by_reminder,
        id="remind_protection_ending",
    ),
]


@pytest.mark.parametrize(("name", "make_due", "due_at", "moved"), JOBS)
def test_a_job_works_through_every_due_order_in_small_batches(
    people, settings, name, make_due, due_at, moved
):
    """R-JOB-2: bounded batches still reach every due order, and only due ones."""
    buyer, seller = people.buyer, people.seller
    settings.JOB_BATCH_SIZE = 2
    due = [make_due(buyer, seller, shipped_at=START + n * SECOND) for n in range(5)]
    not_yet = make_due(buyer, seller, shipped_at=START + DAY)
    with at(due_at(due[-1]) + SECOND):
        result = run_job(name)

    assert result.moved == 5
    assert [moved(order) for order in due] == [1] * 5
    assert moved(not_yet) == 0


def test_an_order_that_fails_does_not_stop_the_others_and_is_moved_by_the_next_run(people, monkeypatch):
    """R-JOB-2: a crash mid-run loses nothing; the next run finishes the work."""
    buyer, seller = people.buyer, people.seller
    first, second, third = (_due_for_release(buyer, seller, shipped_at=START + n * SECOND) for n in range(3))
    real_release = services.orders_release

    def release_failing_for_second(*, rows, limit, actor):
        if rows.filter(pk=second.pk).exists():
            raise ConnectionError("lost the database mid-run")
        return real_release(rows=rows, limit=limit, actor=actor)

    with at(third.protection_deadline + SECOND):
        monkeypatch.setattr(services, "orders_release", release_failing_for_second)
        crashed = run_job("release_escrow")
        monkeypatch.undo()
        retried = run_job("release_escrow")

    assert (crashed.moved, crashed.failed) == (2, 1)
    assert (retried.moved, retried.failed) == (1, 0)
    assert [fresh(o).state for o in (first, second, third)] == [Order.State.COMPLETED] * 3
    assert [_moved_by_release(o) for o in (first, second, third)] == [1, 1, 1]


# --- Two workers at once (PostgreSQL, real threads) ----------------------------------------------

ORDERS_PER_RACE = 20


def _transitions(transition: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    for object_id in StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Order), transition=transition
    ).values_list("object_id", flat=True):
        counts[object_id] = counts.get(object_id, 0) + 1
    return counts


def _orders_due(make_due) -> list[Order]:
    buyer, seller = make_buyer(), make_seller()
    return [make_due(buyer, seller, shipped_at=START + n * SECOND) for n in range(ORDERS_PER_RACE)]


def _run_twice_at_once(name: str, moment: datetime):
    with at(moment):
        outcomes = run_concurrently([lambda: run_job(name)] * 2)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sum(o.value.failed for o in outcomes) == 0
    return [o.value for o in outcomes]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_release_runs_release_each_order_once():
    """R-PRT-3, R-ESC-4, R-JOB-2: two workers, one release per order."""
    orders = _orders_due(_due_for_release)

    results = _run_twice_at_once("release_escrow", orders[-1].protection_deadline + SECOND)

    assert sum(r.moved for r in results) == ORDERS_PER_RACE
    assert [_moved_by_release(o) for o in orders] == [1] * ORDERS_PER_RACE
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).count() == ORDERS_PER_RACE
    assert _transitions("complete") == {o.pk: 1 for o in orders}
    assert _transitions("confirm_receipt") == {o.pk: 1 for o in orders}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_auto_extension_runs_extend_each_order_once():
    """R-PRT-4, R-JOB-2: the deadline moves by the requested days, not twice that."""
    orders = _orders_due(_due_for_extension)

    moment = orders[-1].protection_deadline + SECOND
    results = _run_twice_at_once("auto_extend_protection", moment)

    assert sum(r.moved for r in results) == ORDERS_PER_RACE
    assert [_moved_by_extension(o) for o in orders] == [1] * ORDERS_PER_RACE
    # Seven days from when the job granted them (every deadline here had passed by then), once.
    assert [fresh(o).protection_deadline for o in orders] == [moment + 7 * DAY] * ORDERS_PER_RACE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reminder_runs_remind_each_buyer_once():
    """R-PRT-5, R-JOB-2"""
    orders = _orders_due(_due_for_reminder)

    results = _run_twice_at_once(
        "remind_protection_ending", orders[-1].protection_deadline - 3 * DAY + SECOND
    )

    assert sum(r.moved for r in results) == ORDERS_PER_RACE
    assert [_moved_by_reminder(o) for o in orders] == [1] * ORDERS_PER_RACE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_release_and_extension_runs_at_the_deadline_never_release_an_order_owed_more_time():
    """R-PRT-4, R-SEC-4: the two jobs race at the deadline; the buyer's unanswered request wins."""
    orders = _orders_due(_due_for_extension)

    with at(orders[-1].protection_deadline + SECOND):
        outcomes = run_concurrently(
            [
                lambda: run_job("release_escrow"),
                lambda: run_job("auto_extend_protection"),
            ]
            * 2
        )

    assert all(o.ok and o.value.failed == 0 for o in outcomes), [o.error for o in outcomes]
    assert [fresh(o).state for o in orders] == [Order.State.SHIPPED] * ORDERS_PER_RACE
    assert [_moved_by_extension(o) for o in orders] == [1] * ORDERS_PER_RACE
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).exists()
