"""Forms of the buyer's and seller's money pages: sign-in, receipt, protection extensions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace import login_limits
from marketplace.forms import Form


class SignInForm(AuthenticationForm):
    """Django's sign-in form that says plainly when sign-in is paused or slowed (R-SEC-3).

    The limits themselves are enforced by ``login_limits.RateLimitedModelBackend`` for every
    login, so this form only explains them; it never lets an attempt through that the backend
    refuses.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if self.request is not None and (pause := login_limits.pause_for(self.request, username)):
            raise self._paused(pause)
        try:
            return super().clean()
        except ValidationError:
            # This failure may have been the one that paused the account.
            pause = login_limits.pause_for(self.request, username) if self.request is not None else None
            if pause is not None and pause.account:
                raise self._paused(pause) from None
            raise

    @staticmethod
    def _paused(pause: login_limits.Pause) -> ValidationError:
        if not pause.account:
            return ValidationError(login_limits.throttled_message(pause.seconds), code="rate_limited")
        minutes = max(1, -(-pause.seconds // 60))
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


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's password reset, limited per address and per email address (issue 13).

    An address over its limit is told to wait; an email address over its limit gets no more
    emails, and the page says what it always says, so it reveals no account.
    """

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        if wait := login_limits.password_reset_wait(self.request):
            minutes = max(1, -(-wait // 60))
            raise ValidationError(
                ngettext(
                    "Too many password reset requests from your network. Try again in %(minutes)d minute.",
                    "Too many password reset requests from your network. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="rate_limited",
            )
        return super().clean()

    def save(self, *args, **kwargs):
        if login_limits.password_reset_allowed_for_email(self.request, self.cleaned_data["email"]):
            super().save(*args, **kwargs)


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
