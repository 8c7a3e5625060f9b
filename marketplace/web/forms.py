"""Forms of the buyer's and seller's money pages: sign-in, receipt, protection extensions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace import login_limits
from marketplace.forms import Form


class SignInForm(AuthenticationForm):
    """Django's sign-in form that says plainly when sign-in is paused (R-SEC-3).

    The limit itself is enforced by ``login_limits.RateLimitedModelBackend`` for every login,
    so this form only explains it; it never lets an attempt through that the backend refuses.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if self.request is not None and (wait := login_limits.seconds_locked(self.request, username)):
            raise self._locked(wait)
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and (wait := login_limits.seconds_locked(self.request, username)):
                raise self._locked(wait) from None
            raise

    @staticmethod
    def _locked(seconds: int) -> ValidationError:
        minutes = max(1, -(-seconds // 60))
        return ValidationError(
            ngettext(
                "Too many failed sign-in attempts. For your security, signing in is paused for %(minutes)d "
                "minute. Try again later, or reset your password.",
                "Too many failed sign-in attempts. For your security, signing in is paused for %(minutes)d "
                "minutes. Try again later, or reset your password.",
                minutes,
            )
            % {"minutes": minutes},
            code="rate_limited",
        )


class ExtensionRequestForm(Form):
    """R-PRT-4: the buyer asks the seller for more protection days (1 to EXTENSION_MAX_DAYS)."""

    reason = forms.CharField(
        label=_("Why do you need more time?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the parcel is still in transit; tracking has not moved for two weeks."),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, not at import, so the limit follows the setting (tests override it).
        maximum = settings.EXTENSION_MAX_DAYS
        self.fields = {
            "days": forms.IntegerField(
                label=_("How many more days do you need?"),
                min_value=1,
                max_value=maximum,
                help_text=_("Between 1 and %(max)s days.") % {"max": maximum},
            ),
            **self.fields,
        }


class ExtensionDeclineForm(Form):
    reason = forms.CharField(
        label=_("Why do you decline? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("The buyer will read this."),
    )


class ConfirmReceiptForm(Form):
    """No fields: the page states what confirming does (R-PRT-2) and the button confirms it."""
