"""Which order a reader may open, and which party may act on it (R-SEC-1).

Shared by the money pages here and the order and dispute pages of ``arbitration.web``: anyone
but the order's buyer and seller gets a 404, never a 403 (existence is not disclosed); the other
party is sent back to the order with a message saying who can act.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from marketplace.actors import Party, party_of
from marketplace.models import Order, User
from marketplace.selectors import party_orders


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: its user is a signed-in person, never anonymous."""

    user: User


def party_order(request: HttpRequest, pk: int, *related: str) -> Order:
    """The order ``pk`` with its buyer, seller and ``related``, if the reader is one of them; else 404."""
    return get_object_or_404(party_orders(request.user).select_related("buyer", "seller", *related), pk=pk)


def refuse_unless(request: HttpRequest, order: Order, party: Party, message: str) -> HttpResponse | None:
    """None when the reader is the order's ``party``; otherwise ``message`` and back to the order."""
    if party_of(order, request.user) == party:
        return None
    messages.error(request, message)
    return redirect("order-detail", order.pk)
