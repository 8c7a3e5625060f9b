from django.urls import include, path

from marketplace.security import views

urlpatterns = [
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/two-factor/recovery-codes/", views.recovery_codes_renew, name="two-factor-recovery-codes"),
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
]
