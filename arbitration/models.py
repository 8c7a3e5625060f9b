"""Disputes and everything around them: claims, offers, messages, evidence, decisions,
returns, information requests, complaints after closure and safety reports.

The dispute's life is a django-fsm-2 state machine (SPEC §4). Every action of every party is
a transition declared here with the permission (who) and conditions (when) that allow it, so
``arbitration.actions.available_actions`` can offer exactly what is allowed (R-DSP-10).
Transitions touch only this row; services in ``arbitration.services`` lock, call them, save,
and move the money through ``marketplace.services`` in the same transaction.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.models import MONEY, Order, Refund

# --- Who may act (django-fsm ``permission`` callables: (dispute, user) -> bool) -------------


def is_buyer(case, user) -> bool:
    return user.pk is not None and user.pk == case.buyer_id


def is_seller(case, user) -> bool:
    return user.pk is not None and user.pk == case.seller_id


def is_arbiter(case, user) -> bool:
    return user.is_active and user.has_perm("arbitration.arbitrate")


def is_holding_arbiter(case, user) -> bool:
    """The arbiter who took the case: two arbiters never hold or decide one case (R-ARB-1)."""
    return is_arbiter(case, user) and case.assigned_arbiter_id == user.pk


def is_holding_arbiter_or_supervisor(case, user) -> bool:
    return is_holding_arbiter(case, user) or is_supervisor(case, user)


def is_supervisor(case, user) -> bool:
    return user.is_active and user.has_perm("arbitration.supervise")


def is_scheduler(case, user) -> bool:
    return bool(getattr(user, "is_system", False))


# --- Dispute --------------------------------------------------------------------------------


class Reason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Item not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Damaged or defective")
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_PARTS = "missing_parts", _("Missing parts")
    UNSAFE = "unsafe", _("Unsafe")


class WantedResolution(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return the item and get a refund")


class Dispute(ConcurrentTransitionMixin, models.Model):
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
    amendments_used = models.PositiveSmallIntegerField(default=0)

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
    assigned_arbiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="assigned_disputes"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)  # R-ARB-4
    solicitation_flags = models.PositiveIntegerField(default=0)  # flagged seller messages (R-DSP-8)
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
    def amendments_left(self) -> int:
        return max(0, settings.MAX_DISPUTE_AMENDMENTS - self.amendments_used)

    def can_amend(self) -> bool:
        return self.amendments_left() > 0

    def pending_offer(self) -> Offer | None:
        return self.offers.filter(status=Offer.Status.PENDING).first()

    def has_pending_offer(self) -> bool:
        return self.offers.filter(status=Offer.Status.PENDING).exists()

    def has_no_pending_offer(self) -> bool:
        return not self.has_pending_offer()

    def not_yet_rejected(self) -> bool:
        return self.seller_rejected_at is None

    def buyer_may_escalate(self) -> bool:
        """R-DSP-6: early escalation once the seller rejected or the buyer declined an offer."""
        return self.seller_rejected_at is not None or self.buyer_declined_offer_at is not None

    def deadline_passed(self) -> bool:
        return self.deadline_at is not None and timezone.now() >= self.deadline_at

    def deadline_not_passed(self) -> bool:
        """Past the deadline the scheduler's transition decides, even before its job runs: a late
        return shipment or problem report must not keep the dispute alive (R-RET-1, R-RET-2)."""
        return not self.deadline_passed()

    def decision_overdue(self) -> bool:
        return self.state in (self.State.ESCALATED, self.State.UNDER_REVIEW) and self.deadline_passed()

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    # Transitions. RETURN_VALUE targets return the state to go to: an accepted claim or offer
    # that needs a return waits for it, anything else closes.
    _CLOSING = RETURN_VALUE(State.CLOSED, State.AWAITING_RETURN)
    _BEFORE_DECISION = [State.OPEN, State.ESCALATED, State.UNDER_REVIEW]

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.OPEN, target=State.OPEN, permission=is_buyer, conditions=[can_amend]
    )
    def amend(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_BEFORE_DECISION, target=State.CLOSED, permission=is_buyer)
    def withdraw(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_BEFORE_DECISION, target=_CLOSING, permission=is_seller)
    def accept_claim(self, by=None, description=None, needs_return: bool = False) -> str:
        return self.State.AWAITING_RETURN if needs_return else self.State.CLOSED

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.OPEN,
        target=State.OPEN,
        permission=is_seller,
        conditions=[has_no_pending_offer],
    )
    def make_offer(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.OPEN, target=State.OPEN, permission=is_seller, conditions=[not_yet_rejected]
    )
    def reject_claim(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.OPEN, target=_CLOSING, permission=is_buyer, conditions=[has_pending_offer]
    )
    def accept_offer(self, by=None, description=None, needs_return: bool = False) -> str:
        return self.State.AWAITING_RETURN if needs_return else self.State.CLOSED

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.OPEN, target=State.OPEN, permission=is_buyer, conditions=[has_pending_offer]
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
    )
    def escalate_overdue(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.ESCALATED, target=State.UNDER_REVIEW, permission=is_arbiter)
    def take(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.UNDER_REVIEW,
        target=State.ESCALATED,
        permission=is_holding_arbiter_or_supervisor,
    )
    def release(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[State.ESCALATED, State.UNDER_REVIEW],
        target=State.UNDER_REVIEW,
        permission=is_supervisor,
    )
    def reassign(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.UNDER_REVIEW, target=State.UNDER_REVIEW, permission=is_holding_arbiter
    )
    def request_information(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.UNDER_REVIEW, target=_CLOSING, permission=is_holding_arbiter)
    def decide(self, by=None, description=None, needs_return: bool = False) -> str:
        return self.State.AWAITING_RETURN if needs_return else self.State.CLOSED

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.AWAITING_RETURN,
        target=State.RETURN_IN_TRANSIT,
        permission=is_buyer,
        conditions=[deadline_not_passed],
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
    )
    def close_return_not_shipped(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.RETURN_IN_TRANSIT, target=State.CLOSED, permission=is_seller)
    def confirm_return(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=State.RETURN_IN_TRANSIT,
        target=State.ESCALATED,
        permission=is_seller,
        conditions=[deadline_not_passed],
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
    )
    def refund_unconfirmed_return(self, by=None, description=None) -> None:
        pass


class ClaimVersion(models.Model):
    """Every version of the buyer's claim: number 0 is the original, 1…4 the amendments (R-DSP-3)."""

    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="claim_versions")
    number = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    resolution = models.CharField(max_length=20, choices=WantedResolution.choices)
    requested_amount = models.DecimalField(**MONEY, null=True, blank=True)
    description = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute", "number"]
        constraints = [models.UniqueConstraint(fields=["dispute", "number"], name="claim_version_unique")]

    def __str__(self) -> str:
        return f"Claim v{self.number} of dispute #{self.dispute_id}"


