"""Arbiters and supervisors read the audit log and the solicitation patterns; finance reads the
simulated gateway's payouts (what the admin back office shows them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADD = {
    "Arbiters": [("arbitration", "view_solicitationpattern"), ("django_fsm_log", "view_statelog")],
    "Supervisors": [("django_fsm_log", "view_statelog")],
    "Finance": [("marketplace", "view_simulatedpayout")],
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
        ("arbitration", "0005_admin_indexes"),
        ("marketplace", "0004_admin_indexes"),
        ("django_fsm_log", "0004_auto_20190131_0341"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
