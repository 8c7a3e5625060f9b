"""The money core: orders, buyer protection, escrow, the ledger, refunds, one module each.

Money is Decimal with two places in one currency per order. The ledger is append-only (the
database refuses UPDATE and DELETE, see migration 0002); escrow balances are the running
totals of the ledger, kept under row locks so the database can check the invariants
(R-ESC-3) with CHECK constraints, and reconciled against the ledger daily (R-JOB-4).
Every model is importable from ``marketplace.models``.
"""

from marketplace.models.escrow import EscrowHold, LedgerEntry
from marketplace.models.integration import ApiClient, ApiKey, DomainEvent, IdempotencyRecord, Scope
from marketplace.models.money import CENT, MONEY, Currency, cents
from marketplace.models.notifications import Notification
from marketplace.models.orders import ExtensionRequest, Order, Shipment, TrackingEvent, new_order_number
from marketplace.models.refunds import ReconciliationRun, Refund, SimulatedPayout
from marketplace.models.sessions import PersonSession
from marketplace.models.users import DEMO_ACCOUNTS_GROUP, User
from marketplace.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiClient",
    "ApiKey",
    "DomainEvent",
    "IdempotencyRecord",
    "Scope",
    "CENT",
    "MONEY",
    "Currency",
    "EscrowHold",
    "ExtensionRequest",
    "LedgerEntry",
    "Notification",
    "Order",
    "PersonSession",
    "ReconciliationRun",
    "Refund",
    "Shipment",
    "SimulatedPayout",
    "TrackingEvent",
    "User",
    "DEMO_ACCOUNTS_GROUP",
    "WebhookDelivery",
    "WebhookEndpoint",
    "cents",
    "new_order_number",
]
