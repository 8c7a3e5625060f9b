"""Payment-gateway adapters for refund payouts (R-REF-3).

An adapter sends one payout per idempotency key: sending the same key twice returns the
first payout, never a second one, so a retried task or a crash between the call and the
commit can't pay a buyer twice. ``settings.PAYOUT_GATEWAY`` names the class; a real
provider plugs in by implementing ``PayoutGateway``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Literal, Protocol, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from marketplace.models import SimulatedPayout

PayoutStatus = Literal["processing", "paid", "failed"]


@dataclass(frozen=True)
class PayoutResult:
    reference: str
    status: PayoutStatus
    amount: Decimal
    currency: str
    failure_reason: str = ""


class GatewayUnavailable(Exception):
    """A transient error (timeout, 5xx): the call may be retried with the same key."""


class PayoutGateway(Protocol):
    def send_payout(
        self, *, idempotency_key: str, amount: Decimal, currency: str, destination: str
    ) -> PayoutResult: ...

    def get_payout(self, *, idempotency_key: str) -> PayoutResult | None: ...


class SimulatedGateway:
    """A local stand-in for a payment provider, for the demo and the tests.

    Payouts settle ``SIMULATED_GATEWAY_SETTLE_SECONDS`` after they are sent. Like card
    networks' test numbers, a destination ending in ``0002`` is declined at settlement;
    everything else is paid. Deterministic: the outcome depends only on the inputs and time.
    """

    DECLINED_SUFFIX = "0002"

    def send_payout(
        self, *, idempotency_key: str, amount: Decimal, currency: str, destination: str
    ) -> PayoutResult:
        existing = self._lookup(idempotency_key)
        if existing is not None:
            return existing
        now = timezone.now()
        try:
            with transaction.atomic():
                SimulatedPayout.objects.create(
                    idempotency_key=idempotency_key,
                    reference=f"SIM-{now:%Y%m%d}-{secrets.token_hex(5).upper()}",
                    amount=amount,
                    currency=currency,
                    destination=destination,
                    status=SimulatedPayout.Status.PROCESSING,
                    settles_at=now + timedelta(seconds=settings.SIMULATED_GATEWAY_SETTLE_SECONDS),
                )
        except IntegrityError:
            pass  # the same key was sent concurrently: the first payout stands
        return self._settle(SimulatedPayout.objects.get(idempotency_key=idempotency_key))

    def get_payout(self, *, idempotency_key: str) -> PayoutResult | None:
        return self._lookup(idempotency_key)

    def _lookup(self, idempotency_key: str) -> PayoutResult | None:
        payout = SimulatedPayout.objects.filter(idempotency_key=idempotency_key).first()
        return None if payout is None else self._settle(payout)

    def _settle(self, payout: SimulatedPayout) -> PayoutResult:
        if payout.status == SimulatedPayout.Status.PROCESSING and timezone.now() >= payout.settles_at:
            declined = payout.destination.replace(" ", "").endswith(self.DECLINED_SUFFIX)
            payout.status = SimulatedPayout.Status.FAILED if declined else SimulatedPayout.Status.PAID
            payout.failure_reason = "Declined by the card issuer" if declined else ""
            SimulatedPayout.objects.filter(pk=payout.pk, status=SimulatedPayout.Status.PROCESSING).update(
                status=payout.status, failure_reason=payout.failure_reason
            )
        return PayoutResult(
            reference=payout.reference,
            status=cast(PayoutStatus, payout.status),  # SimulatedPayout.Status has exactly these values
            amount=payout.amount,
            currency=payout.currency,
            failure_reason=payout.failure_reason,
        )


@cache
def _gateway_class(path: str) -> type[PayoutGateway]:
    gateway: type[PayoutGateway] = import_string(path)
    return gateway


def get_gateway() -> PayoutGateway:
    return _gateway_class(settings.PAYOUT_GATEWAY)()
