"""Reading an uploaded or stored file in bounded pieces (R-EVD-3), and the two ways a file's
content can fail a check: something foreign inside it, or damage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

MB = 1024 * 1024
CHUNK = 1 * MB  # the most read at once from an uploaded or stored file
TAIL = 65535 + 22  # a ZIP directory's end record lies within this many bytes of the end


class Foreign(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what  # "markup", "archive", "pdf", "trailer"


class Damaged(Exception):
    pass


def read_at(f: BinaryIO, offset: int, size: int) -> bytes:
    f.seek(offset)
    return f.read(size)


def chunks(f: BinaryIO, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    f.seek(start)
    remaining = None if end is None else max(0, end - start)
    while remaining is None or remaining > 0:
        data = f.read(CHUNK if remaining is None else min(CHUNK, remaining))
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


def is_padding(f: BinaryIO, start: int, end: int) -> bool:
    return all(not chunk.strip(b"\x00 \t\r\n") for chunk in chunks(f, start, end))
