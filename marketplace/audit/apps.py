from celery.signals import task_postrun, task_prerun
from django.apps import AppConfig
from django.db.models.signals import post_migrate

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
        # After every migrate (a migration may have installed a trigger, and with it pgtrigger's
        # slow ``_pgtrigger_should_ignore``): the fast one, same answers (see tracking.py).
        from marketplace.audit.tracking import install_fast_ignore

        post_migrate.connect(install_fast_ignore, sender=self, weak=False, dispatch_uid="audit-fast-ignore")
