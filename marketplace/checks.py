"""System checks of the money core (``manage.py check --deploy``).

Demo accounts (``seed_demo``: ``admin``/``admin`` and password-equals-username people) left in a
production database are a way in; they are refused sign-in with DEBUG off
(``login_limits.RateLimitedModelBackend``) and this check names them until they are removed.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError

W001 = "marketplace.W001"


@register(Tags.security, deploy=True)
def demo_accounts_exist(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from marketplace.models import DEMO_ACCOUNTS_GROUP, User

    try:
        usernames = list(
            User.objects.filter(groups__name=DEMO_ACCOUNTS_GROUP)
            .order_by("username")[:10]
            .values_list("username", flat=True)
        )
    except DatabaseError:
        # No database yet (a fresh checkout, a build step before migrate): no demo accounts either.
        return []
    if not usernames:
        return []
    return [
        Warning(
            f"Demo accounts exist in this database: {', '.join(usernames)}.",
            hint=(
                "seed_demo created them with their username as password. They can't sign in while "
                "DEBUG is off; delete them (admin → People) before going live."
            ),
            id=W001,
        )
    ]
