"""The dispute: one per order, ever (R-DSP-1), and its state machine (SPEC §4).

Every action of every party is a transition declared here with the permission (who) and the
conditions (when) that allow it, and its labels, so ``arbitration.presentation`` offers exactly
what is allowed (R-DSP-10) and the services check the same transitions. Transitions touch only
this row; the services in ``arbitration.services`` lock it, call one, save, and move the money
through ``marketplace.services`` in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from django_fsm.signals import post_transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from arbitration.models.case import (
    ArbitrationCase,
    case_lifecycle,
    is_buyer,
    is_holding_arbiter,
    is_scheduler,
    is_seller,
)
from arbitration.models.claim import Offer, Reason, WantedResolution
from arbitration.models.facts import ConditionFacts
from marketplace.fsm import Refusal, labels, refuses
from marketplace.models import MONEY, Order, Refund

# What a party is told on a closed dispute (R-DSP-1): it stays closed, and what they can do instead.
CLOSED_HINT = _(
    "This dispute is closed and can't be reopened. If the agreed refund has not arrived or the "
    "seller broke an agreement, file a complaint to arbitration from the dispute page."
)


def _when(moment) -> str:
    """A date and time in the reader's language and format (refusals are shown to people)."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


class Dispute(ConditionFacts, ArbitrationCase):
    class State(models.TextChoices):
        OPEN = "open", _("Open: buyer and seller are talking")
        ESCALATED = "escalated", _("Escalated: waiting for an arbiter")
        UNDER_REVIEW = "under_review", _("Under review by an arbiter")
        AWAITING_RETURN = "awaiting_return", _("Waiting for the buyer to ship the return")
        RETURN_IN_TRANSIT = "return_in_transit", _("Return on its way to the seller")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn by the buyer")
        SELLER_ACCEPTED = "seller_accepted", _("The seller accepted the claim")
        OFFER_ACCEPTED = "offer_accepted", _("The buyer accepted the seller's offer")
        DECIDED_REFUND = "decided_refund", _("Arbitration decided a refund")
        DECIDED_REJECTED = "decided_rejected", _("Arbitration rejected the claim")
        RETURN_REFUNDED = "return_refunded", _("Refunded after the return")
        RETURN_NOT_CONFIRMED = (
            "return_not_confirmed",
            _("Refunded: the seller did not confirm the return in time"),
        )
        RETURN_NOT_SHIPPED = "return_not_shipped", _("Closed: the return was not shipped in time")

    BUYER_FAVOURABLE = (
        Outcome.SELLER_ACCEPTED,
        Outcome.OFFER_ACCEPTED,
        Outcome.DECIDED_REFUND,
        Outcome.RETURN_REFUNDED,
        Outcome.RETURN_NOT_CONFIRMED,
    )

    order = models.OneToOneField(Order, models.PROTECT, related_name="dispute")  # R-DSP-1: one, ever
    # The order's buyer and seller, copied at opening (they never change) so that access checks,
    # queues and the parties' records don't join through orders.
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="disputes_as_buyer")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="disputes_as_seller")
    state = FSMField(default=State.OPEN, choices=State.choices, protected=True)

    # The current claim; every version, the original included, is kept in ClaimVersion (R-DSP-3).
    reason = models.CharField(max_length=20, choices=Reason.choices)
    resolution = models.CharField(_("resolution wanted"), max_length=20, choices=WantedResolution.choices)
    requested_amount = models.DecimalField(**MONEY, null=True, blank=True)
    description = models.TextField()

    opened_at = models.DateTimeField(default=timezone.now)
    # The next deadline, whatever the state: escalation (OPEN), decision due (ESCALATED,
    # UNDER_REVIEW), return to ship (AWAITING_RETURN), return to confirm (RETURN_IN_TRANSIT).
    # One indexed column the scheduler sweeps and every party is shown (R-DSP-10).
    deadline_at = models.DateTimeField(null=True, blank=True)
    seller_rejected_at = models.DateTimeField(null=True, blank=True)
    seller_rejection = models.TextField(blank=True)
    buyer_declined_offer_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)  # R-ARB-4
    # Flagged seller messages (R-DSP-8). Kept as a counter, not counted from the messages each
    # time: it drives the queue's partial index (the "flagged" filter over hundreds of thousands
    # of disputes) and the sellers' records; it moves only in ``arbitration.services.messages``
    # under the dispute's row lock, and reconciliation (R-JOB-4) checks it against the messages.
    solicitation_flags = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    refund = models.OneToOneField(Refund, models.PROTECT, null=True, blank=True, related_name="dispute")

    class Meta:
        ordering = ["-opened_at"]
        permissions = [
            ("arbitrate", "Can take and decide arbitration cases"),
            ("supervise", "Can reassign arbitration cases and edit solicitation patterns"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__isnull=True) | Q(requested_amount__gt=0),
                name="dispute_requested_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False) | (~Q(state="closed") & Q(outcome="")),
                name="dispute_closed_has_time_and_only_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(state="under_review") | Q(assigned_arbiter__isnull=False),
                name="dispute_under_review_has_arbiter",
            ),
            models.CheckConstraint(condition=~Q(buyer=F("seller")), name="dispute_buyer_is_not_seller"),
        ]
        indexes = [
            models.Index(fields=["state", "deadline_at"], name="dispute_state_deadline_idx"),
            models.Index(fields=["state", "escalated_at"], name="dispute_queue_idx"),
            models.Index(fields=["seller", "state"], name="dispute_seller_idx"),
            models.Index(fields=["buyer", "state"], name="dispute_buyer_idx"),
            # Behind the admin's "flagged" queue filter and the dashboard's per-day charts.
            models.Index(
                fields=["state", "escalated_at"],
                condition=Q(solicitation_flags__gt=0),
                name="dispute_flagged_queue_idx",
            ),
            models.Index(fields=["opened_at"], name="dispute_opened_idx"),
            models.Index(fields=["escalated_at"], name="dispute_escalated_idx"),
        ]

    def __str__(self) -> str:
        return f"Dispute #{self.pk} on order {self.order.number}"

    # Conditions (django-fsm ``conditions``: (dispute) -> bool)
    @property
    def amendments_used(self) -> int:
        """Amendments made so far: the claim's versions after the original (R-DSP-3)."""
        return int(self._fact("amendments_used"))

    def amendments_left(self) -> int:
        return max(0, settings.MAX_DISPUTE_AMENDMENTS - self.amendments_used)

    def has_offers(self) -> bool:
        """Whether the seller has made any offer yet (answered or not)."""
        return bool(self._fact("offers"))

    @refuses(
        lambda dispute: (
            _("You have used all %(max)s amendments of this claim. You can still add messages and evidence.")
            % {"max": settings.MAX_DISPUTE_AMENDMENTS}
        ),
        rule="R-DSP-3",
    )
    def can_amend(self) -> bool:
        return self.amendments_left() > 0

    def pending_offer(self) -> Offer | None:
        """The offer waiting for the buyer's answer (one at a time), read once per instance."""
        pending_id = self._fact("pending_offer_id")
        if pending_id is None:
            return None
        if "_pending_offer" not in self.__dict__:
            self.__dict__["_pending_offer"] = Offer.objects.get(pk=pending_id)
        return self.__dict__["_pending_offer"]

    @refuses(
        _("There is no offer waiting for an answer: it was answered or withdrawn."),
        rule="R-DSP-5",
        listed=False,
    )
    def has_pending_offer(self) -> bool:
        return self._fact("pending_offer_id") is not None

    @refuses(
        _(
            "Your offer is waiting for the buyer's answer; one offer at a time. You can make another "
            "once they decline it."
        ),
        rule="R-DSP-5",
    )
    def has_no_pending_offer(self) -> bool:
        return not self.has_pending_offer()

    @refuses(
        _("You have already rejected this claim; the buyer may now take it to arbitration."), rule="R-DSP-5"
    )
    def not_yet_rejected(self) -> bool:
        return self.seller_rejected_at is None

    @refuses(
        lambda dispute: (
            _(
                "You can take the dispute to arbitration early once the seller rejects the claim or you "
                "decline an offer. Otherwise it goes there by itself on %(date)s if there is no agreement."
            )
            % {"date": _when(dispute.deadline_at)}
        ),
        rule="R-DSP-6",
    )
    def buyer_may_escalate(self) -> bool:
        """R-DSP-6: early escalation once the seller rejected or the buyer declined an offer."""
        return self.seller_rejected_at is not None or self.buyer_declined_offer_at is not None

    def deadline_passed(self) -> bool:
        return self.deadline_at is not None and timezone.now() >= self.deadline_at

    def deadline_not_passed(self) -> bool:
        """Past the deadline the scheduler's transition decides, even before its job runs: a late
        return shipment or problem report must not keep the dispute alive (R-RET-1, R-RET-2)."""
        return not self.deadline_passed()

    @refuses(
        lambda dispute: (
            _(
                "The time to ship the return ended on %(deadline)s; the dispute closes and the payment goes "
                "to the seller."
            )
            % {"deadline": _when(dispute.deadline_at)}
        ),
        rule="R-RET-1",
    )
    def return_ship_time_left(self) -> bool:
        return self.deadline_not_passed()

    @refuses(
        lambda dispute: (
            _("The time to report a problem with the return ended on %(deadline)s; the buyer is refunded.")
            % {"deadline": _when(dispute.deadline_at)}
        ),
        rule="R-RET-2",
    )
    def problem_report_time_left(self) -> bool:
        return self.deadline_not_passed()

    def state_refusal(self, transition: str) -> Refusal:
        """What the state alone says to a person refused ``transition`` (``marketplace.fsm.refusal``)."""
        if self.is_closed:
            return Refusal(str(CLOSED_HINT), rule="R-DSP-1")
        return super().state_refusal(transition)

    def decision_overdue(self) -> bool:
        return self.state in (self.State.ESCALATED, self.State.UNDER_REVIEW) and self.deadline_passed()

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    # Transitions. RETURN_VALUE targets return the state to go to: an accepted claim or offer
    # that needs a return waits for it, anything else closes.
    _CLOSING = RETURN_VALUE(State.CLOSED, State.AWAITING_RETURN)
    _BEFORE_DECISION = [State.OPEN, State.ESCALATED, State.UNDER_REVIEW]

    EVENT_LABELS = {"open": _("Dispute opened")}

    def state_after_decision(self, needs_return: bool) -> str:
        return self.State.AWAITING_RETURN if needs_return else self.State.CLOSED

    # The buyer's claim (R-DSP-2, R-DSP-3, R-DSP-4)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.OPEN,
        permission=is_buyer,
        conditions=[can_amend],
        custom=labels(_("Amend the claim"), _("Claim amended")),
    )
    def amend(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=_BEFORE_DECISION,
        target=State.CLOSED,
        permission=is_buyer,
        custom=labels(_("Withdraw the dispute"), _("Withdrawn by the buyer")),
    )
    def withdraw(self, by=None, description=None) -> None:
        pass

    # The seller's answers (R-DSP-5)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=_BEFORE_DECISION,
        target=_CLOSING,
        permission=is_seller,
        custom=labels(_("Accept the claim"), _("The seller accepted the claim")),
    )
    def accept_claim(self, by=None, description=None, needs_return: bool = False) -> str:
        return self.state_after_decision(needs_return)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.OPEN,
        permission=is_seller,
        conditions=[has_no_pending_offer],
        custom=labels(_("Make an offer"), _("The seller made an offer")),
    )
    def make_offer(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.OPEN,
        permission=is_seller,
        conditions=[not_yet_rejected],
        custom=labels(_("Reject the claim"), _("The seller rejected the claim")),
    )
    def reject_claim(self, by=None, description=None) -> None:
        pass

    # The buyer's answers to an offer (R-DSP-5) and early escalation (R-DSP-6)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=_CLOSING,
        permission=is_buyer,
        conditions=[has_pending_offer],
        custom=labels(_("Accept the offer"), _("The buyer accepted the offer")),
    )
    def accept_offer(self, by=None, description=None, needs_return: bool = False) -> str:
        return self.state_after_decision(needs_return)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.OPEN,
        permission=is_buyer,
        conditions=[has_pending_offer],
        custom=labels(_("Decline the offer"), _("The buyer declined the offer")),
    )
    def decline_offer(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.ESCALATED,
        permission=is_buyer,
        conditions=[buyer_may_escalate],
        custom=labels(_("Escalate to arbitration"), _("Escalated by the buyer")),
    )
    def escalate(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.ESCALATED,
        permission=is_scheduler,
        conditions=[deadline_passed],
        custom=labels(done=_("Escalated by the scheduler (no agreement in time)")),
    )
    def escalate_overdue(self, by=None, description=None) -> None:
        pass

    # Arbitration (R-ARB-1, R-ARB-2, R-ARB-6): the lifecycle every case shares, and questions.

    take, release, reassign, decide = case_lifecycle(
        queued=State.ESCALATED, reviewing=State.UNDER_REVIEW, decided=_CLOSING
    )

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.UNDER_REVIEW,
        target=State.UNDER_REVIEW,
        permission=is_holding_arbiter,
        custom=labels(_("Request information"), _("Information requested")),
    )
    def request_information(self, by=None, description=None) -> None:
        pass

    # Returns (R-RET-1, R-RET-2)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.AWAITING_RETURN,
        target=State.RETURN_IN_TRANSIT,
        permission=is_buyer,
        conditions=[return_ship_time_left],
        custom=labels(_("Enter the return's tracking number"), _("Return shipped")),
    )
    def ship_return(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.AWAITING_RETURN,
        target=State.CLOSED,
        permission=is_scheduler,
        conditions=[deadline_passed],
        custom=labels(done=_("Closed: return not shipped in time")),
    )
    def close_return_not_shipped(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.RETURN_IN_TRANSIT,
        target=State.CLOSED,
        permission=is_seller,
        custom=labels(_("Confirm the return arrived"), _("The seller confirmed the return")),
    )
    def confirm_return(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.RETURN_IN_TRANSIT,
        target=State.ESCALATED,
        permission=is_seller,
        conditions=[problem_report_time_left],
        custom=labels(
            _("Report a problem with the return"), _("The seller reported a problem with the return")
        ),
    )
    def report_return_problem(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.RETURN_IN_TRANSIT,
        target=State.CLOSED,
        permission=is_scheduler,
        conditions=[deadline_passed],
        custom=labels(done=_("Refunded: return not confirmed in time")),
    )
    def refund_unconfirmed_return(self, by=None, description=None) -> None:
        pass


def _forget_facts_after_transition(sender, instance: Dispute, **kwargs) -> None:
    """A transition changes what the conditions read (an offer made, an amendment recorded)."""
    instance.forget_facts()


post_transition.connect(_forget_facts_after_transition, sender=Dispute, dispatch_uid="dispute_forget_facts")
