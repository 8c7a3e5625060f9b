"""The integration API, ``/api/v1/`` (SPEC §16, R-API-1..6), built with django-ninja: typed
schemas, the OpenAPI document generated from the code (``/api/v1/openapi.json``) and the
interactive docs beside it (``/api/v1/docs``).

Every endpoint authenticates with an API key (``auth.ApiKeyAuth``), is limited per key
(``auth.KeyRateThrottle``), filters by the caller's account, and calls the same service as the
web and the admin. Errors are problem details (``errors``). The money core's routers are added
here; arbitration adds its own from ``config/api.py`` (marketplace never imports arbitration).
"""

from __future__ import annotations

from ninja import NinjaAPI

from marketplace.api import errors
from marketplace.api.auth import ApiKeyAuth, KeyRateThrottle

api = NinjaAPI(
    title="Marketplace arbitration API",
    version="1",
    description=(
        "Feed orders, payments, shipments and carrier tracking in; read orders, disputes, refunds, "
        "complaints and safety reports; manage webhook endpoints. Authenticate with "
        "`Authorization: Bearer <key>`. Errors are `application/problem+json` (RFC 9457)."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=ApiKeyAuth(),
    throttle=[KeyRateThrottle()],
)
errors.install(api)

# The money core's routers (imported here so that ``api`` is complete once this package is).
from marketplace.api import account, orders, payouts, people, refunds, webhooks  # noqa: E402

for module in (account, people, orders, refunds, payouts, webhooks):
    api.add_router("", module.router)
