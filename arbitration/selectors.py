"""Read-only queries of arbitration: what the scheduler sweeps, who may write, the parties' records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from arbitration.models import Dispute, Message, is_arbiter
from marketplace.actors import party_of
from marketplace.models import LedgerEntry, User

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


# --- Who may write in a dispute's thread (R-DSP-7) ---------------------------------------------


def message_role(dispute: Dispute, user: User) -> str | None:
    """The role ``user`` may write in, or None. Arbiters join the thread after escalation."""
    if dispute.is_closed:
        return None
    party = party_of(dispute, user)
    if party is not None:
        return Message.Role(party)
    if dispute.escalation_count > 0 and is_arbiter(dispute, user):
        return Message.Role.ARBITER
    return None


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
