"""File names: the uploader's name as harmless metadata, and the name a file is served under."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from arbitration.evidence.sniffing import EXTENSIONS
from arbitration.models import Evidence


def safe_name(name: str | None) -> str:
    """The original file name as harmless metadata: no folders, no control or direction
    characters (U+202E would show ``exe.jpg`` for ``gpj.exe``), at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = name.strip().strip(".").strip()
    if len(name) > 200:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 200 - len(suffix)].rstrip() + suffix
    return name or "file"


def download_name(evidence: Evidence, *, thumbnail: bool = False) -> str:
    """The name a file is served under: the uploader's name, with the extension of what the
    file really is (a JPEG uploaded as ``receipt.pdf`` downloads as ``receipt.jpg``)."""
    original = PurePosixPath(evidence.original_name or "file")
    if thumbnail:
        return f"{original.stem or 'file'}-thumbnail.jpg"
    extensions = EXTENSIONS.get(evidence.content_type, ("",))
    if original.suffix.lower() in extensions:
        return original.name
    return f"{original.name}{extensions[0]}"
