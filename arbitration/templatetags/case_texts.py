"""``{{ message|message_text }}`` and ``{{ complaint|complaint_text }}``: what the platform wrote
into a case, in the reader's language (``arbitration.presentation.texts``)."""

from __future__ import annotations

from django import template

from arbitration.presentation.texts import complaint_text as _complaint_text
from arbitration.presentation.texts import message_text as _message_text
from arbitration.presentation.texts import seller_flag_warning as _seller_flag_warning

register = template.Library()


@register.filter
def message_text(message) -> str:
    return _message_text(message)


@register.filter
def complaint_text(complaint) -> str:
    return _complaint_text(complaint)


@register.filter
def seller_flag_warning(message) -> str:
    return _seller_flag_warning(message)
