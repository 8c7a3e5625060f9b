"""Forms of the money admin: payouts finance operators record (R-REF-3), and the user forms.

They only collect and tidy input; the payout services decide what is allowed and refuse
with a message (``DomainError``) that the admin shows beside the form.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Refund, User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    """Django's forms are bound to ``auth.User``; these are for ``marketplace.User``. The admin's
    variant: Django's add-user fieldsets ask whether password login is enabled."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


REFERENCE_HELP = _("The reference the bank or payment provider gave for this payout.")


class RefundMarkSentForm(forms.Form):
    reference = forms.CharField(
        label=_("Payout reference"),
        max_length=100,
        help_text=REFERENCE_HELP,
        widget=forms.TextInput(attrs={"autofocus": True, "size": 40}),
    )


class RefundMarkCompletedForm(forms.Form):
    reference = forms.CharField(
        label=_("Payout reference"),
        max_length=100,
        required=False,
        help_text=_("Leave as it is unless the provider confirmed the payment under another reference."),
        widget=forms.TextInput(attrs={"size": 40}),
    )


class RefundMarkFailedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the payout failed"),
        max_length=500,
        help_text=_(
            "For example: 'card closed, bank returned the transfer'. The next attempt should avoid it."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "autofocus": True}),
    )


class RefundRetryForm(forms.Form):
    """A failed payout's next attempt, to the same destination or to another the buyer gave
    (a closed card declines again): ``refund_retry(destination=…)``."""

    destination = forms.CharField(
        label=_("Pay to"),
        max_length=100,
        required=False,
        help_text=_(
            "Change it when the buyer gave another card or account; the old destination stays in "
            "the refund's history. Left empty, the payout goes where it went before."
        ),
        widget=forms.TextInput(attrs={"size": 40, "autofocus": True}),
    )


class BulkMarkSentForm(forms.Form):
    """One payout reference per selected refund: each payout has its own."""

    def __init__(self, *args, refunds: list[Refund], **kwargs):
        super().__init__(*args, **kwargs)
        self.refunds = refunds
        for refund in refunds:
            self.fields[self.field_name(refund)] = forms.CharField(
                label=f"#{refund.pk}", max_length=100, widget=forms.TextInput(attrs={"size": 30})
            )

    @staticmethod
    def field_name(refund: Refund) -> str:
        return f"reference_{refund.pk}"

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, int] = {}
        for refund in self.refunds:
            value = (cleaned.get(self.field_name(refund)) or "").strip()
            if value and value in seen:
                self.add_error(
                    self.field_name(refund), _("Each payout has its own reference; this one is repeated.")
                )
            seen[value] = refund.pk
        return cleaned

    def rows(self) -> list[tuple[Refund, forms.BoundField]]:
        return [(refund, self[self.field_name(refund)]) for refund in self.refunds]

    def references(self) -> dict[int, str]:
        return {refund.pk: self.cleaned_data[self.field_name(refund)].strip() for refund in self.refunds}
