"""The answers to a claim and to an offer (R-DSP-4, R-DSP-5): the seller accepts the claim, makes
an offer or rejects it; the buyer accepts or declines the offer."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arbitration import services
from arbitration.models import Dispute, WantedResolution
from arbitration.web import forms
from arbitration.web.actions import DisputeActionView
from marketplace.presentation import format_money


class AcceptClaimView(DisputeActionView):
    action = "accept_claim"
    form_class = forms.AcceptClaimForm

    @classmethod
    def form_kwargs(cls, dispute):
        return {
            "needs_return": dispute.resolution == WantedResolution.RETURN_AND_REFUND,
            "return_address": dispute.seller.return_address,
        }

    def get_context(self, form):
        context = super().get_context(form)
        context["intro"] = accept_claim_effect(self.dispute)
        return context

    def perform(self, data):
        dispute = services.dispute_seller_accept(
            dispute=self.dispute, actor=self.request.user, return_address=data.get("return_address", "")
        )
        if dispute.state == Dispute.State.AWAITING_RETURN:
            return _("You accepted the claim. The buyer now ships the item back to your return address.")
        return _("You accepted the claim. The dispute is closed and the buyer is refunded.")


def accept_claim_effect(dispute: Dispute) -> str:
    """What accepting the claim does with the money, said to the seller before they accept."""
    order = dispute.order
    if dispute.resolution == WantedResolution.RETURN_AND_REFUND:
        return _(
            "The buyer ships the item back to the address below; when it arrives and you confirm it, the "
            "buyer is refunded %(amount)s."
        ) % {"amount": format_money(order.amount, order.currency)}
    if dispute.resolution == WantedResolution.PARTIAL_REFUND:
        assert dispute.requested_amount is not None  # a partial refund claim names its amount (R-DSP-2)
        return _(
            "The buyer is refunded %(amount)s from the held payment, you receive the remaining %(rest)s, "
            "and the dispute closes."
        ) % {
            "amount": format_money(dispute.requested_amount, order.currency),
            "rest": format_money(order.amount - dispute.requested_amount, order.currency),
        }
    return _("The buyer is refunded the full %(amount)s from the held payment, and the dispute closes.") % {
        "amount": format_money(order.amount, order.currency)
    }


class OfferView(DisputeActionView):
    action = "make_offer"
    form_class = forms.OfferForm

    @classmethod
    def form_kwargs(cls, dispute):
        return {"initial": {"return_address": dispute.seller.return_address}}

    def perform(self, data):
        services.dispute_make_offer(
            dispute=self.dispute,
            actor=self.request.user,
            kind=data["kind"],
            amount=data["amount"],
            return_address=data["return_address"],
            note=data["note"],
        )
        return _("Your offer was sent to the buyer.")

    def submit_label(self):
        return _("Send the offer")


class RejectView(DisputeActionView):
    action = "reject_claim"
    form_class = forms.RejectForm
    intro = gettext_lazy(
        "Rejecting does not close the dispute: the buyer may then escalate it to arbitration, where your "
        "explanation and evidence are read."
    )

    def perform(self, data):
        services.dispute_reject_claim(
            dispute=self.dispute,
            actor=self.request.user,
            explanation=data["explanation"],
            files=data["files"],
        )
        return _("Your answer was sent to the buyer.")


class AcceptOfferView(DisputeActionView):
    action = "accept_offer"
    form_class = forms.AcceptOfferForm

    @classmethod
    def form_kwargs(cls, dispute):
        offer = dispute.pending_offer()
        return {"initial": {"offer_id": offer.pk if offer else None}}

    def get_context(self, form):
        context = super().get_context(form)
        context["pending_offer"] = self.dispute.pending_offer()
        return context

    def perform(self, data):
        dispute = services.dispute_accept_offer(
            dispute=self.dispute, actor=self.request.user, offer_id=data["offer_id"]
        )
        if dispute.state == Dispute.State.AWAITING_RETURN:
            return _("You accepted the offer. Ship the item back and enter the tracking number below.")
        return _("You accepted the offer. The dispute is closed; your refund is on its way.")


class DeclineOfferView(DisputeActionView):
    action = "decline_offer"
    form_class = forms.DeclineOfferForm
    intro = gettext_lazy("After declining you may escalate the dispute to arbitration.")

    def perform(self, data):
        services.dispute_decline_offer(dispute=self.dispute, actor=self.request.user, reason=data["reason"])
        return _("You declined the offer. You can now escalate the dispute to arbitration.")
