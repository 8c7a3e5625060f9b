"""The API root (R-API-1): the money core's ``api`` with arbitration's routers added. ``config``
wires both apps; ``marketplace`` never imports ``arbitration``."""

from marketplace.api import api

__all__ = ["api"]
