"""The buyer's claim through its life, and the thread: amend it (R-DSP-3), write and add evidence
(R-DSP-7), escalate it (R-DSP-6), withdraw it (R-DSP-9), complain once it is closed (R-CMP-1)."""

from __future__ import annotations

from functools import cached_property

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from arbitration import services
from arbitration.presentation.texts import seller_flag_warning
from arbitration.web import forms
from arbitration.web.actions import DisputeActionView


class AmendView(DisputeActionView):
    action = "amend"
    form_class = forms.AmendForm

    @classmethod
    def form_kwargs(cls, dispute):
        return {
            "initial": {
                "reason": dispute.reason,
                "resolution": dispute.resolution,
                "requested_amount": dispute.requested_amount,
                "description": dispute.description,
            }
        }

    def get_context(self, form):
        context = super().get_context(form)
        context["intro"] = _(
            "You can change the claim %(left)s more times (of %(max)s). The previous version is kept. "
            "Messages and evidence are not amendments: add them freely on the dispute page."
        ) % {"left": self.dispute.amendments_left(), "max": settings.MAX_DISPUTE_AMENDMENTS}
        return context

    def perform(self, data):
        dispute = services.dispute_amend(
            dispute=self.dispute,
            actor=self.request.user,
            reason=data["reason"],
            resolution=data["resolution"],
            description=data["description"],
            requested_amount=data["requested_amount"],
        )
        return _("The claim is amended. Amendments left: %(left)s of %(max)s.") % {
            "left": dispute.amendments_left(),
            "max": settings.MAX_DISPUTE_AMENDMENTS,
        }


class MessageView(DisputeActionView):
    action = "message"
    form_class = forms.MessageForm

    def perform(self, data):
        message = services.dispute_post_message(
            dispute=self.dispute, actor=self.request.user, body=data["body"], files=data["files"]
        )
        if message.is_flagged and self.availability.role == "seller":
            messages.warning(self.request, seller_flag_warning(message))  # R-DSP-8: said at once
        if data["files"]:
            count = len(data["files"])
            return ngettext("Sent, with %(count)d file.", "Sent, with %(count)d files.", count) % {
                "count": count
            }
        return _("Message sent.")

    def submit_label(self):
        return _("Send")


class EscalateView(DisputeActionView):
    action = "escalate"
    form_class = forms.EscalateForm
    intro = gettext_lazy(
        "An arbiter will read the whole case, may ask you for more information, and decides. The "
        "decision is final."
    )

    def perform(self, data):
        services.dispute_escalate(dispute=self.dispute, actor=self.request.user)
        return _("The dispute is with arbitration now. An arbiter will take it and decide.")


class WithdrawView(DisputeActionView):
    """R-DSP-9: the warning first; with a flagged seller message, a second confirmation step."""

    action = "withdraw"
    form_class = forms.WithdrawForm
    template_name = "arbitration/withdraw.html"
    second_step = False

    def get_context(self, form):
        context = super().get_context(form)
        context["warning"] = self.warning
        context["second_step"] = self.second_step
        return context

    @cached_property
    def warning(self) -> services.WithdrawalWarning:
        return services.withdrawal_warning(self.dispute)

    def perform(self, data):
        if self.warning.needs_second_confirmation and not data.get("confirmed_despite_solicitation"):
            # The first confirmation is given; now the explicit second one, with the flagged message shown.
            self.second_step = True
            form: django_forms.Form = self.form_class(initial={"confirmed": True})
            if self.request.POST.get("step") == "2":
                form = self.make_form(self.dispute, self.request.POST)
                form.is_valid()
                form.add_error(
                    "confirmed_despite_solicitation",
                    _("Tick this box to withdraw anyway, or keep the dispute open."),
                )
            return self.render(form)
        services.dispute_withdraw(
            dispute=self.dispute,
            actor=self.request.user,
            confirmed=data["confirmed"],
            confirmed_despite_solicitation=data.get("confirmed_despite_solicitation", False),
        )
        return _("You withdrew the dispute. It is closed and the payment goes to the seller.")


class ComplaintView(DisputeActionView):
    """R-CMP-1: after closure the dispute can't be reopened, but the buyer can complain."""

    action = "file_complaint"
    form_class = forms.ComplaintForm
    title = gettext_lazy("File a complaint to arbitration")
    intro = gettext_lazy(
        "A closed dispute can't be reopened. If the agreed refund has not arrived or the seller broke an "
        "agreement, arbitration looks into it and can refund you from the seller's balance."
    )

    def perform(self, data):
        services.complaint_file(
            dispute=self.dispute,
            actor=self.request.user,
            kind=data["kind"],
            description=data["description"],
            files=data["files"],
        )
        return _("Your complaint is with arbitration. You will see the decision on this page.")
