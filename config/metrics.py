"""Prometheus metrics (R-OPS-3): the endpoint and the figures read from the database.

- ``http_request_duration_seconds`` (histogram by method, route and status) from
  ``RequestMetricsMiddleware``.
- ``celery_task_outcomes_total`` (counter by task and outcome: succeeded, failed, retried) from
  Celery's signals in the workers (both in ``config.instruments``, which imports no models).
- Read from the database at each scrape (``DomainCollector``): disputes waiting per state, overdue
  cases and refunds, failing webhook deliveries, evidence renditions that failed, the last reconciliation's
  discrepancies, and per job the **sweep lag** — the age in seconds of the oldest due item, from
  ``marketplace.scheduling.sweep_lag()``.

Several processes (gunicorn workers, Celery pool processes) share one set of figures through
prometheus-client's multiprocess mode: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder for
web and workers of one host (``config/gunicorn.py`` cleans up after dead workers). ``/metrics``
answers only with ``Authorization: Bearer <METRICS_TOKEN>``, or to a verified staff session.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from arbitration.models import Dispute, Evidence
from marketplace import scheduling
from marketplace.models import ReconciliationRun, Refund, WebhookDelivery


class DomainCollector:
    """The figures an operations lead watches, read when Prometheus scrapes."""

    def collect(self):
        now = timezone.now()
        waiting = GaugeMetricFamily(
            "arbitration_disputes_waiting", "Disputes not closed, by state.", labels=["state"]
        )
        counts = dict(
            Dispute.objects.exclude(state=Dispute.State.CLOSED)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        for state in Dispute.State.values:
            if state != Dispute.State.CLOSED:
                waiting.add_metric([state], counts.get(state, 0))
        yield waiting
        yield GaugeMetricFamily(
            "arbitration_cases_overdue",
            "Escalated disputes past their decision deadline (R-ARB-4).",
            value=Dispute.objects.filter(
                state__in=[Dispute.State.ESCALATED, Dispute.State.UNDER_REVIEW], deadline_at__lte=now
            ).count(),
        )
        yield GaugeMetricFamily(
            "refunds_overdue",
            "Refunds not paid by their due date (R-REF-2).",
            value=Refund.objects.filter(due_at__lte=now).exclude(state=Refund.State.COMPLETED).count(),
        )
        last = ReconciliationRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
        yield GaugeMetricFamily(
            "reconciliation_discrepancies",
            "Discrepancies found by the last finished ledger reconciliation (R-JOB-4).",
            value=last.discrepancy_count if last else 0,
        )
        yield GaugeMetricFamily(
            "webhook_deliveries_failing",
            "Webhook deliveries given up on or being retried after a failure.",
            value=_failing_webhook_deliveries(),
        )
        yield GaugeMetricFamily(
            "evidence_renditions_failed",
            "Evidence files whose metadata-free rendition could not be made: the other party can't "
            "see them (R-EVD-4).",
            value=Evidence.objects.filter(processing_failed_at__isnull=False).count(),
        )
        yield from _sweep_lag()


def _failing_webhook_deliveries() -> int:
    """Deliveries given up on, and deliveries being retried after a failed attempt (R-API-5)."""
    failing = Q(status=WebhookDelivery.Status.FAILED) | Q(
        status=WebhookDelivery.Status.PENDING, attempts__gt=0
    )
    return WebhookDelivery.objects.filter(failing).count()


def _sweep_lag():
    """Per job, seconds since its oldest due item became due (0: nothing due)."""
    gauge = GaugeMetricFamily(
        "job_sweep_lag_seconds",
        "Age of the oldest due item of each scheduled job, in seconds (0: nothing due).",
        labels=["job"],
    )
    for job, seconds in sorted(scheduling.sweep_lag().items()):
        gauge.add_metric([job], 0.0 if seconds is None else max(0.0, float(seconds)))
    yield gauge


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff and user.is_verified())


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("Metrics need the bearer token (METRICS_TOKEN).\n", status=403)
    domain = CollectorRegistry(auto_describe=True)
    domain.register(DomainCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        body = generate_latest(processes)
    else:
        body = generate_latest(REGISTRY)
    return HttpResponse(body + generate_latest(domain), content_type=CONTENT_TYPE_LATEST)
