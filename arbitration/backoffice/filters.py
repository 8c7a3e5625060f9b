"""The queues' filters and search (R-ARB-1, R-ARB-4, R-DSP-8): the arbitration queue by default,
overdue cases, whose cases, flagged sellers, amounts; and what each queue's search looks in.

Every filter reads an index: (state, escalated_at), (state, deadline_at), assigned_arbiter, the
flagged-queue partial index.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arbitration.backoffice.base import COMPLAINT_QUEUE_STATES, QUEUE_STATES
from arbitration.models import Complaint, Dispute, SafetyReport
from marketplace.search import Search

# What each queue's search box looks in (``marketplace.search``: one trigram-indexed branch per
# path). A complaint is found by everything that finds its dispute.
DISPUTE_SEARCH = Search(
    text=(
        "order__number",
        "order__item_title",
        "order__shipment__tracking_number",
        "return_shipment__tracking_number",
    ),
    people=("buyer", "seller"),
)
COMPLAINT_SEARCH = DISPUTE_SEARCH.under("dispute")
SAFETY_SEARCH = Search(
    text=("order__number", "order__item_title", "order__shipment__tracking_number"),
    people=("reporter", "order__seller"),
)


class QueueStateFilter(admin.SimpleListFilter):
    """The arbitration queue by default (escalated + under review); any state one click away.

    A search or the flagged-messages filter without a chosen state looks at every dispute: an
    arbiter typing an order number wants that dispute wherever it is, and flagged sellers write
    while a dispute is still between the parties, before it reaches the queue (R-DSP-8).
    When the queue is a single state (safety reports: "being reviewed"), that state is not listed
    a second time under its own name.
    """

    title = _("state")
    parameter_name = "state"
    QUEUE, ALL = "queue", "all"
    queue_states: tuple = QUEUE_STATES
    state_choices = Dispute.State.choices
    queue_label = _("Arbitration queue")

    def lookups(self, request, model_admin):
        states = [
            (value, label)
            for value, label in self.state_choices
            if not (len(self.queue_states) == 1 and value == self.queue_states[0])
        ]
        return [(self.QUEUE, self.queue_label), *states, (self.ALL, _("All"))]

    def effective(self) -> str:
        if self.value():
            # A single-state queue's state is the queue itself (its link is the queue's).
            if len(self.queue_states) == 1 and self.value() == self.queue_states[0]:
                return self.QUEUE
            return self.value()
        return self.ALL if self.widened(self.request) else self.QUEUE

    @staticmethod
    def widened(request) -> bool:
        """A search term or "flagged messages: yes" looks past the queue when no state is chosen."""
        return bool(request.GET.get(SEARCH_VAR)) or request.GET.get(FlaggedFilter.parameter_name) == "yes"

    def choices(self, changelist):
        current = self.effective()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.effective()
        if value == self.ALL:
            return queryset
        if value == self.QUEUE:
            return queryset.filter(state__in=self.queue_states)
        return queryset.filter(state=value)


class OverdueFilter(admin.SimpleListFilter):
    """R-ARB-4: not decided ARBITER_DECISION_DAYS after escalation (the (state, deadline_at) index)."""

    title = _("decision due")
    parameter_name = "overdue"
    queue_states: tuple = QUEUE_STATES

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("soon", _("Due within 24 hours")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        live = queryset.filter(state__in=self.queue_states)
        if self.value() == "yes":
            return live.filter(deadline_at__lte=now)
        if self.value() == "soon":
            return live.filter(deadline_at__gt=now, deadline_at__lte=now + timedelta(hours=24))
        if self.value() == "no":
            return live.filter(deadline_at__gt=now)
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("arbiter")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Mine")), ("nobody", _("Unassigned")), ("others", _("Other arbiters"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_arbiter=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_arbiter__isnull=True)
        if self.value() == "others":
            return queryset.filter(assigned_arbiter__isnull=False).exclude(assigned_arbiter=request.user)
        return queryset


class FlaggedFilter(admin.SimpleListFilter):
    """R-DSP-8: the seller asked for off-platform payment or to close the dispute."""

    title = _("solicitation")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged messages")), ("no", _("None"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(solicitation_flags__gt=0)
        if self.value() == "no":
            return queryset.filter(solicitation_flags=0)
        return queryset


class AmountRangeFilter(admin.ListFilter):
    """The order amount between two values (typed, or one of the presets)."""

    title = _("amount")
    template = "admin/arbitration/filter_amount_range.html"
    field = "order__amount"
    MIN, MAX = "amount_min", "amount_max"
    PRESETS = [(None, "50"), ("50", "200"), ("200", "1000"), ("1000", None)]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.bounds: dict[str, Decimal] = {}
        for name in (self.MIN, self.MAX):
            if name in params:
                raw = params.pop(name)
                raw = raw[-1] if isinstance(raw, list) else raw
                self.used_parameters[name] = raw
                try:
                    self.bounds[name] = Decimal(raw.replace(",", ".").strip())
                except (InvalidOperation, AttributeError):
                    messages.warning(
                        request, _("“%(value)s” is not an amount; that bound is ignored.") % {"value": raw}
                    )

    def has_output(self) -> bool:
        return True

    def expected_parameters(self):
        return [self.MIN, self.MAX]

    def queryset(self, request, queryset):
        if self.MIN in self.bounds:
            queryset = queryset.filter(**{f"{self.field}__gte": self.bounds[self.MIN]})
        if self.MAX in self.bounds:
            queryset = queryset.filter(**{f"{self.field}__lt": self.bounds[self.MAX]})
        return queryset

    def choices(self, changelist):
        self.other_params = [
            (name, value)
            for name, values in changelist.params.items()
            if name not in (self.MIN, self.MAX)
            for value in (values if isinstance(values, list) else [values])
        ]
        self.current = (self.used_parameters.get(self.MIN, ""), self.used_parameters.get(self.MAX, ""))
        yield {
            "selected": not self.used_parameters,
            "query_string": changelist.get_query_string(remove=[self.MIN, self.MAX]),
            "display": _("Any"),
        }
        for low, high in self.PRESETS:
            display = f"{low} – {high}" if low and high else (f"< {high}" if high else f"≥ {low}")
            yield {
                "selected": self.current == (low or "", high or ""),
                "query_string": changelist.get_query_string(
                    {k: v for k, v in ((self.MIN, low), (self.MAX, high)) if v},
                    remove=[self.MIN, self.MAX],
                ),
                "display": display,
            }


class ComplaintStateFilter(QueueStateFilter):
    queue_states = COMPLAINT_QUEUE_STATES
    state_choices = Complaint.State.choices
    queue_label = _("Waiting or in review")


class ComplaintOverdueFilter(OverdueFilter):
    queue_states = COMPLAINT_QUEUE_STATES


class SafetyStateFilter(QueueStateFilter):
    queue_states = (SafetyReport.State.OPEN,)
    state_choices = SafetyReport.State.choices
    queue_label = _("Being reviewed")
