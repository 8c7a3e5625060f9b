"""Orders, their shipment and tracking, and buyer protection (R-PRT-1..R-PRT-4)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.audit.tracking import history
from marketplace.fsm import labels
from marketplace.models.choices import ChoiceLabels
from marketplace.models.money import CENT, MONEY, Currency
from marketplace.search import trigram_index


def new_order_number() -> str:
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


@history(fields=["state", "amount", "currency", "buyer", "seller", "protection_deadline", "dispute_deadline"])
class Order(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
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

    # The marketplace's own id for the order, unique in its account (R-API-2, R-API-3).
    account = models.SlugField(max_length=50, blank=True, default="", db_default="")
    external_id = models.CharField(_("marketplace id"), max_length=100, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=~Q(external_id=""),
                name="order_external_id_unique_per_account",
            ),
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
            # The back office's search: any part of the number or of the item's title.
            trigram_index("number", name="order_number_trgm"),
            trigram_index("item_title", name="order_item_title_trgm"),
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

    def dispute_deadline_for(self, *, confirmed_at: datetime | None) -> datetime | None:
        """R-PRT-2, the one place it is computed: the protection deadline, or
        DISPUTE_WINDOW_AFTER_RECEIPT_DAYS after the buyer confirms receipt, whichever comes first."""
        if self.protection_deadline is None or confirmed_at is None:
            return self.protection_deadline
        window = timedelta(days=settings.DISPUTE_WINDOW_AFTER_RECEIPT_DAYS)
        return min(self.protection_deadline, confirmed_at + window)

    # Transitions touch only this row; services lock it, call one, save, and write the ledger.
    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.PAID, target=State.SHIPPED, custom=labels(done=_("Shipped")))
    def ship(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=State.SHIPPED, target=State.DELIVERED, custom=labels(done=_("Delivered")))
    def mark_delivered(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=PROTECTED_STATES,
        target=State.CONFIRMED,
        custom=labels(done=_("Receipt confirmed")),
    )
    def confirm_receipt(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=DISPUTABLE_STATES,
        target=State.DISPUTED,
        custom=labels(done=_("Escrow frozen for the dispute")),
    )
    def freeze_for_dispute(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[*DISPUTABLE_STATES, State.DISPUTED],
        target=State.COMPLETED,
        custom=labels(done=_("Escrow settled")),
    )
    def complete(self, by=None, description=None) -> None:
        pass


class Shipment(models.Model):
    order = models.OneToOneField(Order, models.PROTECT, related_name="shipment")
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=64, db_index=True)
    shipped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [trigram_index("tracking_number", name="shipment_tracking_trgm")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(ChoiceLabels, models.Model):
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


class ExtensionRequest(ChoiceLabels, models.Model):
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
