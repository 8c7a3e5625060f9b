"""``get_<field>_display()`` that translates one label, not all of them (issue 15: buyer pages' CPU).

Django's own ``_get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` on every
call, and hashing a lazy label translates it: a state with ten choices costs ten translation
lookups each time a page shows it (about 150 per "my orders" page). Here each field's labels are
indexed once per process by value; the label stays lazy, so the one shown is translated in the
reader's language at the moment it is read, exactly as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@cache
def _labels_by_value(field: models.Field) -> dict[Any, Any]:
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoiceLabels:
    """Mixin for a model (before ``models.Model``): the same ``get_<field>_display()``, cheaper."""

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        return force_str(_labels_by_value(field).get(make_hashable(value), value), strings_only=True)
