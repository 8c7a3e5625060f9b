from django.contrib import admin
from django.urls import include, path

from marketplace.web.account import SignInView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Issue 7: Django's sign-in view with the rate-limited form (R-SEC-3); must precede the include.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("evidence/", include("arbitration.evidence.urls")),
    path("", include("marketplace.web.urls")),
    path("", include("arbitration.web.urls")),
]
