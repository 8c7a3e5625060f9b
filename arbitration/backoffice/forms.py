"""Forms of the arbiter back office: decisions on disputes and complaints, information requests,
reassignment, messages, safety-report outcomes.

Forms collect and tidy input and show the rules' messages beside the right field. The rules
themselves live in the services (``arbitration.services``): a dispute decision's amounts are
checked by ``decision_effect`` here exactly as ``dispute_decide`` will check them, so what the
confirmation step shows is what the decision will do.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arbitration import services
from arbitration.evidence.forms import EvidenceFilesField
from arbitration.models import (
    Complaint,
    Decision,
    Dispute,
    InformationRequest,
    SafetyReport,
)
from marketplace.errors import DomainError
from marketplace.forms import AmountField
from marketplace.models import Order, Refund, User
from marketplace.presentation import format_money

TEXTAREA = {"rows": 4, "cols": 70}


def arbiters() -> forms.models.QuerySet:
    """Active people who may take cases: the arbiter permission through a group or directly."""
    permission = Permission.objects.filter(content_type__app_label="arbitration", codename="arbitrate")
    return (
        User.objects.filter(is_active=True, is_system=False)
        .filter(
            Q(groups__permissions__in=permission) | Q(user_permissions__in=permission) | Q(is_superuser=True)
        )
        .distinct()
        .order_by("first_name", "username")
    )


def effect_key(effect) -> str:
    """A fingerprint of what the arbiter confirmed: committing re-checks it (the money may have moved)."""
    return "|".join(str(getattr(effect, name)) for name in sorted(vars(effect)))


# --- Deciding a case (R-ARB-2, R-CMP-1) --------------------------------------------------------


class CaseDecisionForm(forms.Form):
    """What deciding any case asks besides its outcome: an optional penalty against the seller
    with its reason (R-ARB-5). The decide page (``CaseAdmin.decide_view``) shows what the decision
    does, then commits it only when the page posts back, in ``confirm_field``, the
    ``confirmation()`` this form computes now."""

    confirm_field = "confirmed"

    penalty_amount = AmountField(
        label=_("Seller penalty"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Optional: a fine against the seller's balance, recorded in the ledger (R-ARB-5)."),
    )
    penalty_reason = forms.CharField(
        label=_("Penalty reason"),
        required=False,
        max_length=services.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        help_text=_("Required with a penalty; the seller sees it."),
    )
    confirm_large_penalty = forms.BooleanField(
        label=_("Yes, a penalty above the order's amount is what I mean"),
        required=False,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        # Shown beside the penalty once it is above the order's amount (see ``_clean_penalty_reason``).
        self.large_penalty = bool(self.data.get(self.add_prefix("confirm_large_penalty")))

    def order(self) -> Order:
        return self.case.order if isinstance(self.case, Dispute) else self.case.dispute.order

    def confirmation(self) -> str:
        """What the arbiter confirms: a plain yes (the service checks the decision whole)."""
        return "1"

    def outcome_label(self) -> str:
        return str(dict(self.fields["outcome"].choices)[self.cleaned_data["outcome"]])

    def _clean_penalty_reason(self, data: dict) -> None:
        """A penalty and its reason come together: the seller reads why they were fined."""
        data["penalty_reason"] = (data.get("penalty_reason") or "").strip()
        penalty = data.get("penalty_amount")
        if "penalty_amount" in self.errors:
            return  # the amount's own sentence is enough
        if penalty is None and data["penalty_reason"]:
            self.add_error("penalty_amount", _("Enter the penalty amount, or clear the reason."))
        if penalty is not None and not data["penalty_reason"]:
            self.add_error("penalty_reason", _("Give the reason for the penalty; the seller will see it."))
        self._confirm_large_penalty(data)

    def _confirm_large_penalty(self, data: dict) -> None:
        """A penalty above the order's amount is more often a slip (an extra zero) than meant: it
        needs an explicit yes, and the form says by how much it exceeds the order."""
        penalty, order = data.get("penalty_amount"), self.order()
        if penalty is None or penalty <= order.amount:
            return
        self.large_penalty = True
        if not data.get("confirm_large_penalty"):
            self.add_error(
                "penalty_amount",
                _(
                    "This penalty is %(ratio)s times the order's amount (%(amount)s). Correct it, or "
                    "confirm below that you mean it."
                )
                % {
                    "ratio": f"{penalty / order.amount:.1f}".rstrip("0").rstrip("."),
                    "amount": format_money(order.amount, order.currency),
                },
            )


class DecisionForm(CaseDecisionForm):
    """R-ARB-2: outcome, amount, return terms, rationale, optional penalty. The confirmation is
    the fingerprint of the money effect shown: if the money moved meanwhile, nothing is decided."""

    confirm_field = "confirmed_effect"
    field_order = ("outcome", "refund_amount", "return_days", "return_address", "rationale")

    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    refund_amount = AmountField(
        label=_("Refund to the buyer"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_(
            "Partial refund: more than 0 and less than the amount held. Return then refund: "
            "leave empty to refund everything held once the return arrives."
        ),
    )
    return_days = forms.IntegerField(
        label=_("Days for the buyer to ship the return"),
        min_value=1,
        max_value=60,
        required=False,
        initial=settings.RETURN_SHIP_DAYS,
    )
    return_address = forms.CharField(
        label=_("Return address"),
        required=False,
        max_length=services.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text=_("Where the buyer sends the item; the seller's default return address is filled in."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=services.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Both parties read it. Say what the evidence showed and why this outcome is fair."),
        error_messages={"required": _("Write the rationale: both parties will read why you decided this.")},
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.effect: services.DecisionEffect | None = None
        if not self.is_bound:
            self.fields["return_address"].initial = case.seller.return_address

    def confirmation(self) -> str:
        return effect_key(self.effect)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if not outcome or "refund_amount" not in data or "penalty_amount" not in data:
            return data  # the field errors say what is missing
        amount = data.get("refund_amount")
        Outcome = Decision.Outcome
        if outcome == Outcome.PARTIAL_REFUND and amount is None:
            self.add_error("refund_amount", _("Enter the amount to refund to the buyer."))
            return data
        if outcome == Outcome.RETURN_THEN_REFUND:
            data["return_address"] = (data.get("return_address") or "").strip()
            if not data["return_address"]:
                self.add_error("return_address", _("A return needs the address the buyer sends the item to."))
            if not data.get("return_days"):
                self.add_error("return_days", _("Give the buyer a number of days to ship the return (1–60)."))
        if outcome not in (Outcome.PARTIAL_REFUND, Outcome.RETURN_THEN_REFUND):
            data["refund_amount"] = amount = None  # a full refund or a rejection has no amount to choose
        try:
            services.decision_effect(dispute=self.case, outcome=outcome, refund_amount=amount)
        except DomainError as error:
            self.add_error("refund_amount", error.message_text)
            return data
        self._clean_penalty_reason(data)
        penalty = data.get("penalty_amount")
        try:
            self.effect = services.decision_effect(
                dispute=self.case, outcome=outcome, refund_amount=amount, penalty_amount=penalty
            )
        except DomainError as error:
            self.add_error("penalty_amount", error.message_text)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        is_return = data["outcome"] == Decision.Outcome.RETURN_THEN_REFUND
        return {
            "outcome": data["outcome"],
            "rationale": data["rationale"],
            "refund_amount": data.get("refund_amount"),
            "return_days": data.get("return_days") if is_return else None,
            "return_address": data.get("return_address", "") if is_return else "",
            "penalty_amount": data.get("penalty_amount"),
            "penalty_reason": data.get("penalty_reason", ""),
        }


class ComplaintDecisionForm(CaseDecisionForm):
    """R-CMP-1: re-issue the refund, refund from the seller's balance, confirm paid, or reject."""

    field_order = ("outcome", "refund_amount", "new_destination", "rationale")

    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Complaint.Outcome.choices, widget=forms.RadioSelect
    )
    refund_amount = AmountField(
        label=_("Refund from the seller's balance"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Only for a refund from the seller's balance."),
    )
    new_destination = forms.CharField(
        label=_("Pay the re-issued refund to"),
        max_length=100,
        required=False,
        help_text=_(
            "Only when the failed refund should go elsewhere: the card or account the buyer gave. "
            "Left empty, it goes where it went before."
        ),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=services.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The buyer and the seller read it."),
        error_messages={"required": _("Write the rationale: the buyer and the seller will read it.")},
    )

    def __init__(self, *args, case: Complaint, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        escrow = case.dispute.order.escrow
        self.refundable = escrow.held - escrow.refunded - escrow.refunded_by_seller
        # Nothing left to refund: the choice would only lead to a refusal, so it isn't offered.
        self.offers_seller_refund = self.refundable > 0
        if not self.offers_seller_refund:
            self.fields["outcome"].choices = [
                choice
                for choice in Complaint.Outcome.choices
                if choice[0] != Complaint.Outcome.REFUND_FROM_SELLER
            ]
        self.fields["refund_amount"].help_text = _(
            "Only for a refund from the seller's balance: at most %(amount)s %(currency)s can still be "
            "refunded."
        ) % {"amount": self.refundable, "currency": case.dispute.order.currency}

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        Outcome = Complaint.Outcome
        refund: Refund | None = self.case.refund
        amount = data.get("refund_amount")
        if outcome == Outcome.REFUND_FROM_SELLER and "refund_amount" not in self.errors:
            if amount is None:
                self.add_error("refund_amount", _("Enter the amount to refund from the seller's balance."))
            else:
                try:
                    services.refund_within(
                        amount,
                        ceiling=self.refundable,
                        whole_allowed=True,
                        refusal=_("Refund more than 0 and at most %(amount)s.") % {"amount": self.refundable},
                    )
                except DomainError as error:
                    self.add_error("refund_amount", error.message_text)
        elif outcome:
            data["refund_amount"] = None
        if outcome == Outcome.REISSUE_REFUND and (
            refund is None or refund.state not in (Refund.State.PENDING, Refund.State.FAILED)
        ):
            self.add_error(
                "outcome",
                _("Only a pending or failed refund can be re-issued; this one is “%(state)s”.")
                % {"state": refund.get_state_display() if refund else _("missing")},
            )
        data["new_destination"] = (data.get("new_destination") or "").strip()
        if outcome != Outcome.REISSUE_REFUND:
            data["new_destination"] = ""
        elif data["new_destination"] and refund is not None and refund.state != Refund.State.FAILED:
            self.add_error(
                "new_destination",
                _(
                    "Only a failed refund goes to a new destination; this one has not been sent yet "
                    "and goes to %(dest)s."
                )
                % {"dest": refund.destination},
            )
        if outcome == Outcome.CONFIRMED_PAID and (refund is None or refund.state != Refund.State.COMPLETED):
            self.add_error(
                "outcome", _("The refund is not recorded as paid; finance must mark it paid first.")
            )
        penalty = data.get("penalty_amount")
        if penalty is not None and penalty <= 0:
            self.add_error("penalty_amount", _("A penalty must be more than zero, or leave it empty."))
        self._clean_penalty_reason(data)
        return data

    def effect_lines(self) -> list[str]:
        """What committing will do, in words (shown on the confirmation step)."""
        data = self.cleaned_data
        Outcome = Complaint.Outcome
        order = self.case.dispute.order
        refund = self.case.refund
        lines = []
        if data["outcome"] == Outcome.REISSUE_REFUND and data["new_destination"]:
            lines.append(
                _("Send refund #%(id)s again: %(amount)s to %(dest)s instead of %(old)s.")
                % {
                    "id": refund.pk,
                    "amount": format_money(refund.amount, refund.currency),
                    "dest": data["new_destination"],
                    "old": refund.destination,
                }
            )
        elif data["outcome"] == Outcome.REISSUE_REFUND:
            lines.append(
                _("Send refund #%(id)s again: %(amount)s %(currency)s to %(dest)s.")
                % {
                    "id": refund.pk,
                    "amount": refund.amount,
                    "currency": refund.currency,
                    "dest": refund.destination,
                }
            )
        elif data["outcome"] == Outcome.REFUND_FROM_SELLER:
            lines.append(
                _("A new refund of %(amount)s %(currency)s to %(dest)s, paid from the seller's balance.")
                % {"amount": data["refund_amount"], "currency": order.currency, "dest": order.payment_method}
            )
        elif data["outcome"] == Outcome.CONFIRMED_PAID:
            lines.append(
                _("No money moves: the buyer is told the refund was paid (reference %(ref)s).")
                % {"ref": refund.payout_reference}
            )
        else:
            lines.append(_("No money moves: the complaint is rejected."))
        if data.get("penalty_amount"):
            lines.append(
                _("Penalty of %(amount)s %(currency)s against the seller.")
                % {"amount": data["penalty_amount"], "currency": order.currency}
            )
        return lines

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "rationale": data["rationale"],
            "refund_amount": data.get("refund_amount"),
            "penalty_amount": data.get("penalty_amount"),
            "penalty_reason": data.get("penalty_reason", ""),
            "new_destination": data.get("new_destination", ""),
        }


# --- The other forms of the case pages ---------------------------------------------------------


class InformationRequestForm(forms.Form):
    """R-ARB-6: ask a party for more information or evidence, with a deadline."""

    party = forms.ChoiceField(
        label=_("Ask"), choices=InformationRequest.Party.choices, widget=forms.RadioSelect
    )
    question = forms.CharField(
        label=_("What you need"),
        max_length=services.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The party is notified and sees it on the dispute page; their next message answers it."),
        error_messages={"required": _("Write what you need from the party.")},
    )
    due_in_days = forms.IntegerField(
        label=_("Days to answer"), min_value=1, max_value=30, initial=settings.INFORMATION_REQUEST_DAYS
    )


class ReassignForm(forms.Form):
    arbiter = forms.ModelChoiceField(label=_("Give the case to"), queryset=User.objects.none())

    def __init__(self, *args, current: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = arbiters()
        if current is not None:
            queryset = queryset.exclude(pk=current.pk)
        self.fields["arbiter"].queryset = queryset
        self.fields["arbiter"].label_from_instance = lambda user: user.get_full_name() or user.username


class ArbiterMessageForm(forms.Form):
    """The arbiter writes in the dispute's thread (R-DSP-7), with evidence if needed; the files
    are checked as every upload is (R-EVD-1, R-EVD-2)."""

    body = forms.CharField(
        label=_("Message to both parties"),
        required=False,
        max_length=services.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
    )
    files = EvidenceFilesField(label=_("Files"))

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("files") and "files" not in self.errors:
            raise ValidationError(_("Write a message or attach a file."))
        return data

    def problems(self) -> str:
        """Every reason the message was refused, in one line (the case page shows it as a message)."""
        return " ".join(str(error) for errors in self.errors.values() for error in errors)


class CaseNoteForm(forms.Form):
    """An internal note on the case: staff only, never shown to the parties."""

    body = forms.CharField(
        label=_("Internal note (staff only)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text=_("Only staff read it; the buyer and the seller never see it. Notes can't be edited."),
        error_messages={"required": _("Write the note.")},
    )


class SafetyReportCloseForm(forms.Form):
    """R-SAF-1: a report is closed only with an outcome and the reason for it."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        error_messages={"required": _("Choose the outcome: listing blocked, seller warned, or no action.")},
        choices=SafetyReport.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The buyer who reported it sees the outcome and this reason."),
        error_messages={"required": _("Write the reason for the outcome; the buyer will see it.")},
    )
