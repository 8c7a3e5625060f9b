"""The money core: orders, buyer protection, escrow, the ledger, refunds.

Money is Decimal with two places in one currency per order. The ledger is append-only (the
database refuses UPDATE and DELETE, see migration 0002); escrow balances are the running
totals of the ledger, kept under row locks so the database can check the invariants
(R-ESC-3) with CHECK constraints, and reconciled against the ledger daily (R-JOB-4).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


def cents(field: str) -> Round:
    """A money column in whole cents, for constraints that add amounts (see EscrowHold)."""
    return Round(F(field) * 100)


class Currency(models.TextChoices):
    USD = "USD", "USD"
    EUR = "EUR", "EUR"
    RUB = "RUB", "RUB"


class User(AbstractUser):
    """A person using the marketplace (buyer, seller, staff) or the scheduler itself.

    The scheduler is a user row with ``is_system=True`` so every transition and ledger entry
    it makes names it as the actor (R-ESC-2, R-SEC-2), like any person.
    """

    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_system = models.BooleanField(default=False, help_text=_("The scheduler: not a person, can't log in."))
    return_address = models.TextField(
        _("default return address"), blank=True, help_text=_("Sellers: where buyers send returns.")
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username


def new_order_number() -> str:
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


class Order(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        PAID = "paid", _("Paid, awaiting shipment")
        SHIPPED = "shipped", _("In transit")
        DELIVERED = "delivered", _("Delivered")
        CONFIRMED = "confirmed", _("Receipt confirmed")
        DISPUTED = "disputed", _("In dispute")
        COMPLETED = "completed", _("Completed")

    # Before confirmation the buyer is protected and may ask for more time (R-PRT-1, R-PRT-4).
    PROTECTED_STATES = (State.SHIPPED, State.DELIVERED)
    # Escrow is held and a dispute may still be opened in these states (R-PRT-2).
    DISPUTABLE_STATES = (State.SHIPPED, State.DELIVERED, State.CONFIRMED)

    number = models.CharField(_("order number"), max_length=20, unique=True, default=new_order_number)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="purchases")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="sales")
    item_title = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount paid"), **MONEY, validators=[MinValueValidator(CENT)])
    currency = models.CharField(max_length=3, choices=Currency.choices)
    payment_method = models.CharField(
        _("payment method"), max_length=100, help_text=_("Where refunds go, e.g. 'Visa •••• 4242'.")
    )
    state = FSMField(default=State.PAID, choices=State.choices, protected=True)

    paid_at = models.DateTimeField(default=timezone.now)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    # R-PRT-1: shipped + BUYER_PROTECTION_DAYS, moved by granted extensions.
    protection_deadline = models.DateTimeField(null=True, blank=True)
    # R-PRT-2: min(protection deadline, confirmed + DISPUTE_WINDOW_AFTER_RECEIPT_DAYS); escrow held till then.
    dispute_deadline = models.DateTimeField(null=True, blank=True)
    auto_extended_at = models.DateTimeField(null=True, blank=True)  # R-PRT-4: at most once per order
    protection_reminder_sent_at = models.DateTimeField(null=True, blank=True)  # R-PRT-5: once

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
            models.CheckConstraint(
                condition=Q(dispute_deadline__isnull=True)
                | Q(dispute_deadline__lte=F("protection_deadline")),
                name="order_dispute_deadline_within_protection",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-id"], name="order_state_idx"),  # admin lists by state
            # The scheduler's sweeps: only rows that can still move are indexed (R-JOB-2).
            models.Index(
                fields=["dispute_deadline"],
                condition=Q(state__in=["shipped", "delivered", "confirmed"]),
                name="order_release_due_idx",
            ),
            models.Index(
                fields=["protection_deadline"],
                condition=Q(state__in=["shipped", "delivered"]),
                name="order_protection_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.number}"

    @property
    def is_protected(self) -> bool:
        return (
            self.state in self.PROTECTED_STATES
            and self.protection_deadline is not None
            and timezone.now() < self.protection_deadline
        )

    @property
    def dispute_window_open(self) -> bool:
        return (
            self.state in self.DISPUTABLE_STATES
            and self.dispute_deadline is not None
            and timezone.now() < self.dispute_deadline
        )

    # Transitions touch only this row; services lock it, call one, save, and write the ledger.
    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.PAID, target=State.SHIPPED)
    def ship(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.SHIPPED, target=State.DELIVERED)
    def mark_delivered(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PROTECTED_STATES, target=State.CONFIRMED)
    def confirm_receipt(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DISPUTABLE_STATES, target=State.DISPUTED)
    def freeze_for_dispute(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[*DISPUTABLE_STATES, State.DISPUTED], target=State.COMPLETED)
    def complete(self, by=None, description=None) -> None:
        pass


class Shipment(models.Model):
    order = models.OneToOneField(Order, models.PROTECT, related_name="shipment")
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=64, db_index=True)
    shipped_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted by carrier")
        IN_TRANSIT = "in_transit", _("In transit")
        CUSTOMS = "customs", _("Customs")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Delivery problem")
        RETURNED = "returned", _("Returned to sender")

    shipment = models.ForeignKey(Shipment, models.PROTECT, related_name="events")
    status = models.CharField(max_length=20, choices=Status.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """R-PRT-4: the buyer asks the seller for more protection days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the seller")
        GRANTED = "granted", _("Granted by the seller")
        DECLINED = "declined", _("Declined by the seller")
        AUTO_GRANTED = "auto_granted", _("Granted automatically (the seller did not answer in time)")
        LAPSED = "lapsed", _("Lapsed")

    order = models.ForeignKey(Order, models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="extension_days_positive"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="pending"), name="one_pending_extension_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.days} days for {self.order}"


