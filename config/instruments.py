"""The process-level Prometheus instruments: request latency and Celery task outcomes (R-OPS-3).

Imported by ``config.celery`` (so every worker counts its tasks) and by the web's middleware;
it imports no models, so it is safe before Django is set up. ``config.metrics`` serves them.
"""

from __future__ import annotations

import time

from celery.signals import task_failure, task_retry, task_success
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by method, route and status.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASK_OUTCOMES = Counter(
    "celery_task_outcomes", "Celery tasks finished, by task and outcome.", ["task", "outcome"]
)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The route pattern, never the path: ids in paths would make a series per object.
        route = (match.route or match.view_name) if match is not None else "unmatched"
        REQUEST_LATENCY.labels(request.method, route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


def _task_name(sender) -> str:
    return getattr(sender, "name", None) or str(sender)


@task_success.connect(weak=False)
def _task_succeeded(sender=None, **kwargs) -> None:
    TASK_OUTCOMES.labels(_task_name(sender), "succeeded").inc()


@task_failure.connect(weak=False)
def _task_failed(sender=None, **kwargs) -> None:
    TASK_OUTCOMES.labels(_task_name(sender), "failed").inc()


@task_retry.connect(weak=False)
def _task_retried(sender=None, **kwargs) -> None:
    TASK_OUTCOMES.labels(_task_name(sender), "retried").inc()
