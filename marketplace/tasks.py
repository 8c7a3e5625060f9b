"""Celery entry points of the money core: thin, by id, retried with backoff on transient errors.

Every task here is safe to run twice, which is what makes the app-wide ``task_acks_late`` +
``task_reject_on_worker_lost`` safe (a task whose worker died is delivered again):
a refund is sent with its idempotency key, a notification is locked and marked sent in one
transaction, and a job moves each item once under a row lock.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from marketplace.actors import scheduler_user
from marketplace.errors import DomainError
from marketplace.gateways import GatewayUnavailable
from marketplace.mail import TRANSIENT_SEND_ERRORS, deliver
from marketplace.models import Refund
from marketplace.queueing import enqueue
from marketplace.scheduling import backlog, run_job
from marketplace.services import refund_send
from marketplace.webhooks.deliveries import webhook_deliver

log = logging.getLogger(__name__)

RUN_JOB = "marketplace.tasks.run_job_task"

# The database restarting or failing over, a lost connection: worth another attempt.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=(GatewayUnavailable, *TRANSIENT_DB_ERRORS),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def refund_send_task(refund_id: int) -> str:
    """Send a new or retried refund through the gateway as soon as it is committed."""
    refund = Refund.objects.filter(pk=refund_id, state=Refund.State.PENDING).first()
    if refund is None:
        return "not pending"
    try:
        refund_send(refund=refund, actor=scheduler_user())
    except DomainError:
        return "sent by someone else"
    return "sent"


@shared_task(bind=True, max_retries=10)
def send_notifications(self, notification_ids: list[int]) -> str:
    """Send notification emails recorded by committed transactions (R-NTF-1).

    One failing address does not hold up the others; the ones that failed for a transient
    reason are retried, alone, with exponential backoff (the outbox sweep is the backstop
    once retries run out).
    """
    outcomes: dict[str, int] = {}
    retry_ids = []
    for notification_id in notification_ids:
        try:
            outcome = deliver(notification_id)
        except (*TRANSIENT_SEND_ERRORS, *TRANSIENT_DB_ERRORS):
            retry_ids.append(notification_id)
            outcome = "retry"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if retry_ids and self.request.retries < self.max_retries and not self.request.is_eager:
        raise self.retry(args=(retry_ids,), countdown=min(900, 30 * 2**self.request.retries))
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))


@shared_task(
    bind=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def run_job_task(self, name: str, helper: bool = False) -> str:
    """Beat's entry point for every scheduled job (config/schedule.py), and its helpers.

    A beat tick that finds more due items than one batch asks for up to ``JOB_FANOUT - 1``
    helper runs of the same job, so several workers move one sweep together (each claims
    different rows); a run that used up its time budget queues its own continuation. A lost
    database connection aborts the run (each batch is its own transaction) and the task is
    retried with backoff.
    """
    if not helper and settings.JOB_FANOUT > 1 and not self.request.is_eager:
        waiting = backlog(name, cap=settings.JOB_BATCH_SIZE * settings.JOB_FANOUT)
        for _ in range(min(settings.JOB_FANOUT, -(-waiting // settings.JOB_BATCH_SIZE)) - 1):
            enqueue(RUN_JOB, name, True)
    result = run_job(name)
    if result.stopped_reason and not self.request.is_eager:
        enqueue(RUN_JOB, name, True)  # the rest is still due: keep going without waiting for beat
    return result.summary()


@shared_task(
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def webhook_deliver_task(delivery_ids: list[int]) -> str:
    """Send webhook deliveries as soon as their event commits (R-API-5).

    One attempt each: a failed one is rescheduled with backoff in the database and the
    ``send_webhooks`` sweep makes the next, so no long countdown sits in the broker.
    """
    return webhook_deliver(delivery_ids=delivery_ids).summary()
