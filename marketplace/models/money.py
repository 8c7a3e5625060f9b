"""Money values: exact decimals with two places, one currency per order (R-ESC-3)."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.db import models
from django.db.models import F
from django.db.models.functions import Round


class MoneyField(TypedDict):
    """The options of every money column: ``models.DecimalField(**MONEY)``."""

    max_digits: int
    decimal_places: int


MONEY: MoneyField = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


def cents(field: str) -> Round:
    """A money column in whole cents, for constraints that add amounts (see EscrowHold)."""
    return Round(F(field) * 100)


class Currency(models.TextChoices):
    USD = "USD", "USD"
    EUR = "EUR", "EUR"
    RUB = "RUB", "RUB"
