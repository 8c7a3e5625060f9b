from django.contrib import admin
from django.urls import include, path

from config.api import api
from config.health import HealthView, ReadyView
from config.metrics import metrics_view
from marketplace.security.views import second_factor_reset
from marketplace.web.account import SignInView

urlpatterns = [
    # A supervisor resets a person's second factor (R-OPS-1), inside the admin.
    path(
        "admin/second-factor/<int:user_id>/reset/",
        admin.site.admin_view(second_factor_reset),
        name="second-factor-reset",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The integration API (R-API-1): API keys only, no session, so no CSRF.
    path("api/v1/", api.urls),
    # Django's sign-in view with the rate-limited form (R-SEC-3); must precede the include.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("evidence/", include("arbitration.evidence.urls")),
    # Second factor pages (R-OPS-1), health and metrics (R-OPS-3).
    path("", include("marketplace.security.urls")),
    path("health/", HealthView.as_view(), name="health"),
    path("health/ready/", ReadyView.as_view(), name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("marketplace.web.urls")),
    path("", include("arbitration.web.urls")),
]
