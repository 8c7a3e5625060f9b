"""``PUT /people/{external_id}``: the marketplace tells us about a buyer or a seller (R-API-2).

An upsert by the marketplace's own id, idempotent by nature (R-API-3): the first call creates the
person (201), later calls bring name, email and language up to date (200).
"""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema
from pydantic import StringConstraints, field_validator

from marketplace.api.auth import require_scope
from marketplace.api.idempotency import idempotent
from marketplace.api.schemas import ExternalId
from marketplace.models import Scope, User
from marketplace.services.people import person_upsert

router = Router(tags=["people"])

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class PersonIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]
    language: str = settings.LANGUAGE_CODE

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter a valid email address, such as boris@example.com.") from None
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"Use one of: {', '.join(LANGUAGES)}.")
        return value


class PersonOut(Schema):
    object: str = "person"
    id: int
    external_id: str
    name: str
    email: str
    language: str


def person_out(person: User) -> PersonOut:
    return PersonOut(
        id=person.pk,
        external_id=person.external_id,
        name=person.get_full_name(),
        email=person.email,
        language=person.preferred_language,
    )


@router.put(
    "/people/{external_id}",
    response={200: PersonOut, 201: PersonOut},
    summary="Create or update a buyer or seller",
)
def person_put(
    request: HttpRequest, external_id: Annotated[ExternalId, Path()], payload: PersonIn
) -> HttpResponse:
    client = require_scope(request, Scope.ORDERS_WRITE)

    def write() -> tuple[int, PersonOut]:
        person, created = person_upsert(
            account=client.account,
            external_id=external_id,
            name=payload.name,
            email=payload.email,
            language=payload.language,
        )
        return (201 if created else 200), person_out(person)

    return idempotent(request, client, write)


@router.get("/people/{external_id}", response=PersonOut, summary="A buyer or seller")
def person_get(request: HttpRequest, external_id: str) -> PersonOut:
    client = require_scope(request, Scope.ORDERS_WRITE)
    person = User.objects.get(account=client.account, external_id=external_id)
    return person_out(person)
