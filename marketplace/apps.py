from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "marketplace"
    verbose_name = _("Marketplace: orders, escrow and refunds")

    def ready(self) -> None:
        from marketplace import checks  # noqa: F401  (registers the deploy checks)
