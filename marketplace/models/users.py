"""People, and the scheduler as a user so every change names its actor (R-ESC-2, R-SEC-2)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.audit.tracking import history
from marketplace.search import person_index
from marketplace.text import without_bidi_controls

# ``seed_demo`` puts the people it creates in this group (their password is their username).
# With DEBUG off they can't sign in, and ``check --deploy`` warns while any exist (issue 13).
DEMO_ACCOUNTS_GROUP = "Demo accounts"


@history(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person using the marketplace (buyer, seller, staff) or the scheduler itself.

    The scheduler is a user row with ``is_system=True`` so every transition and ledger entry
    it makes names it as the actor (R-ESC-2, R-SEC-2), like any person.
    """

    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_system = models.BooleanField(default=False, help_text=_("The scheduler: not a person, can't log in."))
    return_address = models.TextField(
        _("default return address"), blank=True, help_text=_("Sellers: where buyers send returns.")
    )

    # Who the marketplace knows this person as (R-API-2): its own id, unique in its account.
    account = models.SlugField(max_length=50, blank=True, default="", db_default="")
    external_id = models.CharField(_("marketplace id"), max_length=100, blank=True, default="", db_default="")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # R-OPS-1: granted to the Supervisors group (migration audit.0003).
        permissions = [("reset_second_factor", "Can reset another person's second factor")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=~models.Q(external_id=""),
                name="user_external_id_unique_per_account",
            ),
        ]
        # The back office's search finds a person by any part of a name, username or e-mail.
        indexes = [person_index(name="user_search_trgm")]

    @property
    def is_demo_account(self) -> bool:
        return self.groups.filter(name=DEMO_ACCOUNTS_GROUP).exists()

    def save(self, *args, **kwargs) -> None:
        # Names are shown to the other party and staff: no direction controls (marketplace.text).
        self.first_name = without_bidi_controls(self.first_name)
        self.last_name = without_bidi_controls(self.last_name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username