class Offer(models.Model):
    """The seller's proposal (R-DSP-5): a partial refund, or return-and-refund to an address."""

    class Kind(models.TextChoices):
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        RETURN_AND_REFUND = "return_and_refund", _("Return and refund")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the buyer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("No longer open (the dispute moved on)")

    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="offers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        **MONEY, help_text=_("The refund the buyer gets (after the return, for returns).")
    )
    return_address = models.TextField(blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="offer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="return_and_refund") | ~Q(return_address=""),
                name="return_offer_has_address",
            ),
            models.UniqueConstraint(
                fields=["dispute"], condition=Q(status="pending"), name="one_pending_offer_per_dispute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class SolicitationPattern(models.Model):
    """A pattern of off-platform solicitation (R-DSP-8), edited by supervisors without a deploy."""

    name = models.SlugField(max_length=64, unique=True)
    pattern = models.TextField(
        help_text=_("A regular expression, matched case-insensitively on normalised text.")
    )
    language = models.CharField(
        max_length=8, choices=[("en", "English"), ("ru", "Russian"), ("any", "Any")], default="any"
    )
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from arbitration.solicitation import validate_pattern

        validate_pattern(self.pattern)


class Message(models.Model):
    """One message in the dispute's thread (R-DSP-7). Never edited, never deleted."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")
        ARBITER = "arbiter", _("Arbiter")
        SYSTEM = "system", _("Marketplace")

    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Names of the solicitation patterns the text matched (R-DSP-8); empty for a clean message.
    solicitation_patterns = models.JSONField(default=list, blank=True)
    is_flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dispute", "created_at"], name="message_thread_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on dispute #{self.dispute_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Messages are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Messages are never deleted.")


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A random name: the original name is kept as metadata only (R-EVD-3).
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file a party or staff uploaded: immutable after upload (R-EVD-3)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        PDF = "pdf", _("PDF document")

    dispute = models.ForeignKey(Dispute, models.PROTECT, null=True, blank=True, related_name="evidence")
    message = models.ForeignKey(Message, models.PROTECT, null=True, blank=True, related_name="evidence")
    complaint = models.ForeignKey("Complaint", models.PROTECT, null=True, blank=True, related_name="evidence")
    safety_report = models.ForeignKey(
        "SafetyReport", models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Made in the background (R-EVD-4): a small thumbnail and a metadata-free rendition the
    # other party sees instead of the original.
    thumbnail = models.FileField(upload_to=evidence_upload_to, max_length=255, blank=True)
    rendition = models.FileField(upload_to=evidence_upload_to, max_length=255, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(dispute__isnull=False) | Q(safety_report__isnull=False),
                name="evidence_belongs_to_a_case",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name


class Decision(models.Model):
    """An arbiter's decision (R-ARB-2): immutable once made; it moves the money when made."""

    class Outcome(models.TextChoices):
        FULL_REFUND = "full_refund", _("Full refund")
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        RETURN_THEN_REFUND = "return_then_refund", _("Return, then refund")
        REJECTED = "rejected", _("Claim rejected: payment to the seller")

    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="decisions")
    # A case can come back (a seller reports a problem with the return): one decision per round.
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    refund_amount = models.DecimalField(**MONEY, default=0)
    return_deadline = models.DateTimeField(null=True, blank=True)
    return_address = models.TextField(blank=True)
    rationale = models.TextField()
    penalty_amount = models.DecimalField(**MONEY, null=True, blank=True)
    penalty_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "round"], name="one_decision_per_round"),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="decision_refund_not_negative"),
            models.CheckConstraint(
                condition=Q(penalty_amount__isnull=True) | (Q(penalty_amount__gt=0) & ~Q(penalty_reason="")),
                name="decision_penalty_has_amount_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_idx")]  # dashboard chart

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on dispute #{self.dispute_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A decision can't be changed after it is made.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Decisions are never deleted.")


