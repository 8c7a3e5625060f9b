"""Arbitration's part of the integration API (R-API-4): disputes, complaints, safety reports.

``register(api)`` adds its routers to the money core's ``api``; ``config/api.py`` calls it
(arbitration may import marketplace, never the reverse).
"""

from __future__ import annotations

from ninja import NinjaAPI

from arbitration.api import acting, reads


def register(api: NinjaAPI) -> None:
    api.add_router("", reads.router)
    # Acting for a buyer or a seller (R-API-4, scope disputes:act).
    api.add_router("", acting.router)
