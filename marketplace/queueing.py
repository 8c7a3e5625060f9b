"""Queue Celery work by task name, after the transaction commits.

Services record what must happen (a refund row, an outbox row) and ask for the work by the
task's registered name, so no service imports a tasks module (tasks import services, never the
reverse). ``current_app.tasks[name]`` keeps eager mode in tests; ``send_task`` would not.
``robust=True``: a broker outage never fails the change — the backstop sweeps find the work undone.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, current_app
from django.db import transaction

log = logging.getLogger(__name__)


def _task(task_name: str) -> Task[Any, Any]:
    if task_name not in current_app.tasks:
        # A web process never imports the apps' tasks modules: let Celery autodiscover them.
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def enqueue(task_name: str, *args: Any) -> None:
    """Queue ``task_name(*args)`` now; a broker outage is logged and left to the backstop sweeps."""
    task = _task(task_name)
    if current_app.conf.task_always_eager:
        task.delay(*args)  # tests: the task runs here, and its errors must be seen
        return
    try:
        task.delay(*args)
    except Exception:
        log.warning("Could not queue %s%r; a backstop sweep will do the work", task_name, args, exc_info=True)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Queue ``task_name(*args)`` once the current transaction commits (never if it rolls back)."""
    # Robust (an error is logged, never raised into the request that committed) except in eager
    # mode, where the task runs right here and a test must see its errors.
    transaction.on_commit(lambda: enqueue(task_name, *args), robust=not current_app.conf.task_always_eager)
