"""``history()``: put a model's rows under database-written, hash-chained history (R-OPS-2).

Every tracked model gets an event model (``<Model>Event``) written by pghistory's PostgreSQL
triggers on insert, update and delete, with the context (user, url, request id, task, job)
stored in the event row itself (``ContextJSONField``), so the hash covers who did it too.

The chain: a BEFORE INSERT trigger on each event table sets
``pgh_hash = audit_chain_hash(<previous event of the same object>.pgh_hash, NEW)``, the SQL
function of migration ``audit.0001`` (SHA-256 of the previous hash and the row as JSON, nulls
left out, in UTC). One chain per tracked row ("stream"): two writers of the same row are already
serialised by PostgreSQL's row lock (an UPDATE or DELETE holds it until commit, and the trigger's
query runs after the lock is granted, with a fresh snapshot, so it sees the other's event); rows
of different objects never wait for each other. Event tables are append-only (triggers refuse
UPDATE and DELETE), so rewriting history needs a database superuser disabling triggers — which
``verify_audit`` then detects.
"""

from __future__ import annotations

import pghistory
import pghistory.models
import pghistory.trigger
import pgtrigger
from django.db import models

CHAIN_FUNCTION = "audit_chain_hash"

# pghistory's and pgtrigger's trigger functions all begin by asking ``_pgtrigger_should_ignore``
# whether ``pgtrigger.ignore()`` switched them off. pgtrigger's own version reads the setting inside
# a PL/pgSQL ``BEGIN … EXCEPTION`` block: a subtransaction for every row of every trigger, and an
# error raised and rolled back whenever the session never set it — on a sweep's batch about half
# of the history's database time (4,000 transition-log rows: 540–600 ms, 313 ms with this). The
# same answer from one SQL expression, which PostgreSQL inlines into the caller. pgtrigger writes
# its version again whenever it installs a trigger, so ``AuditConfig`` puts this one back after
# every ``migrate`` (``install_fast_ignore``).
FAST_IGNORE_SQL = """
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        trigger_name = ANY(NULLIF(current_setting('pgtrigger.ignore', true), '')::text[]), false
    )
$$
"""


def install_fast_ignore(*, using: str = "default", **_signal: object) -> None:
    """Replace pgtrigger's ``_pgtrigger_should_ignore`` by ``FAST_IGNORE_SQL`` (PostgreSQL only)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(FAST_IGNORE_SQL)


class ChainedEvent(pghistory.models.Event):
    """The base of every event model: pghistory's fields plus the chain's hash."""

    pgh_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


def chain_trigger(*, per_object: bool) -> pgtrigger.Trigger:
    if per_object:
        previous = 'WHERE "pgh_obj_id" = NEW."pgh_obj_id" '
        serialise = ""
    else:
        # One chain for the whole table (membership rows have no object key): writers take turns
        # on a transaction lock, and the event's id is drawn under it, so ids follow the chain.
        previous = ""
        serialise = (
            "PERFORM pg_advisory_xact_lock(1096107092, hashtext(TG_TABLE_NAME)); "
            "NEW.\"pgh_id\" := nextval(pg_get_serial_sequence('{meta.db_table}', 'pgh_id')); "
        )
    return pgtrigger.Trigger(
        name="audit_chain",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        func=pgtrigger.Func(
            f"{serialise}NEW.pgh_hash := {CHAIN_FUNCTION}(("
            f'SELECT "pgh_hash" FROM "{{meta.db_table}}" {previous}'
            'ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;'
        ),
    )


def history_options(**options) -> dict:
    """The keyword arguments every tracked model shares (chained, append-only, context inline)."""
    per_object = options.get("obj_field", ...) is not None
    return {
        "base_model": ChainedEvent,
        "context_field": pghistory.ContextJSONField(),
        # pghistory's protection: UPDATE and DELETE of an event are refused by a trigger.
        "append_only": True,
        "meta": {
            "triggers": [chain_trigger(per_object=per_object)],
            # The chain trigger's "previous event of this object" is one step down this index. Without
            # it PostgreSQL may walk the primary key backwards filtering on the object (a generic
            # plan made while the table was small does): every insert then reads the whole table,
            # and a new row, which has no previous event, reads all of it — quadratic.
            "indexes": [models.Index(fields=["pgh_obj", "pgh_id"])] if per_object else [],
        },
        **options,
    }


class StatementEvent(pghistory.trigger.Event):
    """pghistory's event trigger, once per statement: ``INSERT INTO <events> SELECT … FROM`` the
    statement's transition table.

    Why not a trigger per row: a row trigger runs its own INSERT for each row, and starting that
    INSERT (opening the event table and its indexes) is paid again for every row; on a sweep's
    batch of 500 ledger entries the database spent 130 ms with row triggers and 85–93 ms with
    these (R-JOB-2). Events, their context and their chain are the same: the chain's trigger on
    the event table still runs for each event.

    pghistory's statement form also copies the context into its own ``pghistory_context`` table
    (a CTE); ours keeps the context in the event row (``ContextJSONField``), where the chain
    covers it, so that CTE is taken out.
    """

    CONTEXT_CTE = "WITH _pgh_attached_context AS ( SELECT _pgh_attach_context() AS value ) "

    def get_func(self, model):
        func = super().get_func(model).func
        joined = f" AS {self.row.lower()}_values, _pgh_attached_context;"
        if self.CONTEXT_CTE not in func or joined not in func:  # pragma: no cover - a new pghistory
            raise RuntimeError("pghistory's statement trigger changed: review StatementEvent")
        func = func.replace(self.CONTEXT_CTE, "").replace(joined, f" AS {self.row.lower()}_values;")
        return pgtrigger.Func(func)


class _PerStatement(pghistory.RowEvent):
    def add_event_trigger(self, event_model):
        pgtrigger.register(
            StatementEvent(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=pgtrigger.Statement,
            )
        )(event_model.pgh_tracked_model)


class InsertEvent(_PerStatement, pghistory.InsertEvent):
    pass


class UpdateEvent(_PerStatement, pghistory.UpdateEvent):
    pass


class DeleteEvent(_PerStatement, pghistory.DeleteEvent):
    pass


def trackers() -> tuple:
    # New instances for each model: pghistory binds a tracker to its event model.
    return (InsertEvent(), UpdateEvent(), DeleteEvent())


def history(**options):
    """Class decorator: ``@history()`` or ``@history(exclude=["secret"])`` on a model; its events
    are ``<Model>Event``."""

    def track(model):
        named = {"model_name": f"{model.__name__}Event", **options}
        return pghistory.track(*trackers(), **history_options(**named))(model)

    return track
