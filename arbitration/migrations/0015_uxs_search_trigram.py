"""The queue's search by a return's tracking number (issue 14): a trigram index, PostgreSQL only
(``marketplace.search``); pg_trgm itself comes with marketplace 0009."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

from marketplace.search import AddTrigramIndex


class Migration(migrations.Migration):
    atomic = False  # the indexes are built CONCURRENTLY (AddTrigramIndex)
    dependencies = [
        ("arbitration", "0014_apicore_api_clients_staff_permissions"),
        ("marketplace", "0010_uxs_search_trigram"),
    ]

    operations = [
        AddTrigramIndex(
            model_name="returnshipment",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("tracking_number"), name="gin_trgm_ops"
                ),
                name="return_tracking_trgm",
            ),
        ),
    ]
