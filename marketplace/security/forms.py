"""The code field of the enrolment and verification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


class ResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("How you confirmed who asked, for the audit (for example: video call, ID checked)."),
    )
