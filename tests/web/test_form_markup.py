"""Not a SPEC rule: the parties' forms render exactly the markup of Django's own Jinja2 form
templates (issue 15: ``marketplace.forms.PartyFormRenderer`` keeps three of those templates in
one piece each, for CPU). Every party form, empty, filled in and with errors, in both languages."""

from __future__ import annotations

import pytest
from django.forms.renderers import Jinja2
from django.utils import translation

import arbitration.web.forms
import marketplace.web.forms  # noqa: F401  (their forms are among Form's subclasses)
from marketplace.forms import PARTY_FORM_RENDERER, Form, PartyFormRenderer

DJANGO = Jinja2()


def party_forms() -> list[type[Form]]:
    found, todo = [], [Form]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.endswith(".forms") and not sub.__name__.endswith("Mixin"):
                found.append(sub)
    return sorted(set(found), key=lambda cls: cls.__qualname__)


def made(cls: type[Form], data, renderer) -> Form:
    kwargs = {"renderer": renderer, "auto_id": "x_%s"}
    if issubclass(cls, arbitration.web.forms.EvidenceFormMixin):
        kwargs["remaining"] = 3
    if cls is arbitration.web.forms.AcceptClaimForm:
        kwargs.update(needs_return=True, return_address="1 Quay St")
    return cls(data, **kwargs)


FORMS = party_forms()


def test_the_party_forms_are_found():
    assert len(FORMS) >= 10 and PARTY_FORM_RENDERER.__class__ is PartyFormRenderer
    assert all(cls.default_renderer is PARTY_FORM_RENDERER for cls in FORMS)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"reason": "not_received", "resolution": "partial_refund", "description": "<b>x</b>", "days": "5"},
    ],
    ids=["empty", "errors", "filled"],
)
def test_a_party_form_renders_as_django_renders_it(cls, data, language):
    with translation.override(language):
        ours = made(cls, data, PARTY_FORM_RENDERER)
        django = made(cls, data, DJANGO)
        for name in ours.fields:
            assert ours[name].as_field_group() == django[name].as_field_group(), (cls, name)
        assert ours.as_div() == django.as_div()