class EscrowHold(models.Model):
    """The order's money while the platform holds it (R-ESC-1).

    ``held = released + refunded + balance`` (R-ESC-3). The columns are running totals of the
    order's ledger entries, updated under a row lock in the same transaction as the entry,
    so CHECK constraints can refuse any state where money is negative or over-refunded.
    """

    order = models.OneToOneField(Order, models.PROTECT, related_name="escrow")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    held = models.DecimalField(**MONEY)
    released = models.DecimalField(**MONEY, default=Decimal("0"))
    refunded = models.DecimalField(**MONEY, default=Decimal("0"), help_text=_("Refunded out of escrow."))
    refunded_by_seller = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text=_("Refunded from the seller's balance after escrow was settled."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    # The idempotency key of the dispute resolution that settled it: a replay of the same
    # resolution returns its result; anything else finds the escrow already settled.
    resolution_key = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(held__gt=0), name="escrow_held_positive"),
            models.CheckConstraint(
                condition=Q(released__gte=0) & Q(refunded__gte=0) & Q(refunded_by_seller__gte=0),
                name="escrow_movements_not_negative",
            ),
            # Sums compared in whole cents: exact on PostgreSQL's numeric, and on SQLite (the demo),
            # which stores decimals as floats where 10.00 + 9.99 > 19.99.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(cents("held"), cents("released") + cents("refunded")),
                name="escrow_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(cents("held"), cents("refunded") + cents("refunded_by_seller")),
                name="escrow_refunds_within_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"Escrow for {self.order_id}: {self.balance} {self.currency}"

    @property
    def balance(self) -> Decimal:
        return self.held - self.released - self.refunded


