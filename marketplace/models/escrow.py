"""Escrow and the append-only ledger (R-ESC-1..R-ESC-3)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.audit.tracking import history
from marketplace.models.money import MONEY, Currency, cents
from marketplace.models.orders import Order


@history()
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


@history()
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
