"""One amount field and one text limit for every form (R-ESC-3, R-DSP-2; issue 13 item 8, issue 14).

``marketplace.forms.AmountField`` accepts exactly what a person types in the page's language and
refuses everything else with ONE sentence; texts are never cut silently (no ``maxlength``: a
counter, and a refusal that says by how much).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from arbitration.backoffice.forms import ComplaintDecisionForm, DecisionForm
from arbitration.models import Dispute
from arbitration.web.forms import MessageForm, OfferForm
from marketplace.forms import AmountField
from tests.web.conftest import shipped

ACCEPTED = {
    "en": [
        ("30", "30"),
        ("30.5", "30.5"),
        ("30.50", "30.50"),
        ("1,490.50", "1490.50"),
        ("1 490.50", "1490.50"),
    ],
    "ru": [
        ("30", "30"),
        ("30,50", "30.50"),
        ("30.50", "30.50"),
        ("1 490,50", "1490.50"),
        ("1\u00a0490,5", "1490.5"),
    ],
}

REFUSED = {
    "٣٠": "Type the amount with the digits 0–9, for example 12.50.",
    "１２": "Type the amount with the digits 0–9, for example 12.50.",
    "1_0": "Enter an amount as a number, for example 12.50.",
    "+5": "Enter the amount without a plus sign.",
    ".5": "Write a 0 before the decimal separator, for example 0.50.",
    "1e30": "Enter an amount as a number, for example 12.50.",
    "NaN": "Enter an amount as a number, for example 12.50.",
    "Infinity": "Enter an amount as a number, for example 12.50.",
    "abc": "Enter an amount as a number, for example 12.50.",
    "30,50": "Enter an amount as a number, for example 12.50.",  # not an English amount
    "0": "Enter an amount more than 0.",
    "0.00": "Enter an amount more than 0.",
    "-5": "Enter an amount more than 0, without a minus sign.",
    "12.345": "Amounts have at most two decimal places (cents).",
    "99999999999": "That amount is too large: at most 9,999,999,999.99.",
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_amounts_are_read_as_a_person_types_them_in_the_pages_language(language):
    field = AmountField()
    with translation.override(language):
        for typed, value in ACCEPTED[language]:
            assert field.clean(typed) == Decimal(value), typed


@pytest.mark.parametrize(("typed", "sentence"), REFUSED.items())
def test_every_wrong_amount_gets_exactly_one_clear_sentence(typed, sentence):
    form = OfferForm({"kind": "partial_refund", "amount": typed, "note": "x"})
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["amount"] == [sentence]


def test_the_russian_page_refuses_in_russian_with_a_russian_example():
    field = AmountField()
    with translation.override("ru"), pytest.raises(Exception) as refused:
        field.clean("abc")
    (message,) = refused.value.messages
    assert "12,50" in message and "Enter" not in message


def test_the_admin_decision_forms_use_the_same_field_and_its_one_sentence():
    for form_class in (DecisionForm, ComplaintDecisionForm):
        fields = form_class.base_fields
        assert isinstance(fields["refund_amount"], AmountField)
        assert isinstance(fields["penalty_amount"], AmountField)
        with translation.override("en"), pytest.raises(Exception) as refused:
            fields["penalty_amount"].clean("0")
        assert refused.value.messages == ["Enter an amount more than 0."]


@pytest.mark.django_db
def test_an_arabic_indic_amount_is_refused_on_the_dispute_page_and_nothing_opens(people, client):
    order = shipped(people)
    client.force_login(people.buyer)
    response = client.post(
        reverse("dispute-open", args=[order.pk]),
        {"reason": "damaged", "resolution": "partial_refund", "requested_amount": "٣٠", "description": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Type the amount with the digits 0–9") == 2  # the summary and the field, one sentence
    assert "greater than or equal" not in html
    assert not Dispute.objects.exists()


# --- Texts are never cut silently --------------------------------------------------------------


def test_a_text_field_counts_instead_of_cutting():
    field = MessageForm.base_fields["body"]
    form = MessageForm()
    widget_attrs = form.fields["body"].widget.attrs
    assert "maxlength" not in widget_attrs
    assert widget_attrs["data-max-chars"] == str(field.max_length)
    assert "maxlength" not in str(form["body"])


def test_a_text_over_the_limit_is_refused_with_by_how_much_never_cut():
    form = MessageForm({"body": "x" * 5003})
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["body"] == [
            "This text is 5003 characters long; keep it to 5000 at most. Nothing was cut: shorten it and "
            "send again."
        ]
