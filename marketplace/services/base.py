"""What the money services share: exact amounts, row locks in one order, the party and finance checks,
and the ledger writer (R-ESC-2, R-ESC-3)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from marketplace.actors import party_of
from marketplace.errors import DomainError
from marketplace.models import (
    CENT,
    MONEY,
    EscrowHold,
    LedgerEntry,
    Order,
    Refund,
    User,
)

MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])

# An amount as callers give it: a Decimal, or its text ("12.50") from a form or a request; never a float.
Amount = Decimal | str | int
# An amount as machines write it: ASCII digits, an optional minus and decimal point.
PLAIN_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def to_money(value: Amount, *, field: str = "amount") -> Decimal:
    """Parse an amount exactly: a Decimal with at most two places, never a float."""
    if isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal or a string, never a float")
    # A string is the machine format only ("-12.50"): Decimal() would also take "٣٠", "1_0",
    # "+5", ".5", "1e30" and "NaN". What people type is read by marketplace.forms.AmountField.
    if isinstance(value, str) and not PLAIN_AMOUNT.fullmatch(value.strip()):
        raise DomainError(_("Enter an amount such as 12.50."))
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter an amount such as 12.50.")) from None
    if not amount.is_finite():
        raise DomainError(_("Enter an amount such as 12.50."))
    if abs(amount) >= MONEY_LIMIT:  # what the money columns hold (12 digits, 2 after the point)
        raise DomainError(_("That amount is too large: at most 9,999,999,999.99."))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError(_("Amounts have at most two decimal places."))
    return amount.quantize(CENT)


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _lock_escrow(order_id: int) -> EscrowHold:
    return EscrowHold.objects.select_for_update().get(order_id=order_id)


def _require_party(order: Order, actor: User, role: str) -> None:
    if party_of(order, actor) != role:
        raise DomainError(
            _("Only the order's buyer can do this.")
            if role == "buyer"
            else _("Only the order's seller can do this.")
        )


def _ledger(
    order: Order,
    *,
    kind: str,
    source: str,
    amount: Decimal,
    party: User | int,
    actor: User,
    reason: str,
    key: str,
    refund: Refund | None = None,
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        order=order,
        kind=kind,
        source=source,
        amount=amount,
        currency=order.currency,
        party_id=party if isinstance(party, int) else party.pk,
        actor=actor,
        reason=reason[:500],
        idempotency_key=key,
        refund=refund,
    )


def _require_finance(actor: User) -> None:
    if not actor.has_perm("marketplace.manage_payouts"):
        raise DomainError(_("Marking payouts needs the finance permission."))
