"""gunicorn settings for production: ``gunicorn -c config/gunicorn.py config.wsgi``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (an empty folder, emptied at each start), every worker writes
its metrics there and ``/metrics`` adds them up; a dead worker's live gauges are dropped here.
"""

import os

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Logs are JSON from Django (config/logs.py); gunicorn's own access log would be a second format.
accesslog = None


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
