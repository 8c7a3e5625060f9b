"""Read-only queries of arbitration: what the scheduler sweeps, who may write, the parties' records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Field, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Window
from django.utils import timezone

from arbitration.models import Decision, Dispute, InformationRequest, Message, is_arbiter
from marketplace.actors import party_of
from marketplace.models import LedgerEntry, Order, User
from marketplace.selectors.reconciliation import Discrepancy, reconciliation_check

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


SELLER_RECORD = "seller_record_"  # the prefix of its annotations (``seller_record_annotations``)


def seller_record_annotations(seller_id: Any) -> dict[str, Subquery]:
    """The seller's record as subqueries of any row that names the seller (``seller_id``: an
    ``OuterRef`` or an id): each count and sum is one scalar subquery over the seller's disputes
    or penalties, so a page reads the record with its main row (issue 15: the case page reads it
    with the dispute) and a seller without disputes reads zeros. ``seller_record_of`` reads them."""
    disputes = Dispute.objects.filter(seller_id=seller_id).order_by().values("seller_id")
    penalties = (
        LedgerEntry.objects.filter(party_id=seller_id, kind=LedgerEntry.Kind.PENALTY)
        .order_by()
        .values("party_id")
    )

    def over(rows: QuerySet[Any], total: Any) -> Subquery:
        return Subquery(rows.annotate(total=total).values("total"))

    fields = {
        "disputes": over(disputes, Count("pk")),
        "open_disputes": over(disputes, Count("pk", filter=~Q(state=Dispute.State.CLOSED))),
        "lost": over(disputes, Count("pk", filter=Q(outcome__in=Dispute.BUYER_FAVOURABLE))),
        "decided": over(
            disputes,
            Count("pk", filter=Q(state=Dispute.State.CLOSED) & ~Q(outcome=Dispute.Outcome.WITHDRAWN)),
        ),
        "solicitation_flags": over(disputes, Sum("solicitation_flags")),
        "penalties_count": over(penalties, Count("pk")),
        "penalties_total": over(penalties, Sum("amount")),
    }
    return {SELLER_RECORD + name: value for name, value in fields.items()}


def seller_record_of(row: Any) -> SellerRecord:
    """The record from a row annotated with ``seller_record_annotations`` (no rows: zeros)."""

    def value(name: str) -> Any:
        return getattr(row, SELLER_RECORD + name)

    return SellerRecord(
        disputes=value("disputes") or 0,
        open_disputes=value("open_disputes") or 0,
        lost=value("lost") or 0,
        decided=value("decided") or 0,
        penalties_count=value("penalties_count") or 0,
        penalties_total=value("penalties_total") or Decimal("0.00"),
        solicitation_flags=value("solicitation_flags") or 0,
    )


def seller_record(seller: User | int) -> SellerRecord:
    """The seller's disputes and penalties, in one query (the seller's row with the record's
    subqueries)."""
    seller_id = seller if isinstance(seller, int) else seller.pk
    row = User.objects.filter(pk=seller_id).annotate(**seller_record_annotations(OuterRef("pk"))).get()
    return seller_record_of(row)


@dataclass(frozen=True)
class PastDispute:
    """One of a buyer's recent disputes as their record lists it (``buyer_record_annotations``)."""

    pk: int
    opened_at: datetime
    reason: str
    outcome: str
    state: str

    def get_reason_display(self) -> str:
        return _label("reason", self.reason)

    def get_outcome_display(self) -> str:
        return _label("outcome", self.outcome)


def _label(field: str, value: str) -> str:
    """A dispute field's choice label, as ``get_<field>_display`` reads it (the value if unknown)."""
    model_field = Dispute._meta.get_field(field)
    choices = model_field.flatchoices if isinstance(model_field, Field) else []
    return str(dict(choices).get(value, value))


@dataclass(frozen=True)
class BuyerRecord:
    disputes: int
    won: int
    rejected: int
    withdrawn: int
    open_disputes: int
    recent: Sequence[Dispute | PastDispute]

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.rejected
        return self.won / closed if closed else None


def _buyer_counts() -> dict[str, Count]:
    return {
        "disputes": Count("pk"),
        "won": Count("pk", filter=Q(outcome__in=Dispute.BUYER_FAVOURABLE)),
        "rejected": Count(
            "pk", filter=Q(outcome__in=[Dispute.Outcome.DECIDED_REJECTED, Dispute.Outcome.RETURN_NOT_SHIPPED])
        ),
        "withdrawn": Count("pk", filter=Q(outcome=Dispute.Outcome.WITHDRAWN)),
        "open_disputes": Count("pk", filter=~Q(state=Dispute.State.CLOSED)),
    }


