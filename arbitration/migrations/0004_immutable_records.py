"""The database refuses to rewrite the record of a case (R-DSP-7, R-ARB-2, R-EVD-3).

Messages and decisions are never updated or deleted; evidence is never deleted and its file,
checksum and provenance never change (the background task only adds the thumbnail and the
rendition). The models refuse too; this also covers QuerySet.update(), raw SQL and the admin.
PostgreSQL only, like the ledger's trigger; TRUNCATE (test flushes) is not affected.
"""

from django.db import migrations

# No percent signs: Django passes this SQL through the driver's placeholder parser.
CREATE = """
CREATE OR REPLACE FUNCTION arbitration_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' rows are immutable: ' || TG_OP || ' refused on ' || OLD.id,
        ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION arbitration_evidence_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR NEW.file IS DISTINCT FROM OLD.file
       OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.size IS DISTINCT FROM OLD.size
       OR NEW.content_type IS DISTINCT FROM OLD.content_type
       OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.original_name IS DISTINCT FROM OLD.original_name
       OR NEW.uploaded_by_id IS DISTINCT FROM OLD.uploaded_by_id
       OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NEW.dispute_id IS DISTINCT FROM OLD.dispute_id
       OR NEW.message_id IS DISTINCT FROM OLD.message_id
       OR NEW.complaint_id IS DISTINCT FROM OLD.complaint_id
       OR NEW.safety_report_id IS DISTINCT FROM OLD.safety_report_id
    THEN
        RAISE EXCEPTION USING
            MESSAGE = 'evidence is immutable: ' || TG_OP || ' refused on ' || OLD.id,
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER arbitration_message_immutable BEFORE UPDATE OR DELETE ON arbitration_message
    FOR EACH ROW EXECUTE FUNCTION arbitration_refuse_change();
CREATE TRIGGER arbitration_decision_immutable BEFORE UPDATE OR DELETE ON arbitration_decision
    FOR EACH ROW EXECUTE FUNCTION arbitration_refuse_change();
CREATE TRIGGER arbitration_claimversion_immutable BEFORE UPDATE OR DELETE ON arbitration_claimversion
    FOR EACH ROW EXECUTE FUNCTION arbitration_refuse_change();
CREATE TRIGGER arbitration_evidence_immutable BEFORE UPDATE OR DELETE ON arbitration_evidence
    FOR EACH ROW EXECUTE FUNCTION arbitration_evidence_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS arbitration_message_immutable ON arbitration_message;
DROP TRIGGER IF EXISTS arbitration_decision_immutable ON arbitration_decision;
DROP TRIGGER IF EXISTS arbitration_claimversion_immutable ON arbitration_claimversion;
DROP TRIGGER IF EXISTS arbitration_evidence_immutable ON arbitration_evidence;
DROP FUNCTION IF EXISTS arbitration_refuse_change();
DROP FUNCTION IF EXISTS arbitration_evidence_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("arbitration", "0003_staff_groups")]
    operations = [migrations.RunPython(forwards, backwards)]
