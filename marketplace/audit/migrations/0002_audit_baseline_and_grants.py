"""After the history tables: supervisors may reset a second factor (R-OPS-1), the transition log
refuses UPDATE and DELETE like the ledger, and rows that existed before history was installed
get a "baseline" event, so ``verify_audit`` finds every row with a history.
"""

from django.db import migrations

# The live models (tracked fields and tables), as in verify_audit: a baseline must match them.
from marketplace.audit.verify import event_models

STATELOG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_statelog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'the transition log is append-only: ' || TG_OP || ' refused on entry ' || OLD.id,
        ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_statelog_append_only
    BEFORE UPDATE OR DELETE ON django_fsm_log_statelog
    FOR EACH ROW EXECUTE FUNCTION audit_statelog_append_only();
"""
DROP_STATELOG_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_statelog_append_only ON django_fsm_log_statelog;
DROP FUNCTION IF EXISTS audit_statelog_append_only();
"""


def grant_reset(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="marketplace", model="user")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="reset_second_factor",
        defaults={"name": "Can reset another person's second factor"},
    )
    for group in Group.objects.filter(name="Supervisors"):
        group.permissions.add(permission)


def _columns(connection, table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def baseline(apps, schema_editor):
    """A 'baseline' event for each tracked row that has none (an existing database).

    The live event models are read (as verify_audit reads them); a table or column a later
    migration adds is not there yet when this runs on a new database, so only what exists now is
    copied (a new database's tracked tables hold only data-migration rows at this point).
    """
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    for event_model in event_models():
        tracked = event_model.pgh_tracked_model
        if event_model._meta.db_table not in tables or tracked._meta.db_table not in tables:
            continue
        present = _columns(connection, event_model._meta.db_table) & _columns(connection, tracked._meta.db_table)
        names = {f.name for f in tracked._meta.concrete_fields}
        columns = [
            f.column for f in event_model._meta.concrete_fields if f.name in names and f.column in present
        ]
        has_obj = any(f.name == "pgh_obj" for f in event_model._meta.concrete_fields)
        pk = quote(tracked._meta.pk.column)
        target = [*columns, "pgh_label", "pgh_created_at", *(["pgh_obj_id"] if has_obj else [])]
        values = [*(f"t.{quote(c)}" for c in columns), "'baseline'", "now()", *([f"t.{pk}"] if has_obj else [])]
        missing = (
            f"NOT EXISTS (SELECT 1 FROM {quote(event_model._meta.db_table)} e WHERE e.pgh_obj_id = t.{pk})"
            if has_obj
            else f"NOT EXISTS (SELECT 1 FROM {quote(event_model._meta.db_table)} e WHERE e.{pk} = t.{pk})"
        )
        schema_editor.execute(
            f"INSERT INTO {quote(event_model._meta.db_table)} ({', '.join(quote(c) for c in target)}) "
            f"SELECT {', '.join(values)} FROM {quote(tracked._meta.db_table)} t WHERE {missing} ORDER BY t.{pk}"
        )


def statelog_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STATELOG_APPEND_ONLY)


def drop_statelog_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_STATELOG_APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_history_checks"),
        ("arbitration", "0010_history_decisions_patterns_complaints"),
        ("arbitration", "0003_staff_groups"),
    ]
    operations = [
        migrations.RunPython(grant_reset, migrations.RunPython.noop),
        migrations.RunPython(statelog_append_only, drop_statelog_append_only),
        migrations.RunPython(baseline, migrations.RunPython.noop),
    ]
