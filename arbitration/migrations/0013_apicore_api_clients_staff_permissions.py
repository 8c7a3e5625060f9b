"""API clients and keys in the admin (R-API-1): supervisors add clients, change their scopes,
issue and revoke keys."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADD = {
    "Supervisors": [
        ("marketplace", "add_apiclient"),
        ("marketplace", "change_apiclient"),
        ("marketplace", "view_apiclient"),
        ("marketplace", "view_apikey"),
    ],
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
        ("arbitration", "0012_webhooks_staff_permissions"),
        ("marketplace", "0008_history_webhook_endpoints"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
