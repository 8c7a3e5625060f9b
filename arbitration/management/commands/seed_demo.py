"""``manage.py seed_demo``: demo people and orders in every interesting state (SPEC §15).

Idempotent: people are created once, each scenario's order once (by its fixed number).
Demo passwords (username = password) only when DEBUG is on.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from marketplace import demo as money_demo
from marketplace.models import Order


def all_scenarios() -> dict:
    from arbitration import demo as dispute_demo  # noqa: F401  (registers the dispute scenarios)

    return money_demo.SCENARIOS


class Command(BaseCommand):
    help = "Create demo users and orders in every interesting state (idempotent)."

    def handle(self, *args, **options):
        with_passwords = settings.DEBUG
        people = money_demo.ensure_people(with_passwords=with_passwords)
        created = 0
        for number, scenario in all_scenarios().items():
            if Order.objects.filter(number=number).exists():
                continue
            with transaction.atomic():
                scenario(number, people)
            created += 1
        self.stdout.write(
            f"Demo data: {created} scenario(s) created, {len(all_scenarios()) - created} already there."
        )
        key = money_demo.ensure_api_client(with_key=with_passwords)
        self.stdout.write("API: docs at /api/v1/docs, schema at /api/v1/openapi.json")
        if key:
            self.stdout.write(f"Demo API key (all scopes, default account): {key}")
        if not with_passwords:
            self.stdout.write(
                self.style.WARNING(
                    "DEBUG is off, so demo users have no passwords. Set them with `manage.py changepassword`."
                )
            )
