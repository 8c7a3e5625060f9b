"""Reading an uploaded or stored file in bounded pieces (R-EVD-3), the two ways a file's
content can fail a check (something foreign inside it, or damage), and the file handed to storage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from django.core.files import File

if TYPE_CHECKING:
    _BinaryFile = File[bytes]  # django-stubs' File is generic; Django's is not subscriptable
else:
    _BinaryFile = File

MB = 1024 * 1024
CHUNK = 1 * MB  # the most read at once from an uploaded or stored file
TAIL = 65535 + 22  # a ZIP directory's end record lies within this many bytes of the end


class Foreign(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what  # "markup", "archive", "pdf", "trailer"


class Damaged(Exception):
    pass


def read_at(f: IO[bytes], offset: int, size: int) -> bytes:
    f.seek(offset)
    return f.read(size)


def chunks(f: IO[bytes], start: int = 0, end: int | None = None) -> Iterator[bytes]:
    f.seek(start)
    remaining = None if end is None else max(0, end - start)
    while remaining is None or remaining > 0:
        data = f.read(CHUNK if remaining is None else min(CHUNK, remaining))
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


def is_padding(f: IO[bytes], start: int, end: int) -> bool:
    return all(not chunk.strip(b"\x00 \t\r\n") for chunk in chunks(f, start, end))


class StoredContent(_BinaryFile):
    """A file as storage receives it, streamed in chunks; S3 records its ``content_type`` (the
    type found in the content, never the one the browser claimed)."""

    content_type: str
