"""Forms of the buyer's and seller's dispute pages (SPEC §4, §7–§10).

Forms check the shape of the input (a choice made, an amount that is a number); the rules
(who may act, when, within which amounts) are the services', which raise ``DomainError``
with a message the view shows beside the form (``form_refused``). Amounts and texts are the
shared fields of ``marketplace.forms``: what a person types in their language, never cut silently.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arbitration.evidence import EvidenceRejected, evidence_remaining
from arbitration.evidence.forms import EvidenceFilesField
from arbitration.models import Complaint, Offer, Reason, ReturnShipment, WantedResolution
from arbitration.services import NOTE_MAX_CHARS, TEXT_MAX_CHARS
from marketplace.errors import DomainError
from marketplace.forms import AmountField, Form


def form_refused(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal beside the form: a rejected file on the files field, the rest on top."""
    if isinstance(exc, EvidenceRejected) and "files" in form.fields:
        form.add_error("files", list(exc.messages))
    else:
        form.add_error(None, exc.message_text)


def evidence_field(label=None, required: bool = False, max_files: int | None = None) -> EvidenceFilesField:
    """The evidence upload (issue 8's field: several files, the rules as help text, every refused
    file explained by name), with the limits the page's script checks before uploading."""
    field = EvidenceFilesField(required=required, max_files=max_files, **({"label": label} if label else {}))
    field.widget.attrs.update(
        {
            "class": "evidence-input",
            "data-max-image": settings.EVIDENCE_MAX_IMAGE_MB,
            "data-max-video": settings.EVIDENCE_MAX_VIDEO_MB,
            "data-max-pdf": settings.EVIDENCE_MAX_PDF_MB,
        }
    )
    return field


