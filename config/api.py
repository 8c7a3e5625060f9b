"""The API root (R-API-1): the money core's ``api`` with arbitration's routers added. ``config``
wires both apps; ``marketplace`` never imports ``arbitration``."""

from arbitration.api import acting
from marketplace.api import api

# Acting for a buyer or a seller (R-API-4, scope disputes:act).
api.add_router("", acting.router)

__all__ = ["api"]
