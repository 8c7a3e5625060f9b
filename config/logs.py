"""Structured logs (R-OPS-4): JSON lines in production, readable lines in ``make demo``.

Every log line — ours through ``logging`` or structlog, Django's, Celery's — goes through one
structlog formatter, which adds what is bound for the current request or task: ``request_id``
(django-structlog's middleware makes one per request, or takes ``X-Request-ID``), ``user_id``,
``ip``; in a Celery task the ``request_id`` of the request that queued it (django-structlog puts
it in the task's headers when it is published) and ``task_id``. Fields passed with
``extra={...}`` (object ids, the actor) appear as keys of the line.
"""

from __future__ import annotations

import structlog

# What every line carries, for structlog's own loggers and for the standard library's records.
_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, level: str, json: bool) -> dict:
    """Django's ``LOGGING``: one console handler whose formatter renders JSON or readable text."""
    if json:
        render = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=False)]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def configure_structlog() -> None:
    """structlog's own loggers hand their events to the standard library's handlers above."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def request_id() -> str | None:
    """The id of the request (or of the request that queued this task), if any."""
    return structlog.contextvars.get_contextvars().get("request_id")
