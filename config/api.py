"""The API root (R-API-1): the money core's ``api`` with arbitration's routers added. ``config``
wires both apps; ``marketplace`` never imports ``arbitration``."""

from arbitration.api import register
from marketplace.api import api

register(api)

__all__ = ["api"]
