"""The facts a dispute's transition conditions read besides its own row (R-DSP-3, R-DSP-5):
amendments used, offers made, the pending offer — loaded once per instance (``ConditionFacts``).

A page asks every transition's conditions, and each would otherwise ask the database again. A
list already prefetched on the instance (``offers``, ``claim_versions``) answers its facts without
a query; the others are read together in one query; a list of disputes can read them for all rows
at once (``fact_annotations`` + ``know_facts``). The cache is forgotten by ``refresh_from_db()``,
after every transition (``arbitration.models.dispute``) and by ``forget_facts()`` (the services
that write offers outside a transition). The conditions themselves stay on ``Dispute``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from arbitration.models.claim import ClaimVersion, Offer

# A plain mixin at run time; typed as "anything" so its methods may use the model's fields and
# related managers (``pk``, ``offers``, ``claim_versions``) that ``Dispute`` brings.
_DisputeModel: Any = object


class ConditionFacts(_DisputeModel):
    """Mixed into ``Dispute`` (before ``ArbitrationCase``)."""

    FACTS_FROM = {"amendments_used": "claim_versions", "offers": "offers", "pending_offer_id": "offers"}

    def forget_facts(self) -> None:
        self.__dict__.pop("_condition_facts", None)
        self.__dict__.pop("_pending_offer", None)

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.forget_facts()
        super().refresh_from_db(*args, **kwargs)

    def _fact(self, name: str):
        facts: dict = self.__dict__.setdefault("_condition_facts", {})
        if name not in facts:
            prefetched = getattr(self, "_prefetched_objects_cache", {})
            if self.FACTS_FROM[name] in prefetched:
                facts.update(self._facts_from_lists(self.FACTS_FROM[name]))
            else:
                facts.update(
                    self._facts_from_database(exclude=set(prefetched) | {self.FACTS_FROM[n] for n in facts})
                )
        return facts[name]

    def _facts_from_lists(self, relation: str) -> dict:
        if relation == "claim_versions":
            return {"amendments_used": sum(1 for version in self.claim_versions.all() if version.number > 0)}
        offers = list(self.offers.all())
        pending = next((offer for offer in offers if offer.status == Offer.Status.PENDING), None)
        self.__dict__["_pending_offer"] = pending
        return {"offers": len(offers), "pending_offer_id": pending.pk if pending else None}

    @classmethod
    def fact_annotations(
        cls, of: dict[str, Any], relations: Iterable[str] = ("claim_versions", "offers")
    ) -> dict:
        """The facts of ``relations`` as annotations (``fact_<name>``) of any query whose rows
        name a dispute through ``of`` (``{"dispute": OuterRef("pk")}`` here, ``{"dispute__order":
        OuterRef("pk")}`` for orders): a list reads the facts of all its disputes in its own query."""

        def count(queryset: QuerySet) -> Coalesce:
            return Coalesce(
                Subquery(queryset.order_by().values("dispute").annotate(n=Count("pk")).values("n")), 0
            )

        wanted: dict[str, Any] = {}
        if "claim_versions" in relations:
            wanted["amendments_used"] = count(ClaimVersion.objects.filter(**of, number__gt=0))
        if "offers" in relations:
            wanted["offers"] = count(Offer.objects.filter(**of))
            wanted["pending_offer_id"] = Subquery(
                Offer.objects.filter(**of, status=Offer.Status.PENDING).values("pk")[:1]
            )
        return {f"fact_{name}": expression for name, expression in wanted.items()}

    def know_facts(self, row: object) -> None:
        """Take the facts a list read with ``fact_annotations`` (the ``fact_<name>`` attributes
        of ``row``), so the conditions ask no query of their own."""
        facts: dict = self.__dict__.setdefault("_condition_facts", {})
        for name in self.FACTS_FROM:
            if hasattr(row, f"fact_{name}"):
                facts[name] = getattr(row, f"fact_{name}")

    def _facts_from_database(self, *, exclude: set[str]) -> dict:
        """The facts of the relations in neither the cache nor a prefetch, in one query."""
        if self.pk is None:
            return {"amendments_used": 0, "offers": 0, "pending_offer_id": None}
        relations = [relation for relation in ("claim_versions", "offers") if relation not in exclude]
        # Read under their own names (the model has fields named like the facts, e.g. ``offers``).
        row = (
            type(self)
            ._base_manager.filter(pk=self.pk)
            .values(**self.fact_annotations({"dispute": OuterRef("pk")}, relations))
            .get()
        )
        return {name.removeprefix("fact_"): value for name, value in row.items()}
