"""The Celery app. Tasks live in each app's tasks.py; the beat schedule is in config/schedule.py.

Settings come from Django's settings (``CELERY_*``, read from the environment there):
broker, time limits, ``task_acks_late`` with ``task_reject_on_worker_lost`` (every task
is idempotent, see marketplace/tasks.py, so redelivering one whose worker died is safe),
prefetch of one task at a time.

Run ``celery -A config worker`` (as many as needed) and exactly one ``celery -A config beat``.
"""

import logging.config
import os
from pathlib import Path

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings
from django_structlog.celery.steps import DjangoStructLogInitStep

import config.instruments  # noqa: F401  (R-OPS-3: every worker counts its tasks' outcomes)
from config.schedule import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("arbitration_backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# R-OPS-4: a task's log lines carry the request id of the request that queued it (headers).
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def _structured_logs(**kwargs) -> None:
    # The workers log like the web (config/logs.py) instead of Celery's own format.
    logging.config.dictConfig(settings.LOGGING)


@app.on_after_configure.connect
def _install_beat_schedule(sender: Celery, **kwargs: object) -> None:
    # Settings are read here, not at import: this module is imported before they are configured.
    sender.conf.beat_schedule = beat_schedule(getattr(settings, "JOB_INTERVAL_SECONDS", 0))


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender: Celery, **kwargs: object) -> None:
    # kombu's filesystem transport does not create its folders.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
