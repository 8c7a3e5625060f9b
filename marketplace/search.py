"""Search that finds things in the back office's lists: part of an order number, of a buyer's or
seller's name, username or e-mail, of an item title, a tracking number or a payout reference.

One helper for every list (the arbitration queue, complaints, safety reports, refunds): a
``Search`` names the text columns and the people (paths from the listed model), and
``Search.filter`` keeps the rows the term names.

- On PostgreSQL each searched column has a trigram index (``trigram_index``: pg_trgm's
  ``gin_trgm_ops`` on ``UPPER(column)``), which serves Django's ``icontains``
  (``UPPER(col) LIKE UPPER('%term%')``) from the index whatever part of the value was typed;
  ``AddTrigramIndex`` builds it in the migrations. SQLite has no such index and answers the same
  lookup by reading the table, which a development database can afford.
- A term shorter than three characters has no trigram to look up: it must equal the whole value
  (the trigram index serves equality too), so "12" doesn't list every order.
- Each column is its own branch and the branches are UNIONed: an OR across joined tables
  makes PostgreSQL read every row of the listed table instead of one index per branch.
- A person matches when every word of the term is in their first name, last name, username or
  e-mail, in any order: "boris buy" finds Boris Buyer. The four are one indexed text
  (``PersonText``), so the words narrow down one index scan together.
- ``#123`` is the listed row's own id.

Imports nothing of the project at module level: the models use ``trigram_index``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.models import CharField, Func, Q, QuerySet
from django.db.models.functions import Upper

from marketplace.text import is_plain_number

MIN_PART = 3  # characters: pg_trgm narrows a LIKE '%…%' down only from three on
PERSON_FIELDS = ("first_name", "last_name", "username", "email")


def trigram_index(field: str, *, name: str) -> GinIndex:
    """The index that serves ``<field>__icontains`` on PostgreSQL (see the module's docstring)."""
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


class AddTrigramIndex(AddIndexConcurrently):
    """``AddIndex`` of a ``trigram_index``: built on PostgreSQL only (SQLite has no GIN), while the
    migration state has it everywhere, so ``makemigrations`` sees no difference on either.

    Built ``CONCURRENTLY``: orders, people and refunds keep being written while a big table is
    indexed (a plain ``CREATE INDEX`` would hold their writes for the whole build). A migration
    using it sets ``atomic = False``, as PostgreSQL builds such an index outside a transaction."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PersonText(Func):
    """A person's first name, last name, username and e-mail as one text (all four are NOT NULL,
    so plain ``||`` and no COALESCE: the query's expression is the index's, word for word)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = CharField()

    def __init__(self) -> None:
        super().__init__(*PERSON_FIELDS)


def person_index(*, name: str) -> GinIndex:
    """The index that serves ``PersonText`` ``icontains`` on PostgreSQL."""
    return GinIndex(OpClass(Upper(PersonText()), name="gin_trgm_ops"), name=name)


def contains(field: str, term: str) -> Q:
    """``field`` contains ``term`` (any case); a short term must be the whole value."""
    if len(term) < MIN_PART:
        return Q(**{f"{field}__iexact": term})
    return Q(**{f"{field}__icontains": term})


def people_matching(term: str) -> QuerySet:
    """Ids of the people every word of ``term`` names (in a name, the username or the e-mail).

    A term of only short words has no trigram to look up: it must be a whole username."""
    words = term.split()
    people = get_user_model().objects.all()
    if all(len(word) < MIN_PART for word in words):
        return people.filter(username=term).values("pk")
    people = people.alias(person_text=PersonText())
    for word in words:
        people = people.filter(person_text__icontains=word)
    return people.values("pk")


@dataclass(frozen=True)
class Search:
    """What a list's search box looks in: ``text`` columns and ``people``, as paths from the
    listed model (``"order__number"``, ``"buyer"``)."""

    text: Sequence[str] = ()
    people: Sequence[str] = ()

    def under(self, path: str) -> Search:
        """The same search from a model that points at this one (a complaint's dispute)."""
        return Search(
            text=tuple(f"{path}__{field}" for field in self.text),
            people=tuple(f"{path}__{person}" for person in self.people),
        )

    def matching(self, model, term: str) -> QuerySet:
        """Ids of the ``model`` rows the term names: one indexed branch per path, UNIONed."""
        term = " ".join(term.split())
        branches = [model.objects.filter(contains(field, term)) for field in self.text]
        if self.people:
            people = people_matching(term)
            branches += [model.objects.filter(**{f"{person}__in": people}) for person in self.people]
        first, *rest = (branch.order_by().values("pk") for branch in branches)
        return first.union(*rest) if rest else first

    def filter(self, queryset: QuerySet, term: str) -> QuerySet:
        """The rows of ``queryset`` the term names (all of them for an empty term)."""
        term = term.strip()
        if not term:
            return queryset
        if term.startswith("#") and is_plain_number(term[1:]):
            return queryset.filter(pk=int(term[1:]))
        return queryset.filter(pk__in=self.matching(queryset.model, term))
