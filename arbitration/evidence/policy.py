"""The limits (R-EVD-2), the rules text beside every upload field, and who may see what
(R-EVD-3, R-SEC-1)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from arbitration.evidence.reading import MB
from arbitration.models import Evidence


def size_limit(kind: str) -> int:
    """The most bytes one file of ``kind`` may have (R-EVD-2)."""
    limits: dict[str, int] = {
        Evidence.Kind.IMAGE: settings.EVIDENCE_MAX_IMAGE_MB,
        Evidence.Kind.VIDEO: settings.EVIDENCE_MAX_VIDEO_MB,
        Evidence.Kind.PDF: settings.EVIDENCE_MAX_PDF_MB,
    }
    return limits[kind] * MB


def largest_size_limit() -> int:
    return max(size_limit(kind) for kind in Evidence.Kind.values)


def max_image_pixels() -> int:
    return getattr(settings, "EVIDENCE_MAX_IMAGE_PIXELS", 50_000_000)


def max_decoded_bytes() -> int:
    """The most bytes an image may take once decoded: width × height × bands, all frames of an
    animation together (R-EVD-2, issue 13)."""
    return settings.EVIDENCE_MAX_DECODED_MB * MB


def rules_text() -> str:
    """The rules in one sentence, shown beside every upload field."""
    return _(
        "Photos (JPEG, PNG, WebP, GIF) up to %(image)s MB, videos (MP4, WebM, MOV) up to %(video)s MB, "
        "PDF documents up to %(pdf)s MB; up to %(count)s files per case. You can choose several files at "
        "once. Location and camera details are removed from photos and videos before the other party "
        "sees them."
    ) % {
        "image": settings.EVIDENCE_MAX_IMAGE_MB,
        "video": settings.EVIDENCE_MAX_VIDEO_MB,
        "pdf": settings.EVIDENCE_MAX_PDF_MB,
        "count": settings.EVIDENCE_MAX_FILES_PER_DISPUTE,
    }


def is_evidence_staff(user) -> bool:
    """Arbiters and supervisors: staff with the permission to view evidence."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("arbitration.view_evidence")
    )


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence ``user`` may see: a dispute's buyer and seller see its thread's files; a
    complaint's files (bank statements …) are the complainant's and arbiters'; a safety
    report's are its reporter's and arbiters'. Staff with the permission see everything."""
    if not user.is_authenticated or not user.is_active:
        return Evidence.objects.none()
    if is_evidence_staff(user):
        return Evidence.objects.all()
    thread = Q(complaint__isnull=True, safety_report__isnull=True) & (
        Q(dispute__buyer=user) | Q(dispute__seller=user)
    )
    return Evidence.objects.filter(thread | Q(complaint__filed_by=user) | Q(safety_report__reporter=user))


def may_see_original(user, evidence: Evidence) -> bool:
    """The original (with its metadata) is for arbiters and the person who uploaded it."""
    return is_evidence_staff(user) or (user.is_authenticated and evidence.uploaded_by_id == user.pk)


def needs_rendition(evidence: Evidence) -> bool:
    """Files whose metadata may reveal the uploader's location: the other party sees a copy."""
    return evidence.kind == Evidence.Kind.IMAGE or evidence.content_type in ("video/mp4", "video/quicktime")