class EvidenceFormMixin:
    """Adds the ``files`` field at form creation, so the rules follow the current settings and,
    given the dispute, the number of files it can still take (R-EVD-2)."""

    fields: dict[str, forms.Field]  # a form's, once mixed into one
    evidence_label: str | Promise | None = None
    evidence_required = False

    def __init__(self, *args, dispute=None, remaining: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if remaining is None and dispute is not None:
            remaining = evidence_remaining(dispute=dispute)
        self.fields["files"] = evidence_field(self.evidence_label, self.evidence_required, remaining)


class ClaimForm(Form):
    show_when = {"requested_amount": "resolution=partial_refund"}
    reason = forms.ChoiceField(label=_("What went wrong?"), choices=Reason.choices, widget=forms.RadioSelect)
    resolution = forms.ChoiceField(
        label=_("What do you want?"), choices=WantedResolution.choices, widget=forms.RadioSelect
    )
    requested_amount = AmountField(
        label=_("Amount you want back"),
        help_text=_("Only for a partial refund: more than 0 and less than what you paid."),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_CHARS,
        help_text=_("What you expected, what you received, and what you already tried with the seller."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("resolution") == WantedResolution.PARTIAL_REFUND
            and not data.get("requested_amount")
            and "requested_amount" not in self.errors  # one sentence per field: the field's own
        ):
            self.add_error("requested_amount", _("Enter the amount you want back for a partial refund."))
        elif data.get("resolution") != WantedResolution.PARTIAL_REFUND:
            data["requested_amount"] = None
        return data


class DisputeOpenForm(EvidenceFormMixin, ClaimForm):
    """R-DSP-2: reason, resolution wanted (amount for a partial refund), description, evidence."""

    evidence_label = _("Photos, videos or documents that show the problem")


class AmendForm(ClaimForm):
    """R-DSP-3: a new version of the claim; the previous one is kept."""


class MessageForm(EvidenceFormMixin, Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=TEXT_MAX_CHARS,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("body") or "").strip() and not data.get("files") and not self.errors:
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class AcceptClaimForm(Form):
    """The seller accepts the claim as stated; a return needs the address to send it to."""

    def __init__(self, *args, needs_return: bool = False, return_address: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if needs_return:
            self.fields["return_address"] = forms.CharField(
                label=_("Return address"),
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=return_address,
                help_text=_("The buyer sends the item here. Filled in from your default return address."),
            )


class OfferForm(Form):
    show_when = {"return_address": "kind=return_and_refund"}
    kind = forms.ChoiceField(label=_("Your offer"), choices=Offer.Kind.choices, widget=forms.RadioSelect)
    amount = AmountField(
        label=_("Refund amount"),
        help_text=_(
            "Partial refund: more than 0 and less than the price paid. Return and refund: leave empty to "
            "refund the full price after the return arrives."
        ),
    )
    return_address = forms.CharField(
        label=_("Return address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Only for a return. Filled in from your default return address."),
    )
    note = forms.CharField(
        label=_("Note to the buyer (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX_CHARS,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == Offer.Kind.PARTIAL_REFUND and not data.get("amount") and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount you offer to refund."))
        if kind == Offer.Kind.RETURN_AND_REFUND and not (data.get("return_address") or "").strip():
            self.add_error(
                "return_address", _("A return needs the address the buyer should send the item to.")
            )
        return data


class RejectForm(EvidenceFormMixin, Form):
    explanation = forms.CharField(
        label=_("Why do you reject the claim?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_CHARS,
        help_text=_("The buyer and, if it comes to that, the arbiters will read this."),
    )


class AcceptOfferForm(Form):
    offer_id = forms.IntegerField(widget=forms.HiddenInput)


class DeclineOfferForm(Form):
    reason = forms.CharField(
        label=_("Why do you decline? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_MAX_CHARS,
    )


class EscalateForm(Form):
    pass


class WithdrawForm(Form):
    """R-DSP-9: the warning is read and confirmed; a flagged dispute needs a second confirmation."""

    confirmed = forms.BooleanField(
        label=_(
            "I understand that a withdrawn dispute can't be reopened and arbitration will no longer be "
            "possible."
        ),
        error_messages={"required": _("Tick the box to confirm you understand, or keep the dispute open.")},
    )
    confirmed_despite_solicitation = forms.BooleanField(
        label=_(
            "I know the seller asked me to close the dispute or offered money outside the platform, and I "
            "still want to withdraw."
        ),
        required=False,
    )


class ReturnShipForm(Form):
    carrier = forms.CharField(
        label=_("Carrier"), max_length=100, help_text=_("For example: Russian Post, DHL.")
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class ReturnAcknowledgeForm(EvidenceFormMixin, Form):
    acknowledgement = forms.ChoiceField(
        label=_("What arrived?"), choices=ReturnShipment.Acknowledgement.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=TEXT_MAX_CHARS,
        help_text=_("Needed when you report a problem; arbiters will review it."),
    )
    evidence_label = _("Photos or a video of what arrived (needed for a problem report)")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        problem = data.get("acknowledgement") not in (None, "", ReturnShipment.Acknowledgement.RECEIVED_OK)
        if problem and not (data.get("note") or "").strip():
            self.add_error("note", _("Describe the problem with the returned item; arbiters will review it."))
        if problem and "files" not in self.errors and not data.get("files"):
            self.add_error(
                "files", _("Attach photos or a video of what arrived; a problem report needs evidence.")
            )
        return data


class ComplaintForm(EvidenceFormMixin, Form):
    """R-CMP-1: after closure, to arbitration, with evidence such as a bank statement."""

    kind = forms.ChoiceField(
        label=_("What is the complaint about?"),
        choices=[
            (Complaint.Kind.REFUND_NOT_RECEIVED, Complaint.Kind.REFUND_NOT_RECEIVED.label),
            (Complaint.Kind.AGREEMENT_BROKEN, Complaint.Kind.AGREEMENT_BROKEN.label),
        ],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What happened and what was agreed?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_CHARS,
    )
    evidence_label = _("Screenshots, a bank statement or other evidence")

    def __init__(self, *args, dispute=None, **kwargs):
        super().__init__(*args, dispute=dispute, **kwargs)
        if dispute is not None and dispute.refund_id is None:  # nothing was to be refunded
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (Complaint.Kind.AGREEMENT_BROKEN, Complaint.Kind.AGREEMENT_BROKEN.label)
            ]


class SafetyReportForm(EvidenceFormMixin, Form):
    """R-SAF-1: any time, even after protection ended."""

    description = forms.CharField(
        label=_("What is dangerous about the product?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_CHARS,
        help_text=_("For example: the battery swelled and got hot while charging."),
    )
    evidence_label = _("Photos or videos of the product")
