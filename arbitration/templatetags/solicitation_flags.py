"""``{{ message|flag_explanations }}``: why a message was flagged, for staff (R-DSP-8)."""

from __future__ import annotations

from django import template

from arbitration.solicitation import flag_explanations as _flag_explanations

register = template.Library()


@register.filter
def flag_explanations(message) -> list[str]:
    return _flag_explanations(message)
