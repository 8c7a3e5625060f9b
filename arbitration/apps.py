from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArbitrationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "arbitration"
    verbose_name = _("Arbitration: disputes, complaints and safety reports")

    def ready(self) -> None:
        # Evidence's edit/delete guards are signal receivers: connect them in every process.
        # The daily reconciliation (R-JOB-4) also checks that each dispute has the rows its state needs.
        from arbitration import selectors  # noqa: F401
        from arbitration.evidence import services  # noqa: F401
