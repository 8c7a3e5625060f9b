"""``EvidenceUploadHandler`` is the upload handler in ``FILE_UPLOAD_HANDLERS`` (R-EVD-3): it streams
to a temporary file like Django's, but stops writing a file that grows past the largest evidence
limit, so a 5 GB upload costs neither memory nor disk and still gets its "too large" message.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from arbitration.evidence.policy import largest_size_limit
from arbitration.evidence.sniffing import HEAD


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to disk in chunks; past the largest limit, keeps only the first bytes
    (enough to name the type) and marks the file ``evidence_oversize``, with its true size."""

    def new_file(self, *args, **kwargs) -> None:
        if settings.FILE_UPLOAD_TEMP_DIR:  # a configured folder may not exist yet on a fresh host
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        super().new_file(*args, **kwargs)
        self.received = 0
        self.cap = largest_size_limit()
        self.oversize = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.oversize:
            return
        if self.received > self.cap:
            self.oversize = True
            self.file.seek(HEAD)
            self.file.truncate()
            return
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile[bytes] | None:
        upload = super().file_complete(file_size)
        if upload is not None:
            # A mark read by checks.check_file: Django's upload classes declare no such attribute.
            upload.evidence_oversize = self.oversize  # type: ignore[attr-defined]
        return upload
