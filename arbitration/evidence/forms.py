"""Uploading evidence from a web form or the admin (R-EVD-1..3).

``EvidenceFilesField`` takes several files at once, shows the rules as its help text and
explains every refused file, not just the first. It checks the files with the same
``check_file`` the services use, and the result is remembered on each file, so the service
that stores them does not read them again::

    class MessageForm(forms.Form):
        body = forms.CharField(widget=forms.Textarea, required=False)
        files = EvidenceFilesField()

        def __init__(self, *args, dispute=None, **kwargs):
            super().__init__(*args, **kwargs)
            if dispute is not None:  # the per-dispute count, told before the upload is stored
                self.fields["files"].max_files = evidence_remaining(dispute=dispute)

The upload handler that streams the files to disk is in ``arbitration.evidence.uploads``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from arbitration.evidence.checks import check_file
from arbitration.evidence.errors import EvidenceRejected
from arbitration.evidence.policy import rules_text
from arbitration.evidence.sniffing import ACCEPT


class MultipleEvidenceInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"accept": ACCEPT, **(attrs or {})})


class EvidenceFilesField(forms.FileField):
    """Several evidence files at once; each refused file is explained by name."""

    widget = MultipleEvidenceInput
    default_error_messages = {
        "required": _("Attach at least one photo, video or PDF."),
        "invalid": _("No file was submitted. Check the form's encoding type."),
    }

    def __init__(self, *, max_files: int | None = None, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", lazy(rules_text, str)())
        kwargs.setdefault("label", _("Photos, videos or PDF documents"))
        super().__init__(**kwargs)
        # How many files this upload may add (the per-dispute count left); None: the setting.
        self.max_files = max_files

    # One field, many files: it cleans to a list where Django's FileField cleans to one file.
    def to_python(self, data) -> list:  # type: ignore[override]
        if not data:
            return []
        files = list(data) if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        for upload in files:
            if not hasattr(upload, "name") or not hasattr(upload, "size"):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return files

    def validate(self, value: list) -> None:
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, data, initial=None) -> list:
        files = self.to_python(data)
        self.validate(files)
        limit = self.max_files if self.max_files is not None else settings.EVIDENCE_MAX_FILES_PER_DISPUTE
        if len(files) > limit:
            message: str | Promise
            if limit == 0:
                message = _("This case already has the most files it can have; no more can be added.")
            else:
                message = ngettext(
                    "You can add %(limit)d more file here; you chose %(count)d.",
                    "You can add %(limit)d more files here; you chose %(count)d.",
                    limit,
                ) % {"limit": limit, "count": len(files)}
            raise ValidationError(message, code="too_many")
        errors: list[ValidationError] = []
        for upload in files:
            try:
                check_file(upload)
            except EvidenceRejected as exc:
                errors.extend(ValidationError(message, code="rejected") for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data) -> bool:
        return bool(data)
