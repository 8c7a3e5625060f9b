"""The form fields every amount and every free text share, on the parties' pages and in the admin.

``AmountField`` accepts exactly what a person types in the page's language — ``30``, ``30.5``,
``1,490.50`` in English; ``30,50``, ``30.50``, ``1 490,50`` in Russian — and refuses anything
else with one sentence that says what to type instead: other digit forms (``٣٠``), ``1_0``,
``+5``, ``.5``, ``1e30``, ``NaN``, words, ``0`` and negatives (issue 13 item 8, issue 14). Python's
``Decimal()`` accepts most of those, so the field reads the text itself with one grammar.

``limit_text`` gives a text field a limit that is never cut silently: no ``maxlength`` (a browser
truncates a paste without a word), a ``data-max-chars`` counter the page's script keeps, and one
message on the server when the text is too long.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import Jinja2
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Spaces people put between groups of digits: space, no-break space, narrow and thin spaces.
_GROUP_SPACES = "\u0020\u00a0\u202f\u2009"
# Digits 0-9 grouped by spaces ("1 490"), or plain; then a decimal point or comma and the cents.
_SPACED = re.compile(rf"^(?:[0-9]{{1,3}}(?:[{_GROUP_SPACES}][0-9]{{3}})+|[0-9]+)(?:[.,]([0-9]+))?$")
# English thousands commas ("1,490.50"): only where a comma can't be a decimal comma.
_COMMA_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.([0-9]+))?$")


def _example() -> str:
    """12.50 in the reader's language (12,50 in Russian)."""
    return formats.number_format(Decimal("12.50"), 2)


class AmountField(forms.Field):
    """An amount of money: more than 0, at most two decimal places and ``max_digits`` digits.

    Every refusal is one sentence in the form's words; none of Django's validator messages is
    added beside it. ``min_value``: the smallest amount allowed (default: more than 0).
    """

    widget = forms.TextInput

    def __init__(
        self,
        *,
        max_digits: int = 12,
        decimal_places: int = 2,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        self.max_digits, self.decimal_places = max_digits, decimal_places
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")
        self.error_messages["required"] = gettext_lazy("Enter an amount.")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return formats.number_format(value, self.decimal_places)
        return value

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return self._bounded(value)
        if isinstance(value, int):
            return self._bounded(Decimal(value))
        return self._bounded(parse_amount(str(value), decimal_places=self.decimal_places))

    def _bounded(self, amount: Decimal) -> Decimal:
        if not amount.is_finite():
            raise ValidationError(_invalid(), code="invalid")
        if amount <= 0 and self.min_value is None:
            raise ValidationError(
                _("Enter an amount more than 0.") if amount == 0 else _minus(), code="min_value"
            )
        if self.min_value is not None and amount < self.min_value:
            raise ValidationError(
                _("Enter at least %(min)s.") % {"min": formats.number_format(self.min_value, 2)},
                code="min_value",
            )
        if -amount.as_tuple().exponent > self.decimal_places:  # type: ignore[operator]  # finite
            raise ValidationError(
                _("Amounts have at most two decimal places (cents)."), code="max_decimal_places"
            )
        biggest = (
            Decimal(10) ** (self.max_digits - self.decimal_places) - Decimal(1) / 10**self.decimal_places
        )
        limit = self.max_value if self.max_value is not None else biggest
        if amount > limit:
            raise ValidationError(
                _("That amount is too large: at most %(max)s.")
                % {"max": formats.number_format(limit, 2, force_grouping=True)},
                code="max_value",
            )
        return amount


def _invalid() -> str:
    return _("Enter an amount as a number, for example %(example)s.") % {"example": _example()}


def _minus() -> str:
    return _("Enter an amount more than 0, without a minus sign.")


def parse_amount(text: str, *, decimal_places: int = 2) -> Decimal:
    """The amount a person typed, read in the current language; ``ValidationError`` with one
    sentence for anything a person would not type as an amount. Bounds are the field's."""
    value = text.strip()
    if not value:
        raise ValidationError(_("Enter an amount."), code="required")
    if value[0] in "-−–":
        raise ValidationError(_minus(), code="min_value")
    if value[0] == "+":
        raise ValidationError(_("Enter the amount without a plus sign."), code="invalid")
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in value):
        raise ValidationError(
            _("Type the amount with the digits 0–9, for example %(example)s.") % {"example": _example()},
            code="invalid",
        )
    if value[0] in ".,":
        raise ValidationError(
            _("Write a 0 before the decimal separator, for example %(example)s.")
            % {"example": formats.number_format(Decimal("0.50"), 2)},
            code="invalid",
        )
    comma_grouped = formats.get_format("DECIMAL_SEPARATOR") == "." and _COMMA_GROUPED.match(value)
    if comma_grouped:
        number = value.replace(",", "")
    else:
        match = _SPACED.match(value)
        if match is None or (formats.get_format("DECIMAL_SEPARATOR") == "." and "," in value):
            # English reads a comma only as thousands ("1,490"); "30,50" is not an English amount.
            raise ValidationError(_invalid(), code="invalid")
        number = re.sub(f"[{_GROUP_SPACES}]", "", value).replace(",", ".")
    try:
        return Decimal(number)
    except InvalidOperation:  # pragma: no cover - the grammar above admits only plain decimals
        raise ValidationError(_invalid(), code="invalid") from None


# --- Text that is never cut silently ---------------------------------------------------------


class _LengthValidator(MaxLengthValidator):
    message = gettext_lazy(
        "This text is %(show_value)d characters long; keep it to %(limit_value)d at most. Nothing was cut: "
        "shorten it and send again."
    )


def limit_text(field: forms.CharField) -> forms.CharField:
    """Make ``field``'s ``max_length`` a counter and a message instead of a silent cut: the widget
    loses ``maxlength`` and gets ``data-max-chars`` (the page's script counts down), and a text
    over the limit is refused with one sentence that says by how much."""
    if field.max_length is None:
        return field
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-max-chars"] = str(field.max_length)
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(_LengthValidator(field.max_length))
    return field


class LimitedTextMixin:
    """A form whose text fields with a ``max_length`` count instead of cutting (``limit_text``)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                limit_text(field)


class PartyFormRenderer(Jinja2):
    """Django's Jinja2 form templates, with three of them in one piece: ``input.html``,
    ``textarea.html`` and ``radio.html`` with the templates they include put in place
    (``marketplace/jinja2/django/forms/widgets/``). The same markup, character for character
    (``tests/web/test_form_markup.py`` renders every party form both ways); a radio button was five
    template inclusions, each a new Jinja2 context, and they were most of a form's CPU (issue 15)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": False,
                "DIRS": [
                    Path(__file__).parent / "jinja2",
                    Path(forms.__file__).parent / "jinja2",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )


# The buyer's and seller's forms render their fields with Django's Jinja2 form templates (the
# same markup as its Django-template ones): a dispute page renders a dozen fields on every view,
# and the Django template engine spent about a quarter of the page's CPU on them (issue 15). One
# renderer for the process, so its compiled templates are kept.
PARTY_FORM_RENDERER = PartyFormRenderer()


class Form(LimitedTextMixin, forms.Form):
    """A party's form: its texts count instead of being cut."""

    default_renderer = PARTY_FORM_RENDERER
