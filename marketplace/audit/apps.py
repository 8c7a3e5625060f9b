from celery.signals import task_postrun, task_prerun
from django.apps import AppConfig

from marketplace.audit.context import task_finished, task_started


class AuditConfig(AppConfig):
    name = "marketplace.audit"
    label = "audit"
    verbose_name = "Audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every change a Celery task makes names the task, its job and the request that queued it.
        task_prerun.connect(task_started, weak=False, dispatch_uid="audit-task-started")
        task_postrun.connect(task_finished, weak=False, dispatch_uid="audit-task-finished")
