"""Read-only queries of arbitration: what the scheduler sweeps, the parties' records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from arbitration.models import Dispute, InformationRequest, Offer
from marketplace.models import LedgerEntry, Order, Refund, User

# --- What the scheduler sweeps (R-JOB-1); each uses the (state, deadline_at) index ----------


def disputes_due_for_escalation(now: datetime | None = None) -> QuerySet[Dispute]:
    """Open ESCALATION_AFTER_DAYS after opening, still without agreement (R-DSP-6)."""
    return Dispute.objects.filter(state=Dispute.State.OPEN, deadline_at__lte=now or timezone.now())


def disputes_return_not_shipped(now: datetime | None = None) -> QuerySet[Dispute]:
    return Dispute.objects.filter(state=Dispute.State.AWAITING_RETURN, deadline_at__lte=now or timezone.now())


def disputes_return_not_confirmed(now: datetime | None = None) -> QuerySet[Dispute]:
    return Dispute.objects.filter(
        state=Dispute.State.RETURN_IN_TRANSIT, deadline_at__lte=now or timezone.now()
    )


def disputes_due_for_return_reminder(now: datetime | None = None) -> QuerySet[Dispute]:
    now = now or timezone.now()
    return Dispute.objects.filter(
        state=Dispute.State.AWAITING_RETURN,
        deadline_at__gt=now,
        deadline_at__lte=now + timedelta(days=settings.RETURN_REMINDER_DAYS),
        return_shipment__reminded_at__isnull=True,
    )


def disputes_decision_overdue(now: datetime | None = None) -> QuerySet[Dispute]:
    """Escalated cases not decided ARBITER_DECISION_DAYS after escalation (R-ARB-4)."""
    return Dispute.objects.filter(
        state__in=[Dispute.State.ESCALATED, Dispute.State.UNDER_REVIEW],
        deadline_at__lte=now or timezone.now(),
        overdue_flagged_at__isnull=True,
    )


def refunds_overdue(now: datetime | None = None) -> QuerySet[Refund]:
    from marketplace.selectors import refunds_overdue as money_refunds_overdue

    return money_refunds_overdue(now)


# --- The parties' records (R-ARB-3, R-ARB-5) ------------------------------------------------


@dataclass(frozen=True)
class SellerRecord:
    disputes: int
    open_disputes: int
    lost: int
    decided: int
    penalties_count: int
    penalties_total: Decimal
    solicitation_flags: int

    @property
    def loss_rate(self) -> float | None:
        """Share of closed disputes that ended in the buyer's favour."""
        return self.lost / self.decided if self.decided else None


def seller_record(seller: User | int) -> SellerRecord:
    seller_id = seller if isinstance(seller, int) else seller.pk
    stats = Dispute.objects.filter(seller_id=seller_id).aggregate(
        disputes=Count("pk"),
        open_disputes=Count("pk", filter=~Q(state=Dispute.State.CLOSED)),
        lost=Count("pk", filter=Q(outcome__in=Dispute.BUYER_FAVOURABLE)),
        decided=Count("pk", filter=Q(state=Dispute.State.CLOSED) & ~Q(outcome=Dispute.Outcome.WITHDRAWN)),
        flags=Sum("solicitation_flags"),
    )
    penalties = LedgerEntry.objects.filter(party_id=seller_id, kind=LedgerEntry.Kind.PENALTY).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    return SellerRecord(
        disputes=stats["disputes"],
        open_disputes=stats["open_disputes"],
        lost=stats["lost"],
        decided=stats["decided"],
        penalties_count=penalties["count"],
        penalties_total=penalties["total"] or Decimal("0.00"),
        solicitation_flags=stats["flags"] or 0,
    )


@dataclass(frozen=True)
class BuyerRecord:
    disputes: int
    won: int
    rejected: int
    withdrawn: int
    open_disputes: int
    recent: list[Dispute]

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.rejected
        return self.won / closed if closed else None


def buyer_record(buyer: User | int, *, recent: int = 10) -> BuyerRecord:
    """The buyer's past disputes and outcomes, so serial claimants are visible (R-ARB-3)."""
    buyer_id = buyer if isinstance(buyer, int) else buyer.pk
    disputes = Dispute.objects.filter(buyer_id=buyer_id)
    stats = disputes.aggregate(
        disputes=Count("pk"),
        won=Count("pk", filter=Q(outcome__in=Dispute.BUYER_FAVOURABLE)),
        rejected=Count(
            "pk", filter=Q(outcome__in=[Dispute.Outcome.DECIDED_REJECTED, Dispute.Outcome.RETURN_NOT_SHIPPED])
        ),
        withdrawn=Count("pk", filter=Q(outcome=Dispute.Outcome.WITHDRAWN)),
        open_disputes=Count("pk", filter=~Q(state=Dispute.State.CLOSED)),
    )
    return BuyerRecord(**stats, recent=list(disputes.select_related("order").order_by("-opened_at")[:recent]))


# --- What the buyer's and seller's pages read (R-SEC-1, R-DSP-10) ----------------------------


def party_disputes(user: User) -> QuerySet[Dispute]:
    """The disputes a person is the buyer or the seller of: all they may see (R-SEC-1)."""
    return Dispute.objects.filter(Q(buyer=user) | Q(seller=user))


def party_dispute_pages(user: User) -> QuerySet[Dispute]:
    """``party_disputes`` with what every dispute page reads: the order, both parties, the refund,
    the return, and whose turn it is (``turn_prefetch``; pass each row through ``with_prefetched_turn``)."""
    return (
        party_disputes(user)
        .select_related("order", "buyer", "seller", "refund", "return_shipment")
        .prefetch_related(*turn_prefetch())
    )


def dispute_of(order: Order) -> Dispute | None:
    """The order's dispute, or None: an order has at most one (R-DSP-1)."""
    try:
        return order.dispute
    except Dispute.DoesNotExist:
        return None


def turn_prefetch(prefix: str = "") -> list[str | Prefetch[str, QuerySet[InformationRequest], str]]:
    """What ``whose_turn()`` reads (the offers, the open information requests as ``open_requests``),
    fetched for a whole page at once instead of per row. ``prefix``: the path to the dispute,
    e.g. ``"dispute__"`` from orders."""
    return [
        f"{prefix}offers",
        Prefetch(
            f"{prefix}information_requests",
            queryset=InformationRequest.objects.filter(answered_at__isnull=True).order_by("created_at"),
            to_attr="open_requests",
        ),
    ]


MaybeDispute = TypeVar("MaybeDispute", bound=Dispute | None)


def with_prefetched_turn(dispute: MaybeDispute) -> MaybeDispute:
    """Answer the dispute's "is there a pending offer, and which?" from its prefetched offers, so
    whose turn it is costs no query per row. A dispute without prefetched offers is left as it is."""
    if dispute is not None and "offers" in getattr(dispute, "_prefetched_objects_cache", {}):
        pending = next(
            (offer for offer in dispute.offers.all() if offer.status == Offer.Status.PENDING), None
        )
        # Instance attributes shadow the model's methods, which would each ask the database again.
        dispute.pending_offer = lambda: pending  # type: ignore[method-assign]
        dispute.has_pending_offer = lambda: pending is not None  # type: ignore[method-assign]
    return dispute
