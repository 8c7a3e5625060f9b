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
from django.utils import timezone

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
    """``bulk_create`` for rows the caller holds as instances: the same single INSERT as
    ``insert_rows`` (below), the primary keys set on the objects. On other databases it is
    ``bulk_create``."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    fields = _inserted_fields(model)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    documents: list[dict[Any, Any]] = [{f.column: getattr(obj, f.attname) for f in fields} for obj in objs]
    ids = _insert(model, fields, documents)
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> list[int]:
    """Insert a sweep's audit, outbox or notification rows in one statement; their ids, in order.

    Each row is a dict by attribute name (``order_id``, not ``order``); a field left out takes
    its default (a callable one is called for each row, as a model instance would), an
    ``auto_now``/``auto_now_add`` field the batch's moment. The rows travel as one JSON document
    (``jsonb_populate_recordset``). Why not ``bulk_create``: on PostgreSQL Django 5.2 sends each
    column as an array, and psycopg escapes every quote of a JSON column's text inside the array
    literal with a regular expression — a fifth of a sweep's CPU went to escaping notification
    and event payloads; and building a model instance per row only to read its fields back cost
    as much again (eight rows per released order). Same rows, same defaults, same database
    triggers; no signals, as with ``bulk_create``. On other databases it is ``bulk_create``.
    """
    rows = list(rows)
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [obj.pk for obj in model._default_manager.bulk_create([model(**row) for row in rows])]
    fields = _inserted_fields(model)
    given = set().union(*rows)
    unknown = given - {f.attname for f in fields}
    if unknown:
        raise TypeError(f"{model.__name__} has no inserted field {', '.join(sorted(unknown))}")
    now = None
    constant: dict[str, Any] = {}  # the same for every row that leaves the field out
    per_row: list[models.Field] = []  # a callable default, called for each row
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            now = now or timezone.now()
            constant[field.attname] = now
        elif field.has_default() and callable(field.default):
            per_row.append(field)
        else:
            constant[field.attname] = field.get_default()
    documents: list[dict[Any, Any]] = []
    for row in rows:
        document: dict[Any, Any] = {
            f.column: row[f.attname] if f.attname in row else constant.get(f.attname) for f in fields
        }
        for field in per_row:
            if field.attname not in row:
                document[field.column] = field.get_default()
        documents.append(document)
    return _insert(model, fields, documents)


def _inserted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]


def _insert(
    model: type[models.Model], fields: list[models.Field], documents: list[dict[Any, Any]]
) -> list[int]:
    """``INSERT … SELECT … FROM jsonb_populate_recordset(…) … RETURNING id`` of ``documents`` (by
    column); the ids in the documents' order."""
    encoded = [f for f in fields if isinstance(f, models.JSONField) and f.encoder is not None]
    for field in encoded:  # a JSON column with its own encoder: stored as that encoder writes it
        for document in documents:
            if document[field.column] is not None:
                document[field.column] = json.loads(json.dumps(document[field.column], cls=field.encoder))
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields if f.column)
    pk = quote(str(meta.pk.column))
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM jsonb_populate_recordset(NULL::{quote(meta.db_table)}, %s::jsonb) "
        f"WITH ORDINALITY AS row ORDER BY row.ordinality RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [json.dumps(documents, default=_json_default, separators=(",", ":"))])
        # Inserted in the documents' order (ORDER BY ordinality), so the ids come back in it too.
        return [pk_value for (pk_value,) in cursor.fetchall()]


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