class LedgerEntry(models.Model):
    """One money movement (R-ESC-2). Never updated, never deleted: corrections are new rows."""

    class Kind(models.TextChoices):
        HOLD = "hold", _("Held in escrow")
        RELEASE = "release", _("Released to seller")
        REFUND = "refund", _("Refunded to buyer")
        PENALTY = "penalty", _("Seller penalty")

    class Source(models.TextChoices):
        BUYER_PAYMENT = "buyer_payment", _("Buyer's payment")
        ESCROW = "escrow", _("Escrow")
        SELLER_BALANCE = "seller_balance", _("Seller's balance")

    order = models.ForeignKey(Order, models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    party = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="ledger_entries",
        help_text=_("Whose money: the buyer for holds and refunds, the seller for releases and penalties."),
    )
    refund = models.ForeignKey("Refund", models.PROTECT, null=True, blank=True, related_name="ledger_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["kind", "created_at"], name="ledger_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="refund", refund__isnull=False)
                | (~Q(kind="refund") & Q(refund__isnull=True)),
                name="ledger_refund_entries_name_their_refund",
            ),
            # A hold and a release happen once per order, whatever retries do.
            # Only the movements the services make: money held from the buyer's payment, released
            # or refunded from escrow, refunded or fined from the seller's balance.
            models.CheckConstraint(
                condition=Q(kind="hold", source="buyer_payment")
                | Q(kind="release", source="escrow")
                | Q(kind="refund", source__in=["escrow", "seller_balance"])
                | Q(kind="penalty", source="seller_balance"),
                name="ledger_kind_matches_source",
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="hold"), name="ledger_one_hold_per_order"
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="release"), name="ledger_one_release_per_order"
            ),
            models.UniqueConstraint(
                fields=["refund"], condition=Q(kind="refund"), name="ledger_one_entry_per_refund"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are append-only: write a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only and can't be deleted.")


class Refund(ConcurrentTransitionMixin, models.Model):
    """Money owed to the buyer, followed until it is paid (R-REF-2)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent to the payment provider")
        COMPLETED = "completed", _("Paid")
        FAILED = "failed", _("Payout failed")

    order = models.ForeignKey(Order, models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    source = models.CharField(
        max_length=20,
        choices=[
            (LedgerEntry.Source.ESCROW, _("Escrow")),
            (LedgerEntry.Source.SELLER_BALANCE, _("Seller's balance")),
        ],
        default=LedgerEntry.Source.ESCROW,
    )
    destination = models.CharField(_("paid to"), max_length=100)
    state = FSMField(default=State.PENDING, choices=State.choices, protected=True)
    # One refund per cause, e.g. "dispute:12:resolution" (R-REF-2).
    idempotency_key = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    payout_reference = models.CharField(max_length=100, blank=True)
    via_gateway = models.BooleanField(default=False, help_text=_("Sent through the payment gateway."))
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_payouts", "Can mark refund payouts sent, completed or failed")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="completed") | ~Q(payout_reference=""),
                name="completed_refund_has_reference",
            ),
        ]
        indexes = [
            # Finance's worklist: unpaid refunds by due date (flagged overdue or not).
            models.Index(fields=["due_at"], condition=~Q(state="completed"), name="refund_unpaid_due_idx"),
            # The dashboard's time-to-pay chart.
            models.Index(fields=["completed_at"], condition=Q(state="completed"), name="refund_paid_idx"),
            models.Index(
                fields=["due_at"],
                condition=~Q(state="completed") & Q(overdue_flagged_at__isnull=True),
                name="refund_overdue_due_idx",
            ),
            models.Index(fields=["state", "sent_at"], name="refund_state_idx"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} {self.currency} for {self.order}"

    @property
    def is_overdue(self) -> bool:
        return self.state != self.State.COMPLETED and timezone.now() >= self.due_at

    @property
    def gateway_key(self) -> str:
        """The idempotency key sent with payout attempt number ``attempts``."""
        return f"{self.idempotency_key}#{self.attempts}"

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.PENDING, target=State.SENT)
    def mark_sent(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.SENT, target=State.COMPLETED)
    def mark_completed(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.SENT, target=State.FAILED)
    def mark_failed(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.FAILED, target=State.PENDING)
    def retry(self, by=None, description=None) -> None:
        pass


class SimulatedPayout(models.Model):
    """The simulated payment provider's own records (R-REF-3), one per idempotency key.

    Kept in the database so the demo's gateway survives restarts and reconciliation can
    compare refunds with what the "provider" says it did.
    """

    class Status(models.TextChoices):
        PROCESSING = "processing", "processing"
        PAID = "paid", "paid"
        FAILED = "failed", "failed"

    idempotency_key = models.CharField(max_length=220, unique=True)
    reference = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    destination = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=Status.choices)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settles_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference


class ReconciliationRun(models.Model):
    """One run of the money check (R-JOB-4); staff see discrepancies in the admin."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    orders_checked = models.PositiveIntegerField(default=0)
    refunds_checked = models.PositiveIntegerField(default=0)
    discrepancy_count = models.PositiveIntegerField(default=0)
    discrepancies = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Reconciliation {self.started_at:%Y-%m-%d %H:%M}: {self.discrepancy_count} discrepancies"


class Notification(models.Model):
    """An email to send, written in the same transaction as the change it reports (R-NTF-1).

    A rolled-back change leaves no row, so no mail; a committed one is sent by a Celery task
    queued on commit, and a sweep re-sends rows whose task was lost (the outbox pattern).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="notifications")
    event = models.CharField(max_length=64)
    context = models.JSONField(default=dict)
    # Events that must reach a person once (a reminder) carry a key; a second notify() is a no-op.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient}"
