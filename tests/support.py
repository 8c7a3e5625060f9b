"""Small helpers every test package shares: one definition each.

``fresh`` reads a row again as a new instance (a test often compares the row before and after);
``png`` makes a small real PNG whose content differs on every call (a dispute refuses the same
file twice); ``use_private_media`` points the default storage at a per-test folder (the root
conftest does it for every test).
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

_pixels = itertools.count(1)


def fresh(obj):
    """The row as the database has it now, as a new instance (the argument is left as it was)."""
    return type(obj).objects.get(pk=obj.pk)


def png(
    name: str = "photo.png",
    colour: str | tuple[int, int, int] = "red",
    size: tuple[int, int] = (8, 8),
) -> SimpleUploadedFile:
    """A small real PNG; each call's content differs, whatever the colour."""
    image = Image.new("RGB", size, colour)
    n = next(_pixels)
    image.putpixel((0, 0), (n % 256, n // 256 % 256, n // 65536 % 256))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def use_private_media(settings: Any, folder: Path) -> Path:
    """Evidence files of this test go to ``folder``, never the project's var/ (changing STORAGES
    through the settings fixture resets Django's storage cache, so the lazy default storage of
    Evidence's FileFields follows)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder


def messages_of(response) -> list[str]:
    """The flash messages a response rendered."""
    return [str(m) for m in response.context["messages"]] if response.context else []
