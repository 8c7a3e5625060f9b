"""Recompute the history's hash chains and compare it with the live rows (R-OPS-2).

For every event table (every model under ``history()``):

1. **chain** — each event's ``pgh_hash`` must equal ``audit_chain_hash(previous event of the same
   object, the event)``; an edited event breaks its own link, a deleted one breaks the next;
2. **live rows** — each tracked row must equal its latest event (a change made with the triggers
   disabled, or the newest events deleted, shows here), every row must have history, and an
   object whose latest event is not a deletion must still exist;
3. **checkpoint** — no event up to the highest id the previous check saw may have disappeared
   (a whole chain deleted leaves no broken link).

PostgreSQL only; SQLite has no history to check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pgtrigger
from django.apps import apps
from django.db import connection, transaction

from marketplace.audit.tracking import CHAIN_FUNCTION, ChainedEvent


@dataclass(frozen=True)
class Problem:
    table: str
    kind: str  # chain | changed | no_history | vanished | events_deleted
    event_id: int | None
    object_id: str | None
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verification:
    events_checked: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    checkpoints: dict = field(default_factory=dict)


def event_models() -> list[type[ChainedEvent]]:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, ChainedEvent)), key=lambda m: m._meta.db_table
    )


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _fetch(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _object_column(event_model) -> str:
    """The event's column naming the tracked row: ``pgh_obj_id``, or the copied primary key of a
    membership row (those have no object key and form one chain per table)."""
    if any(f.name == "pgh_obj" for f in event_model._meta.concrete_fields):
        return "pgh_obj_id"
    return event_model.pgh_tracked_model._meta.pk.column


def _chain(event_model) -> tuple[int, tuple | None]:
    table, key = event_model._meta.db_table, _object_column(event_model)
    stream = "PARTITION BY e.pgh_obj_id " if key == "pgh_obj_id" else ""
    rows = _fetch(
        f"""
        SELECT count(*) OVER (), pgh_id, object_id, pgh_label FROM (
            SELECT e.pgh_id, e.{_q(key)}::text AS object_id, e.pgh_label, e.pgh_hash,
                   {CHAIN_FUNCTION}(lag(e.pgh_hash) OVER ({stream}ORDER BY e.pgh_id), e) AS expected
            FROM {_q(table)} e
        ) links
        WHERE pgh_hash IS DISTINCT FROM expected
        ORDER BY pgh_id LIMIT 1
        """
    )
    return (rows[0][0], rows[0][1:]) if rows else (0, None)


def _live(event_model) -> list[Problem]:
    tracked = event_model.pgh_tracked_model
    table, events = tracked._meta.db_table, event_model._meta.db_table
    key = _q(_object_column(event_model))
    names = {f.name for f in tracked._meta.concrete_fields}
    columns = [f.column for f in event_model._meta.concrete_fields if f.name in names]
    pk = _q(tracked._meta.pk.column)
    live = ", ".join(f"t.{_q(c)}" for c in columns)
    recorded = ", ".join(f"e.{_q(c)}" for c in columns)
    problems = []
    rows = _fetch(
        f"""
        SELECT count(*) OVER (), t.{pk}::text, e.pgh_id, e.pgh_label FROM {_q(table)} t
        LEFT JOIN LATERAL (
            SELECT * FROM {_q(events)} e WHERE e.{key} = t.{pk} ORDER BY e.pgh_id DESC LIMIT 1
        ) e ON true
        WHERE e.pgh_id IS NULL OR e.pgh_label = 'delete' OR ({live}) IS DISTINCT FROM ({recorded})
        ORDER BY t.{pk} LIMIT 1
        """
    )
    if rows:
        count, object_id, event_id, label = rows[0]
        kind = "no_history" if event_id is None else "changed"
        detail = (
            f"{count} rows differ from their history; the first has no recorded event"
            if event_id is None
            else f"{count} rows differ from their latest recorded event ({label})"
        )
        problems.append(Problem(events, kind, event_id, object_id, detail))
    rows = _fetch(
        f"""
        SELECT count(*) OVER (), last.object_id::text, last.pgh_id FROM (
            SELECT DISTINCT ON ({key}) {key} AS object_id, pgh_id, pgh_label FROM {_q(events)}
            ORDER BY {key}, pgh_id DESC
        ) last
        WHERE last.pgh_label <> 'delete'
          AND NOT EXISTS (SELECT 1 FROM {_q(table)} t WHERE t.{pk} = last.object_id)
        ORDER BY last.pgh_id LIMIT 1
        """
    )
    if rows:
        count, object_id, event_id = rows[0]
        detail = f"{count} rows are gone without a recorded deletion"
        problems.append(Problem(events, "vanished", event_id, object_id, detail))
    return problems


def audit_verify(*, previous_checkpoints: dict | None = None) -> Verification:
    """Check every event table; ``previous_checkpoints`` are the last check's ``checkpoints``."""
    result = Verification(problems=[], checkpoints={})
    if connection.vendor != "postgresql":
        return result
    previous_checkpoints = previous_checkpoints or {}
    for model in event_models():
        table = model._meta.db_table
        highest, total = _fetch(f"SELECT coalesce(max(pgh_id), 0), count(*) FROM {_q(table)}")[0]
        result.events_checked += total
        result.checkpoints[table] = [highest, total]
        broken, first = _chain(model)
        if first is not None:
            event_id, object_id, label = first
            detail = f"{broken} events do not match their hash; the first is a {label} event"
            result.problems.append(Problem(table, "chain", event_id, object_id, detail))
        result.problems += _live(model)
        if table in previous_checkpoints:
            seen_up_to, seen = previous_checkpoints[table]
            still = _fetch(f"SELECT count(*) FROM {_q(table)} WHERE pgh_id <= %s", [seen_up_to])[0][0]
            if still < seen:
                detail = f"{seen - still} events up to #{seen_up_to} were deleted since the last check"
                result.problems.append(Problem(table, "events_deleted", seen_up_to, None, detail))
    result.problem_count = len(result.problems)
    return result


def audit_reseal(*, table: str) -> int:
    """Recompute every hash of one event table, in chain order; returns how many events.

    Only for after a reviewed schema change of the tracked model (a column added with a default,
    dropped or renamed changes old events' content): run ``verify_audit`` just before the
    migration, then this. It writes past the append-only trigger, so it is a person's decision,
    never a job's.
    """
    model = next((m for m in event_models() if m._meta.db_table == table), None)
    if model is None or connection.vendor != "postgresql":
        raise ValueError(f"{table!r} is not an event table of the row history")
    key = _q(_object_column(model))
    restart = "IF last_key IS DISTINCT FROM r.k THEN prev := NULL; END IF;" if key == '"pgh_obj_id"' else ""
    order = f"{key}, pgh_id" if key == '"pgh_obj_id"' else "pgh_id"
    with transaction.atomic(), pgtrigger.ignore(f"{model._meta.label}:append_only"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                DO $reseal$
                DECLARE r record; prev text; last_key text;
                BEGIN
                    FOR r IN SELECT pgh_id, {key}::text AS k FROM {_q(table)} ORDER BY {order} LOOP
                        {restart}
                        UPDATE {_q(table)} e SET pgh_hash = {CHAIN_FUNCTION}(prev, e)
                            WHERE e.pgh_id = r.pgh_id RETURNING e.pgh_hash INTO prev;
                        last_key := r.k;
                    END LOOP;
                END
                $reseal$
                """
            )
        return model.objects.count()