class ReturnShipment(models.Model):
    """The return agreed by an accepted offer or claim, or decided by an arbiter (R-RET-1, R-RET-2).

    Its deadlines are the dispute's ``deadline_at``: ship by (AWAITING_RETURN), confirm by
    (RETURN_IN_TRANSIT).
    """

    class Acknowledgement(models.TextChoices):
        RECEIVED_OK = "received_ok", _("Received in full and as sent")
        NOT_RECEIVED = "not_received", _("Not received")
        DAMAGED = "damaged", _("Received damaged")
        EMPTY_OR_DIFFERENT = "empty_or_different", _("Empty box or a different item")
        MISSING_PARTS = "missing_parts", _("Parts missing")

    dispute = models.OneToOneField(Dispute, models.PROTECT, related_name="return_shipment")
    address = models.TextField()
    refund_amount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True, db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.CharField(max_length=20, choices=Acknowledgement.choices, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(refund_amount__gt=0), name="return_refund_positive"),
            models.CheckConstraint(
                condition=Q(shipped_at__isnull=True) | ~Q(tracking_number=""),
                name="shipped_return_has_tracking",
            ),
        ]

    def __str__(self) -> str:
        return f"Return for dispute #{self.dispute_id}"


class InformationRequest(models.Model):
    """An arbiter asks a party for more information or evidence, by a deadline (R-ARB-6)."""

    class Party(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")

    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="information_requests")
    party = models.CharField(max_length=10, choices=Party.choices)
    question = models.TextField()
    due_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.OneToOneField(
        Message, models.PROTECT, null=True, blank=True, related_name="answers_request"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Request to the {self.party} on dispute #{self.dispute_id}"

    @property
    def is_overdue(self) -> bool:
        return self.answered_at is None and timezone.now() >= self.due_at


class Complaint(ConcurrentTransitionMixin, models.Model):
    """After closure the buyer can't reopen a dispute but can complain (R-CMP-1)."""

    class Kind(models.TextChoices):
        REFUND_NOT_RECEIVED = "refund_not_received", _("The agreed refund has not arrived")
        AGREEMENT_BROKEN = "agreement_broken", _("The seller broke an agreement")
        REFUND_OVERDUE = "refund_overdue", _("Refund overdue (opened automatically)")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for an arbiter")
        UNDER_REVIEW = "under_review", _("Under review by an arbiter")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        REISSUE_REFUND = "reissue_refund", _("Re-issue the refund")
        REFUND_FROM_SELLER = "refund_from_seller", _("Refund from the seller's balance")
        CONFIRMED_PAID = "confirmed_paid", _("Confirmed: the refund was paid")
        REJECTED = "rejected", _("Rejected")

    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="complaints")
    refund = models.ForeignKey(Refund, models.PROTECT, null=True, blank=True, related_name="complaints")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    description = models.TextField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(help_text=_("Decision due (R-ARB-4)."))
    state = FSMField(default=State.OPEN, choices=State.choices, protected=True)
    assigned_arbiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="assigned_complaints"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    rationale = models.TextField(blank=True)
    refund_amount = models.DecimalField(**MONEY, null=True, blank=True)
    new_refund = models.OneToOneField(Refund, models.PROTECT, null=True, blank=True, related_name="+")
    penalty_amount = models.DecimalField(**MONEY, null=True, blank=True)
    penalty_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            # The scheduler opens one complaint per overdue refund, however often it runs (R-REF-4).
            models.UniqueConstraint(
                fields=["refund"], condition=Q(kind="refund_overdue"), name="one_overdue_complaint_per_refund"
            ),
            models.UniqueConstraint(
                fields=["dispute"], condition=~Q(state="decided"), name="one_open_complaint_per_dispute"
            ),
            models.CheckConstraint(
                condition=~Q(state="decided")
                | (~Q(outcome="") & ~Q(rationale="") & Q(decided_at__isnull=False)),
                name="decided_complaint_has_outcome_and_rationale",
            ),
            models.CheckConstraint(
                condition=~Q(state="under_review") | Q(assigned_arbiter__isnull=False),
                name="complaint_under_review_has_arbiter",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "opened_at"], name="complaint_queue_idx"),
            models.Index(fields=["state", "deadline_at"], name="complaint_due_idx"),  # "overdue" filter
        ]

    def __str__(self) -> str:
        return f"Complaint #{self.pk} on dispute #{self.dispute_id}"

    @property
    def buyer_id(self) -> int:
        return self.dispute.buyer_id

    @property
    def is_overdue(self) -> bool:
        return self.state != self.State.DECIDED and timezone.now() >= self.deadline_at

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.OPEN, target=State.UNDER_REVIEW, permission=is_arbiter)
    def take(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=State.UNDER_REVIEW, target=State.OPEN, permission=is_holding_arbiter_or_supervisor
    )
    def release(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[State.OPEN, State.UNDER_REVIEW],
        target=State.UNDER_REVIEW,
        permission=is_supervisor,
    )
    def reassign(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.UNDER_REVIEW, target=State.DECIDED, permission=is_holding_arbiter)
    def decide(self, by=None, description=None) -> None:
        pass


class SafetyReport(ConcurrentTransitionMixin, models.Model):
    """A dangerous product (R-SAF-1): any time, even after protection ended; closed only with an outcome."""

    class State(models.TextChoices):
        OPEN = "open", _("Being reviewed")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        LISTING_BLOCKED = "listing_blocked", _("Listing blocked")
        SELLER_WARNED = "seller_warned", _("Seller warned")
        NO_ACTION = "no_action", _("No action")

    order = models.ForeignKey(Order, models.PROTECT, related_name="safety_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="safety_reports")
    description = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    state = FSMField(default=State.OPEN, choices=State.choices, protected=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="closed")
                | (~Q(outcome="") & ~Q(outcome_reason="") & Q(closed_at__isnull=False)),
                name="closed_safety_report_has_outcome_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="safety_queue_idx")]

    def __str__(self) -> str:
        return f"Safety report #{self.pk} on order {self.order_id}"

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.OPEN, target=State.CLOSED, permission=is_arbiter)
    def close(self, by=None, description=None) -> None:
        pass
