"""Serving evidence files, only after a permission check (R-EVD-3, R-EVD-4, R-SEC-1).

* Who: a dispute's buyer and seller see its thread's files; complaint files are the
  complainant's, safety-report files the reporter's; staff with the permission to view
  evidence (arbiters, supervisors) see all. Anyone else, signed in or not, gets the same 404
  as for a file that does not exist.
* What: ``evidence-file`` is what the parties look at: for photos and MP4/QuickTime videos the
  metadata-free rendition. Until it is made, the uploader and arbiters get the original and
  the other party a short "being prepared" answer (HTTP 202, ``Retry-After``), never the
  original. ``evidence-thumbnail`` is the small preview (404 until made, or for videos and
  PDFs). ``evidence-original`` is the file as uploaded, for arbiters only, always as a download.
* How: local files through ``FileResponse``, or by ``X-Accel-Redirect``/``X-Sendfile``
  (``EVIDENCE_SENDFILE``); S3 by a redirect to a presigned link that lives
  ``EVIDENCE_URL_EXPIRE_SECONDS``, with the content type and disposition fixed in the
  signature. Photos inline, everything else as an attachment; every answer of these views
  carries ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy.

For nginx with ``EVIDENCE_SENDFILE=x-accel``::

    location /protected-evidence/ { internal; alias /path/to/private-media/; }
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from arbitration.evidence.names import download_name
from arbitration.evidence.policy import is_evidence_staff, may_see_original, needs_rendition, visible_evidence
from arbitration.models import Evidence

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def _hardened(view):
    """Every answer, files, redirects, 404s and 405s alike, gets the same protective headers."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "private, no-store"
        response["X-Frame-Options"] = "DENY"
        return response

    return wrapper


def _not_found() -> HttpResponse:
    return HttpResponse(
        _("This file does not exist, or you can't see it."),
        status=404,
        content_type="text/plain; charset=utf-8",
    )


def _being_prepared(evidence: Evidence) -> HttpResponse:
    if evidence.kind == Evidence.Kind.VIDEO:
        text = _(
            "This video is still being prepared: location and camera details are removed before the other "
            "party sees it. Try again in a minute."
        )
    else:
        text = _(
            "This photo is still being prepared: location and camera details are removed before the other "
            "party sees it. Try again in a minute."
        )
    response = HttpResponse(text, status=202, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "30"
    return response


def _not_shown(evidence: Evidence) -> HttpResponse:
    """The rendition could not be made (R-EVD-4): the original keeps its location and camera
    details, so only the uploader and the arbiters see it; the other party is told so."""
    text = _(
        "This file could not be prepared for you: its location and camera details could not be removed, "
        "so it is not shown to the other party. The arbiter sees the original. The sender can upload it "
        "again, for example as a screenshot."
    )
    return HttpResponse(text, status=410, content_type="text/plain; charset=utf-8")


def _s3_storage_class():
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return None
    return S3Storage


def _serve(fieldfile: FieldFile, *, content_type: str, filename: str, inline: bool) -> HttpResponseBase:
    storage, name = fieldfile.storage, fieldfile.name
    if not name:
        return _not_found()
    disposition = content_disposition_header(not inline, filename) or "inline"
    response: HttpResponseBase
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is None:
        s3 = _s3_storage_class()
        if s3 is not None and isinstance(storage, s3):
            url = storage.url(
                name,
                parameters={
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition,
                    "ResponseCacheControl": "private, no-store",
                },
                expire=settings.EVIDENCE_URL_EXPIRE_SECONDS,
            )
            return HttpResponseRedirect(url)
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    elif settings.EVIDENCE_SENDFILE == "x-accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.EVIDENCE_SENDFILE_PREFIX.rstrip("/") + "/" + quote(name)
    elif settings.EVIDENCE_SENDFILE == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = path
    else:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when the body is sent
        except FileNotFoundError:
            log.error("Evidence file %s is missing from storage", name)
            return _not_found()
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    return response


def _visible(request: HttpRequest, pk: int) -> Evidence | None:
    return visible_evidence(request.user).filter(pk=pk).first()


@_hardened
@require_safe
def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = _visible(request, pk)
    if evidence is None:
        return _not_found()
    inline = evidence.content_type in INLINE_TYPES
    if needs_rendition(evidence):
        if evidence.rendition:
            return _serve(
                evidence.rendition,
                content_type=evidence.content_type,
                filename=download_name(evidence),
                inline=inline,
            )
        if not may_see_original(request.user, evidence):
            if evidence.processing_failed_at is not None:
                return _not_shown(evidence)
            return _being_prepared(evidence)
    return _serve(
        evidence.file, content_type=evidence.content_type, filename=download_name(evidence), inline=inline
    )


@_hardened
@require_safe
def evidence_thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = _visible(request, pk)
    if evidence is None or not evidence.thumbnail:
        return _not_found()
    return _serve(
        evidence.thumbnail,
        content_type="image/jpeg",
        filename=download_name(evidence, thumbnail=True),
        inline=True,
    )


@_hardened
@require_safe
def evidence_original(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file exactly as uploaded, metadata and all: for arbiters, always as a download."""
    evidence = _visible(request, pk)
    if evidence is None or not is_evidence_staff(request.user):
        return _not_found()
    return _serve(
        evidence.file, content_type=evidence.content_type, filename=download_name(evidence), inline=False
    )
