"""Set-based changes of many rows at once, for the sweeps' batches (R-JOB-2).

``claim`` is the one way a batch is taken: it picks due rows another worker doesn't hold and makes
their state change in a single statement, so each row moves once however many workers sweep.
Services use it for a person's action too (a batch of one), so a transition's effects are
written once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.db import connection, models
from django.db.models import QuerySet, sql

_M = TypeVar("_M", bound=models.Model)


def claim(due: QuerySet, *, limit: int, changes: dict) -> list[int]:
    """Claim up to ``limit`` rows of ``due`` and make their change in one statement; their ids.

    ``UPDATE t SET … WHERE id IN (SELECT id … WHERE <due> LIMIT n FOR UPDATE SKIP LOCKED)
    RETURNING id``: rows another worker holds are skipped, so workers share a sweep and a
    row is claimed once. ``changes`` are the columns the transition sets (values or expressions,
    as for ``QuerySet.update``). Must run inside the transaction that writes the batch's other
    effects; the ids come back in order.
    """
    model = due.model
    # No ORDER BY: the planner then walks the due condition's own index (e.g. state, deadline),
    # where the rows earlier batches moved are dead entries it skips. Ordered by id instead, it
    # walked the id index and re-read every row already moved: quadratic over one sweep.
    rows = due.order_by().select_for_update(skip_locked=True, of=("self",))
    query = model._default_manager.filter(pk__in=rows.values("pk")[:limit]).query.chain(sql.UpdateQuery)
    query.add_update_values(changes)
    statement, params = query.get_compiler(connection=connection).as_sql()
    statement += " RETURNING " + connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return sorted(pk for (pk,) in cursor.fetchall())


def in_pages(rows: QuerySet[_M], *, size: int = 2000) -> Iterator[_M]:
    """Every row of ``rows`` in primary-key order, ``size`` at a time (keyset pagination).

    Instead of ``.iterator()``: a server-side cursor does not survive a transaction pooler
    (PgBouncer in transaction mode hands the server connection to someone else between
    statements), and memory stays flat however many rows there are.
    """
    last = None
    while True:
        page = rows.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        chunk = list(page[:size])
        yield from chunk
        if len(chunk) < size:
            return
        last = chunk[-1].pk
