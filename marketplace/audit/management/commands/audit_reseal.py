"""``manage.py audit_reseal <event table>``: recompute one history table's hash chain after a
reviewed schema change of its model (see marketplace.audit.verify.audit_reseal)."""

from django.core.management.base import BaseCommand, CommandError

from marketplace.audit.verify import audit_reseal, event_models


class Command(BaseCommand):
    help = "Recompute the hash chain of one row-history table after a reviewed schema change."

    def add_arguments(self, parser):
        parser.add_argument("table", help="e.g. marketplace_refundevent")

    def handle(self, *args, table: str, **options):
        try:
            count = audit_reseal(table=table)
        except ValueError as exc:
            known = ", ".join(m._meta.db_table for m in event_models())
            raise CommandError(f"{exc}. Event tables: {known}") from None
        self.stdout.write(f"Resealed {count} events of {table}.")
