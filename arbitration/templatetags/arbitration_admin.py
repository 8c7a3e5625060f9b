"""Template helpers of the arbiter back office (admin templates only)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from marketplace.presentation import due_badge, format_money

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_dashboard(context) -> dict:
    """``{% admin_dashboard as dash %}``: the figures for this person's dashboard."""
    from arbitration.admin_views import dashboard

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    if not hasattr(request, "_admin_dashboard"):  # the page asks twice (main column and sidebar)
        request._admin_dashboard = dashboard(request.user)
    return request._admin_dashboard


@register.filter
def money(amount, currency: str = "") -> str:
    return format_money(amount, currency)


SHORT_STATES = {
    "open": _("Open"),
    "escalated": _("Escalated"),
    "under_review": _("In review"),
    "awaiting_return": _("Awaiting return"),
    "return_in_transit": _("Return in transit"),
    "closed": _("Closed"),
}


@register.filter
def short_state(value: str) -> str:
    """A dispute state in a word or two, for tables ("In review" rather than the full sentence)."""
    return SHORT_STATES.get(value, value)


@register.filter
def percent(value) -> str:
    """A share (0.25) as '25%'; '—' when there is nothing to divide."""
    return "—" if value is None else f"{round(value * 100)}%"


@register.filter
def due(value, done: bool = False):
    return due_badge(value, done=bool(done))


@register.filter
def share(part, whole) -> str:
    """Width in percent of ``part`` in ``whole`` for CSS ("37.50": never localised to "37,50")."""
    try:
        return f"{float(part) * 100 / float(whole):.2f}" if whole else "0"
    except (TypeError, ValueError, ZeroDivisionError):
        return "0"
