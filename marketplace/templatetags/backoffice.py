"""Template helpers of the back office (the admin pages of both apps): money, due dates, the
share of a bar, and admin links. The words and markup come from ``marketplace.presentation``."""

from __future__ import annotations

from django import template

from marketplace.presentation import admin_url as admin_url_of
from marketplace.presentation import due_badge, format_money
from marketplace.templatetags.market import isolated

register = template.Library()
register.filter("isolated", isolated)


@register.filter
def money(amount, currency: str = "") -> str:
    """``{{ refund.amount|money:refund.currency }}``: "$1,490.00"; "—" for no amount."""
    return format_money(amount, currency)


@register.filter
def due(value, done: bool = False):
    """A deadline's "in 3 days" / "2 days overdue" badge; nothing once ``done``."""
    return due_badge(value, done=bool(done))


@register.filter
def share(part, whole) -> str:
    """Width in percent of ``part`` in ``whole`` for CSS ("37.50": never localised to "37,50")."""
    try:
        return f"{float(part) * 100 / float(whole):.2f}" if whole else "0"
    except (TypeError, ValueError, ZeroDivisionError):
        return "0"


@register.simple_tag
def admin_url(obj, action: str = "change") -> str:
    """``{% admin_url case "take" %}``: the URL of one of the object's admin pages."""
    return admin_url_of(obj, action)
