"""The money core's admin registrations (Django autodiscovers this module); the admin itself
is the ``marketplace.backoffice`` package."""

from marketplace.backoffice import clients, orders, records, refunds, users  # noqa: F401 (they register)
from marketplace.webhooks import admin as webhooks_admin  # noqa: F401  (registers the webhook pages)
