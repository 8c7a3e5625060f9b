"""Webhook endpoints in the admin (R-API-5): supervisors manage them; arbiters and finance read
them and their delivery log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    ("marketplace", "view_webhookendpoint"),
    ("marketplace", "view_webhookdelivery"),
    ("marketplace", "view_domainevent"),
]
ADD = {
    "Supervisors": [("marketplace", "manage_webhooks"), *READ],
    "Arbiters": READ,
    "Finance": READ,
}


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ADD.items():
        group = Group.objects.get(name=name)
        for app_label, codename in codes:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ADD.items():
        group = Group.objects.filter(name=name).first()
        for app_label, codename in codes if group else []:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("arbitration", "0011_history_pattern_intent"),
        ("marketplace", "0007_webhooks_endpoints_deliveries"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
