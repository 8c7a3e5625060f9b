"""Celery entry points of arbitration: thin, by id, retried on transient errors."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

# Imported here, not in the tasks, so a worker also loads the evidence immutability guards.
from arbitration.evidence import evidence_process

try:  # S3 errors, when the storage is S3
    from botocore.exceptions import BotoCoreError, ClientError

    _STORAGE_ERRORS: tuple[type[BaseException], ...] = (BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - boto3 is a dependency
    _STORAGE_ERRORS = ()


@shared_task(
    autoretry_for=(OSError, OperationalError, *_STORAGE_ERRORS),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def evidence_process_task(evidence_id: int) -> str:
    """Thumbnail and metadata-free rendition of one uploaded file, queued after commit (R-EVD-4).
    If this task is lost (the broker down at commit), the ``process_evidence`` sweep makes it."""
    return evidence_process(evidence_id=evidence_id)
