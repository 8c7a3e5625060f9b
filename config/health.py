"""Health for load balancers and orchestrators (R-OPS-3), with django-health-check.

``/health/`` answers 200 when the database, the cache, the Celery broker and the file storage all
answer, 503 otherwise (JSON with ``?format=json``). ``/health/ready/`` adds one more: no migration
is pending, so a new release takes traffic only once its schema is in place.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis in production, a folder in the demo)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
        try:
            with Connection(
                settings.CELERY_BROKER_URL, connect_timeout=2, transport_options=options
            ) as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable("The Celery broker does not answer") from exc


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration of this release is applied (readiness only)."""

    def run(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            raise ServiceUnavailable("Could not read the migrations") from exc
        finally:
            connection.close()
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migrations are not applied yet")


LIVE_CHECKS = (
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "config.health.Broker",
    "health_check.checks.Storage",
)


class HealthView(HealthCheckView):
    """django-health-check's view, answering 503 (not 500) when something is down."""

    checks = LIVE_CHECKS

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response


class ReadyView(HealthView):
    checks = (*LIVE_CHECKS, "config.health.MigrationsApplied")
