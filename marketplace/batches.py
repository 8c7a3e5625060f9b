"""Set-based changes of many rows at once, for the sweeps' batches (R-JOB-2).

``claim`` is the one way a batch is taken: it picks due rows another worker doesn't hold and makes
their state change in a single statement, so each row moves once however many workers sweep.
Services use it for a person's action too (a batch of one), so a transition's effects are
written once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

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


def bulk_insert(objs: Iterable[_M]) -> list[_M]:
    """``bulk_create`` for the sweeps' audit, outbox and notification rows: one INSERT whose rows
    travel as one JSON document (``jsonb_populate_recordset``), the primary keys set on the objects.

    Why not ``bulk_create``: on PostgreSQL Django 5.2 sends each column as an array, and psycopg
    escapes every quote of a JSON column's text inside the array literal with a regular
    expression — a fifth of a sweep's CPU went to escaping notification and event payloads. Here
    the whole batch is one string parameter, encoded by the C JSON encoder and quoted by libpq.
    Same rows, same defaults (the instances carry them), same database triggers; no signals, as
    with ``bulk_create``. On other databases it is ``bulk_create``.
    """
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    rows = [{f.column: _json_value(f, getattr(obj, f.attname)) for f in fields} for obj in objs]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields if f.column)
    pk = quote(str(meta.pk.column))
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM jsonb_populate_recordset(NULL::{quote(meta.db_table)}, %s::jsonb) "
        f"WITH ORDINALITY AS row ORDER BY row.ordinality RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [json.dumps(rows, default=_json_default, separators=(",", ":"))])
        ids = [pk_value for (pk_value,) in cursor.fetchall()]
    # Inserted in the objects' order (ORDER BY ordinality), so the ids come back in it too.
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def bulk_set(objs: Iterable[_M], fields: list[str]) -> None:
    """``bulk_update`` for a sweep's batch: the ``fields`` of each object (by primary key) written
    with one UPDATE joined to the rows as one JSON document (``jsonb_populate_recordset``).

    Why not ``bulk_update``: it builds a ``CASE WHEN id = … THEN …`` expression per row and field,
    which Django resolves one by one — half the CPU of settling a batch of 100 escrows went there.
    Same rows, same triggers; on other databases it is ``bulk_update``.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, fields)
        return
    meta = model._meta
    pk_column = str(meta.pk.column)
    columns = [field for field in meta.concrete_fields if field.name in fields]
    if len(columns) != len(fields):
        raise ValueError(f"bulk_set writes concrete fields only, not {fields}")
    rows = [
        {pk_column: obj.pk, **{str(f.column): _json_value(f, getattr(obj, f.attname)) for f in columns}}
        for obj in objs
    ]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    assignments = ", ".join(f"{quote(str(f.column))} = row.{quote(str(f.column))}" for f in columns)
    statement = (
        f"UPDATE {table} SET {assignments} "
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) AS row "
        f"WHERE {table}.{quote(pk_column)} = row.{quote(pk_column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [json.dumps(rows, default=_json_default, separators=(",", ":"))])


def _json_value(field: models.Field, value: Any) -> Any:
    if value is None or not isinstance(field, models.JSONField) or field.encoder is None:
        return value
    # A JSON column with its own encoder: stored as that encoder writes it.
    return json.loads(json.dumps(value, cls=field.encoder))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact, never a float
    if isinstance(value, datetime | date | time):
        return value.isoformat()  # with microseconds and offset, as the database stores it
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"bulk_insert cannot store a {type(value).__name__}")
