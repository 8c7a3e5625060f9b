"""The database itself refuses to change or delete a ledger entry (R-ESC-2).

PostgreSQL only: it is what production runs. TRUNCATE (test flushes) is not affected.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION marketplace_ledger_append_only() RETURNS trigger AS $$
BEGIN
    -- (no percent signs here: Django passes this SQL through the driver's placeholder parser)
    RAISE EXCEPTION USING
        MESSAGE = 'ledger entries are append-only: ' || TG_OP || ' refused on entry ' || OLD.id,
        ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER marketplace_ledger_append_only
    BEFORE UPDATE OR DELETE ON marketplace_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION marketplace_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS marketplace_ledger_append_only ON marketplace_ledgerentry;
DROP FUNCTION IF EXISTS marketplace_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
