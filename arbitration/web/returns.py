"""The return of the item (R-RET-1, R-RET-2): the buyer enters the tracking number, the seller
confirms the return arrived or reports a problem with evidence."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arbitration import services
from arbitration.models import Dispute
from arbitration.web import forms
from arbitration.web.actions import DisputeActionView


class ReturnShipView(DisputeActionView):
    action = "ship_return"
    form_class = forms.ReturnShipForm

    def get_context(self, form):
        context = super().get_context(form)
        context["return_shipment"] = self.dispute.return_shipment
        return context

    def perform(self, data):
        services.return_ship(
            dispute=self.dispute,
            actor=self.request.user,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
        return _("Return recorded. The seller must confirm it arrived or report a problem by the deadline.")

    def submit_label(self):
        return _("I have shipped the return")


class ReturnAcknowledgeView(DisputeActionView):
    """R-RET-2: the seller confirms the return arrived, or reports a problem with evidence."""

    action = "confirm_return"
    also_allowed_by = ("report_return_problem",)
    form_class = forms.ReturnAcknowledgeForm
    title = gettext_lazy("The return: confirm it arrived or report a problem")

    def get_context(self, form):
        context = super().get_context(form)
        context["return_shipment"] = self.dispute.return_shipment
        return context

    def perform(self, data):
        dispute = services.return_acknowledge(
            dispute=self.dispute,
            actor=self.request.user,
            acknowledgement=data["acknowledgement"],
            note=data["note"],
            files=data["files"],
        )
        if dispute.state == Dispute.State.ESCALATED:
            return _("Your report went to arbitration with your evidence; an arbiter will decide.")
        return _("Thank you. The return is confirmed, the dispute is closed and the buyer is refunded.")

    def submit_label(self):
        return _("Send")
