"""The answers to a claim and to an offer (R-DSP-4, R-DSP-5): the seller accepts the claim, makes
an offer or rejects it; the buyer accepts or declines the offer."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from arbitration import services
from arbitration.models import Dispute, Offer, WantedResolution
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
    """The buyer accepts the seller's offer, after a page that says what it does to the money and
    that the dispute then closes for good (R-DSP-5, R-DSP-1)."""

    action = "accept_offer"
    form_class = forms.AcceptOfferForm
    title = gettext_lazy("Accept the seller's offer?")

    def effects(self):
        offer = self.dispute.pending_offer()
        return accept_offer_effects(self.dispute, offer) if offer else []

    def submit_label(self):
        return _("Confirm: accept the offer")

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


def accept_offer_effects(dispute: Dispute, offer: Offer) -> list[str]:
    """What accepting ``offer`` does, said to the buyer before they confirm: their refund, what the
    seller receives from escrow, and that the dispute then ends for good."""
    order = dispute.order
    held = order.escrow.balance
    rest = max(held - offer.amount, Decimal("0"))
    money = {
        "amount": format_money(offer.amount, order.currency),
        "rest": format_money(rest, order.currency),
    }
    if offer.kind == Offer.Kind.RETURN_AND_REFUND:
        effects = [
            ngettext(
                "You send the item back to the seller's return address within %(days)s day and enter the "
                "tracking number on the dispute page. If it is not shipped in time, the dispute closes and "
                "the whole payment goes to the seller.",
                "You send the item back to the seller's return address within %(days)s days and enter the "
                "tracking number on the dispute page. If it is not shipped in time, the dispute closes and "
                "the whole payment goes to the seller.",
                settings.RETURN_SHIP_DAYS,
            )
            % {"days": settings.RETURN_SHIP_DAYS},
            _(
                "When the seller confirms the return arrived, or does not answer in time, you are refunded "
                "%(amount)s to the payment method you paid with; no fee is deducted."
            )
            % money,
        ]
        if rest:
            effects.append(
                _("The rest of the payment held in escrow, %(rest)s, then goes to the seller.") % money
            )
        effects.append(
            _(
                "You can no longer decline the offer or take the dispute to arbitration yourself, and once "
                "the dispute closes it can never be reopened."
            )
        )
        return effects
    effects = [
        _(
            "You keep the item and are refunded %(amount)s to the payment method you paid with; no fee is "
            "deducted."
        )
        % money
    ]
    if rest:
        effects.append(
            _("The rest of the payment held in escrow, %(rest)s, is released to the seller.") % money
        )
    effects.append(
        _(
            "The dispute closes for good: it can never be reopened and arbitration will no longer be "
            "possible. If the refund does not arrive, you can still file a complaint."
        )
    )
    return effects


class DeclineOfferView(DisputeActionView):
    action = "decline_offer"
    form_class = forms.DeclineOfferForm
    intro = gettext_lazy("After declining you may escalate the dispute to arbitration.")

    def perform(self, data):
        services.dispute_decline_offer(dispute=self.dispute, actor=self.request.user, reason=data["reason"])
        return _("You declined the offer. You can now escalate the dispute to arbitration.")
