"""Adding evidence: the one way a file enters the system (R-EVD-2, R-EVD-3), and the guards
that keep it immutable afterwards.

``evidence_add`` is called by the services of every form that takes evidence, inside their
transaction. The same content twice in one dispute (or report), or twice in one upload, is
refused, naming who added it and when: one copy is all an arbiter needs. The thumbnail and
rendition are made after commit by the Celery task, queued by its registered name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from arbitration.evidence.checks import CheckedFile, check_files
from arbitration.evidence.errors import EvidenceImmutable, EvidenceRejected
from arbitration.evidence.names import safe_name
from arbitration.evidence.reading import StoredContent
from arbitration.evidence.sniffing import EXTENSIONS
from arbitration.models import Complaint, Dispute, Evidence, Message, SafetyReport
from marketplace.models import User
from marketplace.queueing import enqueue_on_commit

PROCESS_TASK = "arbitration.tasks.evidence_process_task"

# The background processing may fill in these fields once; nothing else ever changes.
PROCESSING_FIELDS = frozenset(
    {"thumbnail", "rendition", "processed_at", "processing_attempts", "processing_failed_at"}
)


def _case_evidence(dispute: Dispute | None, safety_report: SafetyReport | None) -> QuerySet[Evidence]:
    if dispute is not None:
        return Evidence.objects.filter(dispute=dispute)
    return Evidence.objects.filter(safety_report=safety_report)


def evidence_remaining(*, dispute: Dispute | None = None, safety_report: SafetyReport | None = None) -> int:
    """How many more files the dispute (or safety report) can take (R-EVD-2)."""
    already = _case_evidence(dispute, safety_report).count()
    return max(0, settings.EVIDENCE_MAX_FILES_PER_DISPUTE - already)


def _uploader_words(evidence: Evidence, actor: User, dispute: Dispute | None) -> str:
    if evidence.uploaded_by_id == getattr(actor, "pk", None):
        return _("you")
    if dispute is not None and evidence.uploaded_by_id == dispute.buyer_id:
        return _("the buyer")
    if dispute is not None and evidence.uploaded_by_id == dispute.seller_id:
        return _("the seller")
    return _("an arbiter")


def _refuse_duplicates(
    uploads: Sequence[UploadedFile[bytes]],
    checked: Sequence[CheckedFile],
    *,
    actor: User,
    dispute: Dispute | None,
    safety_report: SafetyReport | None,
) -> None:
    errors: list[str] = []
    first_by_hash: dict[str, str] = {}
    for upload, info in zip(uploads, checked, strict=True):
        name = safe_name(upload.name)
        if info.sha256 in first_by_hash:
            errors.append(
                _("“%(name)s” and “%(other)s” are the same file; attach it once.")
                % {"name": name, "other": first_by_hash[info.sha256]}
            )
        else:
            first_by_hash[info.sha256] = name
    existing = (
        _case_evidence(dispute, safety_report).filter(sha256__in=list(first_by_hash)).order_by("created_at")
    )
    seen = set()
    for evidence in existing:
        if evidence.sha256 in seen:
            continue
        seen.add(evidence.sha256)
        when = formats.date_format(timezone.localtime(evidence.created_at), "DATE_FORMAT")
        where = _("this dispute") if dispute is not None else _("this report")
        errors.append(
            _("“%(name)s” is already in %(where)s: %(who)s uploaded it on %(date)s as “%(original)s”.")
            % {
                "name": first_by_hash[evidence.sha256],
                "where": where,
                "who": _uploader_words(evidence, actor, dispute),
                "date": when,
                "original": evidence.original_name,
            }
        )
    if errors:
        raise EvidenceRejected(errors)


def evidence_add(
    *,
    uploaded_by: User,
    files: Iterable[UploadedFile[bytes]],
    dispute: Dispute | None = None,
    message: Message | None = None,
    complaint: Complaint | None = None,
    safety_report: SafetyReport | None = None,
) -> list[Evidence]:
    """Check and store files as evidence of a dispute (its message or complaint) or of a safety
    report. All or nothing: one refused file refuses the upload, and every refusal is reported.

    Called inside the caller's transaction, with the dispute (or new report) row locked, so two
    uploads to one dispute count and compare against each other. The thumbnails and renditions
    are made after commit (R-EVD-4).
    """
    uploads = [f for f in files if f]
    if not uploads:
        return []
    if (dispute is None) == (safety_report is None):
        raise ValueError("Evidence belongs to exactly one dispute or one safety report.")
    left = evidence_remaining(dispute=dispute, safety_report=safety_report)
    if len(uploads) > left:
        limit = settings.EVIDENCE_MAX_FILES_PER_DISPUTE
        values = {"max": limit, "count": limit - left, "left": left, "adding": len(uploads)}
        if left == 0:
            text = _("This case already has the most files it can have (%(max)s); no more can be added.")
        else:
            text = _(
                "A case can have up to %(max)s files. This one has %(count)s already, so you can add "
                "%(left)s more, not %(adding)s."
            )
        raise EvidenceRejected(text % values)
    checked = check_files(uploads)
    _refuse_duplicates(uploads, checked, actor=uploaded_by, dispute=dispute, safety_report=safety_report)
    stored = []
    for upload, info in zip(uploads, checked, strict=True):
        evidence = Evidence(
            dispute=dispute,
            message=message,
            complaint=complaint,
            safety_report=safety_report,
            uploaded_by=uploaded_by,
            original_name=safe_name(upload.name),
            content_type=info.content_type,
            kind=info.kind,
            size=info.size,
            sha256=info.sha256,
        )
        # A plain File over the same file object: storage copies it in chunks, and S3 records
        # the type found in the content, never the one the browser claimed.
        name = f"evidence{EXTENSIONS[info.content_type][0]}"
        content = StoredContent(getattr(upload, "file", None) or upload, name=name)
        content.content_type = info.content_type
        content.size = info.size
        evidence.file.save(name, content, save=False)
        evidence.save()
        stored.append(evidence)
    for evidence in stored:
        enqueue_on_commit(PROCESS_TASK, evidence.pk)
    return stored


# --- Immutable after upload (R-EVD-3) -------------------------------------------------------


@receiver(pre_save, sender=Evidence, dispatch_uid="arbitration.evidence.refuse_changes")
def _refuse_changes(
    sender: type[Evidence],
    instance: Evidence,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: object,
) -> None:
    if raw:
        return
    if instance._state.adding:
        if instance.pk is not None and Evidence.objects.filter(pk=instance.pk).exists():
            raise EvidenceImmutable(_("Evidence can't be changed after upload."))
        return
    if update_fields is not None and set(update_fields) <= PROCESSING_FIELDS:
        return
    raise EvidenceImmutable(_("Evidence can't be changed after upload."))


@receiver(pre_delete, sender=Evidence, dispatch_uid="arbitration.evidence.refuse_deletion")
def _refuse_deletion(sender: type[Evidence], instance: Evidence, **kwargs: object) -> None:
    raise EvidenceImmutable(_("Evidence can't be deleted."))
