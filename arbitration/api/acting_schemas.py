"""The bodies of the acting endpoints (``arbitration.api.acting``), one schema per action: what
a person types on the web, bounded as the services bound it (R-API-4, R-API-6)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from arbitration.models import Offer, Reason, ReturnShipment, WantedResolution
from marketplace.api.schemas import ExternalId, MoneyText

Party = Literal["buyer", "seller"]
# Text as people type it; never a NUL character, which no database column takes.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(max_length=5000, pattern=NO_NUL)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000, pattern=NO_NUL)
]
ShortText = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
Amount = MoneyText


class ActingAs(Schema):
    """The person the client acts for: ``buyer`` or ``seller`` of the order, by marketplace id."""

    party: Party
    external_id: ExternalId


class Acting(Schema):
    acting_as: ActingAs


# --- The bodies, one per action ---------------------------------------------------------------


class DisputeOpenIn(Acting):
    """R-DSP-2: what went wrong, what the buyer wants (an amount for a partial refund), what happened."""

    reason: Reason
    resolution: WantedResolution
    requested_amount: Amount | None = Field(None, description="Only for a partial refund.")
    description: RequiredText


class AmendIn(DisputeOpenIn):
    """R-DSP-3: a new version of the claim; the previous one is kept."""


class MessageIn(Acting):
    body: RequiredText


class AcceptClaimIn(Acting):
    return_address: Text = Field(
        "", description="For a return: where the buyer sends the item; empty: the seller's default address."
    )


class OfferIn(Acting):
    kind: Offer.Kind
    amount: Amount | None = Field(
        None,
        description="Partial refund: more than 0 and less than the price. Return and refund: empty refunds "
        "the full price after the return arrives.",
    )
    return_address: Text = Field("", description="Only for a return; empty: the seller's default address.")
    note: ShortText = ""


class RejectIn(Acting):
    explanation: RequiredText


class AcceptOfferIn(Acting):
    offer_id: int | None = Field(
        None, description="The offer the buyer saw; refused if another one is pending now."
    )


class DeclineOfferIn(Acting):
    reason: ShortText = ""


class WithdrawIn(Acting):
    """R-DSP-9: the buyer's explicit acknowledgement of what withdrawing means."""

    acknowledged: bool = Field(
        description="True: the buyer read and accepts that a withdrawn dispute can't be reopened, "
        "arbitration will no longer be possible and the payment goes to the seller."
    )
    acknowledged_despite_solicitation: bool = Field(
        False,
        description="Needed when the seller's messages were flagged for asking to close the dispute or "
        "offering money outside the platform: the buyer withdraws anyway.",
    )


class ReturnShipIn(Acting):
    carrier: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)
    ]
    tracking_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=NO_NUL)
    ]


class ExtensionIn(Acting):
    days: int = Field(ge=1, description="How many days of protection the buyer asks for.")
    reason: RequiredText


class ExtensionDeclineIn(Acting):
    reason: ShortText = ""


# Multipart bodies: the files beside flat fields.


class ActingForm(Schema):
    acting_party: Party
    acting_external_id: ExternalId


class EvidenceForm(ActingForm):
    body: Text = ""


class ReturnAcknowledgeForm(ActingForm):
    acknowledgement: ReturnShipment.Acknowledgement
    note: Text = ""


class ComplaintForm(ActingForm):
    kind: Literal["refund_not_received", "agreement_broken"]
    description: RequiredText


class SafetyReportForm(ActingForm):
    description: RequiredText
