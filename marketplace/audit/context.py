"""Who or what changed a row: the pghistory context of requests and Celery tasks (R-OPS-2).

pghistory sends the context to PostgreSQL with each write statement; the event triggers copy it
into the event row (``pgh_context``), where the hash chain covers it. On SQLite there are no
triggers and no context is sent.
"""

from __future__ import annotations

import contextlib

import pghistory
from django.db import connection


def history_context(**metadata) -> contextlib.AbstractContextManager:
    """``pghistory.context(**metadata)`` on PostgreSQL; nothing elsewhere."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return pghistory.context(**metadata)


def history_note(**metadata) -> None:
    """Add to the context already open (a request's, a task's); nothing when none is open."""
    if connection.vendor == "postgresql":
        pghistory.context(**metadata)


class HistoryMiddleware:
    """The acting user, the path and the request id on every change a request makes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        metadata = {
            "user": user.pk if user is not None and user.is_authenticated else None,
            "url": request.path,
            "request_id": getattr(request, "request_id", None),
        }
        with history_context(**metadata):
            return self.get_response(request)


def task_started(task_id=None, task=None, args=None, **kwargs) -> None:
    """Celery ``task_prerun``: changes made by the task name it, the job it runs, the request."""
    headers = getattr(task.request, "__django_structlog__", None) or {}
    metadata = {"task": task.name, "request_id": headers.get("request_id")}
    if task.name.endswith("run_job_task") and args:
        metadata["job"] = args[0]
    stack = contextlib.ExitStack()
    stack.enter_context(history_context(**metadata))
    task.request._history_context = stack


def task_finished(task_id=None, task=None, **kwargs) -> None:
    stack = getattr(task.request, "_history_context", None)
    if stack is not None:
        stack.close()
