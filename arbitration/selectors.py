"""Read-only queries of arbitration: what the scheduler sweeps, who may write, the parties' records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from arbitration.models import Decision, Dispute, InformationRequest, Message, Offer, is_arbiter
from marketplace.actors import party_of
from marketplace.models import LedgerEntry, Order, User
from marketplace.selectors import Discrepancy, reconciliation_check

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


# --- Reconciliation: a dispute's state and the rows it needs (R-JOB-4) ------------------------

RETURN_STATES = (Dispute.State.AWAITING_RETURN, Dispute.State.RETURN_IN_TRANSIT)
RETURN_OUTCOMES = (
    Dispute.Outcome.RETURN_REFUNDED,
    Dispute.Outcome.RETURN_NOT_CONFIRMED,
    Dispute.Outcome.RETURN_NOT_SHIPPED,
)
DECIDED_OUTCOMES = (Dispute.Outcome.DECIDED_REFUND, Dispute.Outcome.DECIDED_REJECTED)


@reconciliation_check
def disputes_missing_rows() -> Iterator[Discrepancy]:
    """Disputes whose state needs rows that are not there: a return under way or ended without
    its return record, a return in transit that was never shipped, a decided dispute without
    its decision. The return jobs and pages can't act on them (they fail every run), so the
    daily check reports them to staff with the money's discrepancies."""
    no_return = Dispute.objects.filter(return_shipment__isnull=True)
    for dispute_id, order_id, state in (
        no_return.filter(Q(state__in=RETURN_STATES) | Q(outcome__in=RETURN_OUTCOMES))
        .values_list("pk", "order_id", "state")
        .iterator()
    ):
        yield Discrepancy(
            "dispute_return_missing", f"Dispute #{dispute_id} is {state} but has no return record.", order_id
        )
    for dispute_id, order_id in (
        Dispute.objects.filter(
            state=Dispute.State.RETURN_IN_TRANSIT, return_shipment__shipped_at__isnull=True
        )
        .exclude(return_shipment__isnull=True)
        .values_list("pk", "order_id")
        .iterator()
    ):
        yield Discrepancy(
            "dispute_return_not_shipped",
            f"Dispute #{dispute_id} is return_in_transit but its return was never shipped.",
            order_id,
        )
    for dispute_id, order_id, outcome in (
        Dispute.objects.filter(outcome__in=DECIDED_OUTCOMES)
        .exclude(Exists(Decision.objects.filter(dispute=OuterRef("pk"))))
        .values_list("pk", "order_id", "outcome")
        .iterator()
    ):
        yield Discrepancy(
            "dispute_decision_missing", f"Dispute #{dispute_id} is {outcome} but has no decision.", order_id
        )
