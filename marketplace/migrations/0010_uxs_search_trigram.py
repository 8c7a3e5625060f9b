"""The back office's search (issue 14): pg_trgm and a trigram index on each searched column.

On PostgreSQL each index serves ``icontains`` on ``UPPER(column)``; SQLite gets none (see
``marketplace.search``). Each is built CONCURRENTLY, so writes to the table go on meanwhile.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from marketplace.search import AddTrigramIndex, PersonText


def trigram(field: str, name: str):
    return django.contrib.postgres.indexes.GinIndex(
        django.contrib.postgres.indexes.OpClass(
            django.db.models.functions.text.Upper(field), name="gin_trgm_ops"
        ),
        name=name,
    )


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY (AddTrigramIndex)
    dependencies = [("marketplace", "0009_apicore_idempotency_records")]

    operations = [
        TrigramExtension(),
        AddTrigramIndex(model_name="order", index=trigram("number", "order_number_trgm")),
        AddTrigramIndex(model_name="order", index=trigram("item_title", "order_item_title_trgm")),
        AddTrigramIndex(model_name="shipment", index=trigram("tracking_number", "shipment_tracking_trgm")),
        AddTrigramIndex(
            model_name="refund", index=trigram("payout_reference", "refund_payout_reference_trgm")
        ),
        AddTrigramIndex(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper(PersonText()), name="gin_trgm_ops"
                ),
                name="user_search_trgm",
            ),
        ),
    ]
