"""The figures of the back office: the dashboard on the admin index (what needs attention now,
for what this person works on: arbiter, finance, both) and the counts above the queue.

Both the queue (``disputes``) and the template tag of the index (``arbitration_admin``) read them
from here; every count is answered by an index, so the pages cost the same at any size.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from arbitration.backoffice.base import COMPLAINT_QUEUE_STATES, QUEUE_STATES
from arbitration.backoffice.charts import case_chart, pay_chart
from arbitration.models import Complaint, Dispute, SafetyReport
from marketplace.models import Refund, User
from marketplace.scheduling import sweep_lag

UNPAID = (Refund.State.PENDING, Refund.State.SENT, Refund.State.FAILED)
CHART_SECONDS = 300  # the charts are drawn at most every five minutes; the counts are live


def cached_chart(name: str, draw, now: datetime) -> dict:
    """A chart from the cache, with the moment it was drawn (``as_of``): the page says how old
    the picture is, beside the live counts."""
    return cache.get_or_set(
        f"admin-dashboard:{name}:{now:%Y-%m-%d-%H}",
        lambda: {**draw(), "as_of": timezone.now()},
        CHART_SECONDS,
    )


def overdue_cases(now: datetime) -> QuerySet[Dispute]:
    """R-ARB-4: in the queue past the decision date (the (state, deadline_at) index)."""
    return Dispute.objects.filter(state__in=QUEUE_STATES, deadline_at__lte=now)


def waiting_complaints() -> QuerySet[Complaint]:
    """Complaints are the other half of the arbitration queue (R-ARB-1, R-CMP-1)."""
    return Complaint.objects.filter(state__in=COMPLAINT_QUEUE_STATES)


def queue_counts(user: User) -> dict:
    """The queue at a glance: counts the indexes answer alone ((state, escalated_at),
    (state, deadline_at), assigned_arbiter); one aggregate with filters would read 30,000 rows."""
    queue = Dispute.objects.filter(state__in=QUEUE_STATES).order_by()
    by_state = dict(queue.values_list("state").annotate(n=Count("*")))
    return {
        "waiting": by_state.get(Dispute.State.ESCALATED, 0),
        "in_review": by_state.get(Dispute.State.UNDER_REVIEW, 0),
        "overdue": overdue_cases(timezone.now()).count(),
        "mine": queue.filter(assigned_arbiter=user).count(),
        "complaints": waiting_complaints().count(),
    }


def dashboard(user: User) -> dict:
    """Figures for the admin index, for what this person works on (arbiter, finance, both)."""
    now = timezone.now()
    arbiter = user.has_perm("arbitration.view_dispute")
    finance = user.has_perm("marketplace.view_refund")
    data = {"arbiter": arbiter, "finance": finance, "now": now, "chart_minutes": CHART_SECONDS // 60}
    if arbiter:
        data.update(_arbiter_figures(user, now))
    if finance:
        data.update(_finance_figures(now))
    if arbiter or finance:
        data["sweeps"] = sweeps_behind(now)
    return data


LAG_SECONDS = 60  # the sweep lag is read again at most every minute (one query per sweep)


def sweeps_behind(now: datetime) -> dict:
    """Each deadline sweep's lag (R-JOB-1, issue 15): since when its oldest due item has waited,
    and whether that is longer than ``JOB_LAG_ALERT_SECONDS`` — the scheduler falling behind
    (workers down, a beat not running, a sweep failing). ``job_sweep_lag_seconds`` in /metrics
    is the same figure; here it is read at most once a minute, with the moment it was read."""

    def read() -> dict:
        at = timezone.now()
        jobs = [
            {
                "name": name,
                "waiting_since": at - timedelta(seconds=lag) if lag else None,
                "behind": lag > settings.JOB_LAG_ALERT_SECONDS,
            }
            for name, lag in sweep_lag(at).items()
            if lag is not None
        ]
        return {"jobs": jobs, "behind": sum(job["behind"] for job in jobs), "as_of": at}

    return cache.get_or_set(f"admin-dashboard:sweeps:{now:%Y-%m-%d-%H-%M}", read, LAG_SECONDS)


def _arbiter_figures(user: User, now: datetime) -> dict:
    live = [state for state in Dispute.State.values if state != Dispute.State.CLOSED]
    by_state = dict(  # index-only over the live states; closed disputes are most of the table
        Dispute.objects.filter(state__in=live).order_by().values_list("state").annotate(n=Count("*"))
    )
    mine = Dispute.objects.filter(state=Dispute.State.UNDER_REVIEW, assigned_arbiter=user)
    return {
        "cases": {
            "open": by_state.get(Dispute.State.OPEN, 0),
            "escalated": by_state.get(Dispute.State.ESCALATED, 0),
            "under_review": by_state.get(Dispute.State.UNDER_REVIEW, 0),
            "returns": by_state.get(Dispute.State.AWAITING_RETURN, 0)
            + by_state.get(Dispute.State.RETURN_IN_TRANSIT, 0),
            "overdue": overdue_cases(now).count(),
            "mine": mine.count(),
            "complaints": waiting_complaints().count(),
            "safety": SafetyReport.objects.filter(state=SafetyReport.State.OPEN).count(),
        },
        "my_cases": list(mine.select_related("order").order_by("deadline_at")[:8]),
        "oldest_waiting": list(
            Dispute.objects.filter(state=Dispute.State.ESCALATED)
            .select_related("order")
            .order_by("escalated_at")[:5]
        ),
        "case_chart": cached_chart("cases", case_chart, now),
    }


def _finance_figures(now: datetime) -> dict:
    unpaid = Refund.objects.filter(state__in=UNPAID)
    by_state = dict(unpaid.order_by().values_list("state").annotate(n=Count("*")))
    return {
        "refunds": {
            "pending": by_state.get(Refund.State.PENDING, 0),
            "sent": by_state.get(Refund.State.SENT, 0),
            "failed": by_state.get(Refund.State.FAILED, 0),
            "overdue": unpaid.filter(due_at__lte=now).count(),
        },
        "unpaid_refunds": list(unpaid.select_related("order").order_by("due_at")[:6]),
        "pay_chart": cached_chart("pay", pay_chart, now),
    }
