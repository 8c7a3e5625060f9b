"""Template helpers of the arbiter back office (admin templates only). Money, due dates and
admin links are the ``backoffice`` library (``marketplace.templatetags.backoffice``)."""

from __future__ import annotations

from django import template

from arbitration.backoffice.base import SHORT_STATES
from arbitration.backoffice.dashboard import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_dashboard(context) -> dict:
    """``{% admin_dashboard as dash %}``: the figures for this person's dashboard."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    if not hasattr(request, "_admin_dashboard"):  # the page asks twice (main column and sidebar)
        request._admin_dashboard = dashboard(request.user)
    return request._admin_dashboard


@register.filter
def short_state(value: str) -> str:
    """A dispute state in a word or two, for tables ("In review" rather than the full sentence)."""
    return SHORT_STATES.get(value, value)


@register.filter
def percent(value) -> str:
    """A share (0.25) as '25%'; '—' when there is nothing to divide."""
    return "—" if value is None else f"{round(value * 100)}%"
