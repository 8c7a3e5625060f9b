"""Staff groups and what they may do (R-SEC-2): Arbiters, Finance, Supervisors.

Arbiters take and decide cases; Finance marks payouts; Supervisors also reassign cases and
edit solicitation patterns. Everyone else on the staff sees nothing until given a group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_CASES = [
    ("arbitration", "view_dispute"), ("arbitration", "view_claimversion"), ("arbitration", "view_offer"),
    ("arbitration", "view_message"), ("arbitration", "view_evidence"), ("arbitration", "view_decision"),
    ("arbitration", "view_returnshipment"), ("arbitration", "view_informationrequest"),
    ("arbitration", "view_complaint"), ("arbitration", "view_safetyreport"),
    ("marketplace", "view_order"), ("marketplace", "view_shipment"), ("marketplace", "view_trackingevent"),
    ("marketplace", "view_escrowhold"), ("marketplace", "view_ledgerentry"), ("marketplace", "view_refund"),
    ("marketplace", "view_user"),
]

GROUPS = {
    "Arbiters": [("arbitration", "arbitrate"), *READ_CASES],
    "Finance": [
        ("marketplace", "manage_payouts"), ("marketplace", "view_refund"), ("marketplace", "view_order"),
        ("marketplace", "view_ledgerentry"), ("marketplace", "view_escrowhold"),
        ("marketplace", "view_reconciliationrun"), ("marketplace", "view_user"),
    ],
    "Supervisors": [
        ("arbitration", "supervise"), ("arbitration", "arbitrate"), *READ_CASES,
        ("arbitration", "view_solicitationpattern"), ("arbitration", "add_solicitationpattern"),
        ("arbitration", "change_solicitationpattern"), ("marketplace", "view_reconciliationrun"),
    ],
}


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codes:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("arbitration", "0002_default_solicitation_patterns"),
        ("marketplace", "0002_ledger_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
