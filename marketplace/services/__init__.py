"""State changes of the money core. The only place an order, escrow or refund changes.

Every function: ``transaction.atomic()``, lock the order row (then its escrow), re-check the
state under the lock (someone may have got there first), change, write the ledger, audit the
transition (django-fsm-log, ``by=actor``), and queue side effects for after the commit.
Lock order is always Order → EscrowHold → Refund, so two services never deadlock.

One module per aggregate; every public service is importable from ``marketplace.services``.
"""

from marketplace.services.base import MONEY_LIMIT, Amount, to_money
from marketplace.services.escrow import (
    Resolution,
    Settlement,
    escrow_freeze,
    escrow_resolve,
    escrows_resolve,
    order_release_if_due,
    orders_release,
    seller_penalize,
)
from marketplace.services.orders import order_pay, order_ship, tracking_event_record
from marketplace.services.protection import (
    extension_auto_grant,
    extension_decline,
    extension_grant,
    extension_request_create,
    order_confirm_receipt,
    orders_auto_extend,
    protection_remind,
)
from marketplace.services.refunds import (
    refund_create_from_seller,
    refund_flag_overdue,
    refund_mark_completed,
    refund_mark_failed,
    refund_mark_sent,
    refund_retry,
    refund_send,
    refund_sync_with_gateway,
    refunds_flag_overdue,
)

__all__ = [
    "MONEY_LIMIT",
    "Amount",
    "Resolution",
    "Settlement",
    "escrow_freeze",
    "escrow_resolve",
    "escrows_resolve",
    "extension_auto_grant",
    "orders_auto_extend",
    "extension_decline",
    "extension_grant",
    "extension_request_create",
    "order_confirm_receipt",
    "order_pay",
    "order_release_if_due",
    "orders_release",
    "order_ship",
    "protection_remind",
    "refund_create_from_seller",
    "refund_flag_overdue",
    "refund_mark_completed",
    "refund_mark_failed",
    "refund_mark_sent",
    "refund_retry",
    "refund_send",
    "refund_sync_with_gateway",
    "refunds_flag_overdue",
    "seller_penalize",
    "to_money",
    "tracking_event_record",
]
