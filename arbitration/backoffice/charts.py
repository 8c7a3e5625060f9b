"""The dashboard's charts, drawn as inline SVG on the server (no script, no CDN): disputes opened,
escalated and decided per day, and how long refunds took to be paid. Each function returns the
geometry; ``templates/admin/index.html`` draws it."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from arbitration.models import Decision, Dispute
from marketplace.models import Refund

CHART_DAYS = 30
# Refund time-to-pay buckets, in days (the last one is "over the deadline").
# Labels in the reader's language (lazy: the chart is cached for every reader).
PAY_BUCKETS = [
    (0, 1, _("< 1 day")),
    (1, 3, _("1–3 days")),
    (3, 7, _("3–7 days")),
    (7, 14, _("1–2 weeks")),
    (14, 30, _("2–4 weeks")),
    (
        30,
        settings.REFUND_DEADLINE_DAYS,
        format_lazy(_("{low}–{high} days"), low=30, high=settings.REFUND_DEADLINE_DAYS),
    ),
    (
        settings.REFUND_DEADLINE_DAYS,
        None,
        format_lazy(_("> {days} days"), days=settings.REFUND_DEADLINE_DAYS),
    ),
]


def _per_day(queryset, field: str, since) -> dict:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    return {day: n for day, n in rows}


def _nice_ceiling(value: float) -> int:
    """1, 2, 5, 10, 20, 50 …: a round top for the y axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)


def case_chart() -> dict:
    """Disputes opened, escalated and decided per day over 30 days, as SVG geometry."""
    today = timezone.localdate()
    days = [today - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS)]
    since = timezone.make_aware(datetime.combine(days[0], time.min))
    series = [
        ("opened", _("Opened"), _per_day(Dispute.objects.all(), "opened_at", since)),
        ("escalated", _("Escalated"), _per_day(Dispute.objects.all(), "escalated_at", since)),
        ("decided", _("Decided"), _per_day(Decision.objects.all(), "decided_at", since)),
    ]
    return line_chart(days, series)


def line_chart(days, series, *, width: int = 480, height: int = 200) -> dict:
    """SVG geometry of a line chart; drawn about as wide as the dashboard's column shows it, so
    its 12-pixel labels stay 12 pixels on screen."""
    left, right, top, bottom = 40, 12, 12, 28
    inner_w, inner_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max([1, *(counts.get(d, 0) for _, _, counts in series for d in days)]))
    step = inner_w / max(1, len(days) - 1)

    def y(value: int) -> float:
        return round(top + inner_h - inner_h * value / top_value, 1)

    lines = []
    for key, label, counts in series:
        points = [
            (round(left + i * step, 1), y(counts.get(d, 0)), d, counts.get(d, 0)) for i, d in enumerate(days)
        ]
        lines.append(
            {
                "key": key,
                "label": label,
                "total": sum(counts.get(d, 0) for d in days),
                "polyline": " ".join(f"{x},{py}" for x, py, _, _ in points),
                "points": [{"x": x, "y": py, "day": d, "n": n} for x, py, d, n in points],
            }
        )
    ticks = [{"y": y(v), "label": v} for v in sorted({0, top_value // 2, top_value})]
    last = len(days) - 1
    labels = [
        {
            "x": round(left + i * step, 1),
            "day": d,  # formatted in the reader's language by the template
            "anchor": "start" if i == 0 else "end" if i == last else "middle",
        }
        for i, d in enumerate(days)
        if i % 5 == 0 or i == last
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + inner_h,
        "lines": lines,
        "ticks": ticks,
        "labels": labels,
    }


def pay_chart() -> dict:
    """How long refunds took to be paid (created → completed), over the last 90 days."""
    since = timezone.now() - timedelta(days=90)
    duration = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
    whens = []
    for index, (low, high, _label) in enumerate(PAY_BUCKETS):
        condition = Q(took__gte=timedelta(days=low))
        if high is not None:
            condition &= Q(took__lt=timedelta(days=high))
        whens.append(When(condition, then=Value(index)))
    rows = (
        Refund.objects.filter(state=Refund.State.COMPLETED, completed_at__gte=since)
        .annotate(took=duration, bucket=Case(*whens, default=Value(0), output_field=IntegerField()))
        .order_by()
        .values_list("bucket")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    average = (
        Refund.objects.filter(state=Refund.State.COMPLETED, completed_at__gte=since)
        .annotate(took=duration)
        .aggregate(avg=Avg("took"))["avg"]
    )
    total = sum(counts.values())
    width, height, left, bottom_pad, top = 480, 200, 36, 34, 12
    inner_h = height - bottom_pad - top
    slot = (width - left - 12) / len(PAY_BUCKETS)
    peak = _nice_ceiling(max([1, *counts.values()]))
    bars = []
    for index, (_low, high, label) in enumerate(PAY_BUCKETS):
        n = counts.get(index, 0)
        h = round(inner_h * n / peak, 1)
        bars.append(
            {
                "x": round(left + index * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(top + inner_h - h, 1),
                "h": h,
                "n": n,
                "label": label,
                "late": high is None,
                "cx": round(left + index * slot + slot / 2, 1),
            }
        )
    within = sum(
        counts.get(i, 0) for i, (_l, high, _t) in enumerate(PAY_BUCKETS) if high is not None and high <= 7
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "bottom": top + inner_h,
        "bars": bars,
        "ticks": [
            {"y": round(top + inner_h - inner_h * v / peak, 1), "label": v}
            for v in sorted({0, peak // 2, peak})
        ],
        "total": total,
        "average_days": round(average.total_seconds() / 86400, 1) if average else None,
        "within_week": round(100 * within / total) if total else None,
    }