def buyer_record(buyer: User | int, *, recent: int = 10) -> BuyerRecord:
    """The buyer's past disputes and outcomes, so serial claimants are visible (R-ARB-3)."""
    buyer_id = buyer if isinstance(buyer, int) else buyer.pk
    counts = _buyer_counts()
    # One query: the recent disputes, each row carrying the counts over all of them (a window).
    rows = list(
        Dispute.objects.filter(buyer_id=buyer_id)
        .select_related("order")
        .annotate(**{f"record_{name}": Window(count) for name, count in counts.items()})
        .order_by("-opened_at")[:recent]
    )
    stats = {name: getattr(rows[0], f"record_{name}") if rows else 0 for name in counts}
    return BuyerRecord(**stats, recent=rows)


BUYER_RECORD = "buyer_record_"  # the prefix of its annotations (``buyer_record_annotations``)
_RECENT = ("pk", "opened_at", "reason", "outcome", "state")  # a ``PastDispute``'s fields


def buyer_record_annotations(buyer_id: Any, *, recent: int = 10) -> dict[str, Subquery]:
    """The buyer's record as subqueries of any row that names the buyer (``buyer_id``: an
    ``OuterRef`` or an id), as the seller's (``seller_record_annotations``): each count one scalar
    subquery over the buyer's disputes, and the ``recent`` latest disputes as one typed array per
    field (their ids, opening moments, reasons, outcomes, states), each in the same order, newest
    first. ``buyer_record_of`` reads them (issue 15: the case page reads the record with the
    dispute). On a database without arrays (SQLite, the demo) nothing is annotated and
    ``buyer_record_of`` reads the record with ``buyer_record``'s query."""
    from django.contrib.postgres.expressions import ArraySubquery

    if connection.vendor != "postgresql":
        return {}

    disputes = Dispute.objects.filter(buyer_id=buyer_id).order_by().values("buyer_id")
    fields: dict[str, Subquery] = {
        name: Subquery(disputes.annotate(total=count).values("total"))
        for name, count in _buyer_counts().items()
    }
    latest = Dispute.objects.filter(buyer_id=buyer_id).order_by("-opened_at", "-pk")[:recent]
    for name in _RECENT:
        fields[f"recent_{name}"] = ArraySubquery(latest.values(name))
    return {BUYER_RECORD + name: value for name, value in fields.items()}


def buyer_record_of(row: Any, *, buyer_id: int) -> BuyerRecord:
    """The record from a row annotated with ``buyer_record_annotations`` (no disputes: zeros);
    from ``buyer_record`` where the row could not carry it (``buyer_id``: the row's buyer)."""
    if not hasattr(row, BUYER_RECORD + "disputes"):
        return buyer_record(buyer_id)

    def value(name: str) -> Any:
        return getattr(row, BUYER_RECORD + name)

    columns = [value(f"recent_{name}") or [] for name in _RECENT]
    return BuyerRecord(
        disputes=value("disputes") or 0,
        won=value("won") or 0,
        rejected=value("rejected") or 0,
        withdrawn=value("withdrawn") or 0,
        open_disputes=value("open_disputes") or 0,
        recent=[PastDispute(*fields) for fields in zip(*columns, strict=True)],
    )


# --- What the buyer's and seller's pages read (R-SEC-1, R-DSP-10) ----------------------------


def party_disputes(user: User) -> QuerySet[Dispute]:
    """The disputes a person is the buyer or the seller of: all they may see (R-SEC-1)."""
    return Dispute.objects.filter(Q(buyer=user) | Q(seller=user))


def party_dispute_pages(user: User) -> QuerySet[Dispute]:
    """``party_disputes`` with what every dispute page reads: the order, both parties, the refund,
    the return, whose turn it is (``turn_prefetch``) and the claim's versions (the amendments left)."""
    return (
        party_disputes(user)
        .select_related("order", "buyer", "seller", "refund", "return_shipment")
        .prefetch_related(*turn_prefetch(), "claim_versions")
    )


def dispute_of(order: Order) -> Dispute | None:
    """The order's dispute, or None: an order has at most one (R-DSP-1)."""
    try:
        return order.dispute
    except Dispute.DoesNotExist:
        return None


def turn_prefetch(prefix: str = "") -> list[str | Prefetch[str, QuerySet[InformationRequest], str]]:
    """What ``whose_turn()`` reads (the offers, the open information requests as ``open_requests``),
    fetched for a whole page at once instead of per row (a dispute answers its offer facts from its
    prefetched offers, ``Dispute.has_pending_offer``). ``prefix``: the path to the dispute,
    e.g. ``"dispute__"`` from orders."""
    return [f"{prefix}offers", open_requests_prefetch(prefix)]


def open_requests_prefetch(prefix: str = "") -> Prefetch[str, QuerySet[InformationRequest], str]:
    """A dispute's unanswered information requests, oldest first, as ``open_requests``."""
    return Prefetch(
        f"{prefix}information_requests",
        queryset=InformationRequest.objects.filter(answered_at__isnull=True).order_by("created_at"),
        to_attr="open_requests",
    )


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
