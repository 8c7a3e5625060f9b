"""The arbiter back office (SPEC §5, §8, §9, §13).

- Disputes: the arbitration queue (R-ARB-1, R-ARB-4) with take/release actions, and the case
  page with decide / request information / reassign (``arbitration.admin_views``).
- Complaints (R-CMP-1) and safety reports (R-SAF-1): their own queues and pages.
- Solicitation patterns, editable by supervisors with the regex checked on save (R-DSP-8).
- People: the user admin with each party's dispute record (R-ARB-5).
- Everything else read-only. Nobody deletes disputes, evidence, messages, decisions or any
  money row from here; states change only through services.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm_log.models import StateLog

from arbitration import admin_views, services
from arbitration.admin_forms import SolicitationPatternForm
from arbitration.models import (
    ClaimVersion,
    Complaint,
    Decision,
    Dispute,
    Evidence,
    InformationRequest,
    Message,
    Offer,
    ReturnShipment,
    SafetyReport,
    SolicitationPattern,
)
from arbitration.selectors import buyer_record, seller_record
from arbitration.solicitation import flag_explanations
from arbitration.templatetags.arbitration_admin import SHORT_STATES
from marketplace import admin as money_admin
from marketplace.admin import FastListMixin, NoDeleteMixin, ReadOnlyMixin
from marketplace.errors import DomainError
from marketplace.models import LedgerEntry, Order, Shipment, User
from marketplace.presentation import badge, due_badge, format_money, state_badge

admin.site.site_header = _("Buyer Protection · back office")
admin.site.site_title = _("Back office")
admin.site.index_title = _("Today")
# The queue needs the width more than a second menu: the dashboard and breadcrumbs navigate.
admin.site.enable_nav_sidebar = False

QUEUE_STATES = admin_views.QUEUE_STATES


def has_arbitrate(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm("arbitration.arbitrate")


def age(since, now=None) -> str:
    """'3 d 4 h' since a moment: how long a case has waited."""
    if since is None:
        return "—"
    delta = (now or timezone.now()) - since
    days, hours = delta.days, delta.seconds // 3600
    return f"{days} d {hours} h" if days else f"{hours} h {delta.seconds % 3600 // 60} min"


def person(user: User | None, request: HttpRequest | None = None):
    if user is None:
        return badge(_("unassigned"), "muted")
    name = user.get_full_name() or user.username
    if request is not None and user.pk == request.user.pk:
        return badge(_("you"), "mine", title=name)
    return name


def arbiter_column(request: HttpRequest):
    """The "arbiter" column, per request so it can say "you" (a ModelAdmin is shared by threads)."""

    @admin.display(description=_("arbiter"))
    def arbiter(obj):
        waiting = (
            QUEUE_STATES if isinstance(obj, Dispute) else (Complaint.State.OPEN, Complaint.State.UNDER_REVIEW)
        )
        if obj.state not in waiting:
            return obj.assigned_arbiter or "—"
        return person(obj.assigned_arbiter, request)

    return arbiter


def each(model_admin, request: HttpRequest, queryset, call) -> int:
    """Call a service for each row; a refusal is an error message naming the row. Returns how many worked."""
    done = 0
    for row in queryset:
        try:
            call(row)
        except DomainError as error:
            model_admin.message_user(request, f"#{row.pk}: {error.message_text}", messages.ERROR)
        else:
            done += 1
    return done


def disputes_matching(term: str):
    """Ids of the disputes an arbiter's search term names: an order number (or its start), the
    order's or the return's tracking number, or the buyer's or seller's username or e-mail.

    A UNION of indexed lookups, one per kind: an OR of them makes PostgreSQL scan every dispute.
    """
    tracking = {term, term.upper()}
    people = User.objects.filter(email__iexact=term) if "@" in term else User.objects.filter(username=term)
    branches = [
        Dispute.objects.filter(order__in=Order.objects.filter(number__startswith=term).values("pk")),
        Dispute.objects.filter(
            order__in=Shipment.objects.filter(tracking_number__in=tracking).values("order_id")
        ),
        Dispute.objects.filter(return_shipment__tracking_number__in=tracking),
        Dispute.objects.filter(buyer__in=people.values("pk")),
        Dispute.objects.filter(seller__in=people.values("pk")),
    ]
    first, *rest = (branch.order_by().values("pk") for branch in branches)
    return first.union(*rest)


# --- Filters of the queues -------------------------------------------------------------------


class QueueStateFilter(admin.SimpleListFilter):
    """The arbitration queue by default (escalated + under review); any state one click away.

    A search without a chosen state looks at every dispute: an arbiter typing an order number
    wants that dispute wherever it is.
    """

    title = _("state")
    parameter_name = "state"
    QUEUE, ALL = "queue", "all"
    queue_states: tuple = QUEUE_STATES
    state_choices = Dispute.State.choices
    queue_label = _("Arbitration queue")

    def lookups(self, request, model_admin):
        return [(self.QUEUE, self.queue_label), *self.state_choices, (self.ALL, _("All"))]

    def effective(self) -> str:
        if self.value():
            return self.value()
        return self.ALL if self.request.GET.get(SEARCH_VAR) else self.QUEUE

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


# --- The arbitration queue and the case page -------------------------------------------------


@admin.register(Dispute)
class DisputeAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """R-ARB-1: escalated disputes, oldest first, with what lets an arbiter choose without opening."""

    list_display = (
        "case",
        "amount",
        "reason_display",
        "waiting",
        "due",
        "assigned_arbiter",
        "flags",
        "state_display",
    )
    list_select_related = ("order", "assigned_arbiter")

    def get_list_display(self, request):
        return [arbiter_column(request) if name == "assigned_arbiter" else name for name in self.list_display]

    list_filter = (
        QueueStateFilter,
        OverdueFilter,
        AssignedFilter,
        "reason",
        FlaggedFilter,
        AmountRangeFilter,
        ("order__currency", admin.ChoicesFieldListFilter),
    )
    search_fields = ("order__number",)  # the search box; get_search_results does the work
    search_help_text = _("Order number, buyer or seller username or e-mail, tracking number, or #dispute id.")
    actions = ("take_cases", "release_cases")
    sortable_by = ("waiting", "amount", "due", "case")

    def has_arbitrate_permission(self, request: HttpRequest) -> bool:
        return has_arbitrate(request)

    def get_ordering(self, request):
        """The queue: cases waiting for an arbiter first, then those in review, each oldest
        escalation first ("escalated" sorts before "under_review"); this is the order of the
        (state, escalated_at) index, so the page is read from it without sorting 30,000 rows.
        Any other view: the newest dispute first."""
        state = request.GET.get(QueueStateFilter.parameter_name)
        if state in (None, QueueStateFilter.QUEUE, *QUEUE_STATES) and not request.GET.get(SEARCH_VAR):
            return ["state", F("escalated_at").asc(nulls_last=True), "pk"]
        return ["-pk"]

    def get_search_results(self, request, queryset, search_term):
        """Order number, tracking number, buyer or seller: see ``disputes_matching``."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.startswith("#") and term[1:].isdigit():
            return queryset.filter(pk=int(term[1:])), False
        return queryset.filter(pk__in=disputes_matching(term)), False

    # Columns: everything comes from the row and its select_related joins (no per-row query).

    @admin.display(description=_("case"), ordering="pk")
    def case(self, obj: Dispute):
        return format_html(
            '#{} · <span class="ax-mono">{}</span><br><span class="ax-quiet">{}</span>',
            obj.pk,
            obj.order.number,
            obj.order.item_title,
        )

    @admin.display(description=_("item"))
    def item(self, obj: Dispute) -> str:
        return obj.order.item_title

    @admin.display(description=_("amount"), ordering="order__amount")
    def amount(self, obj: Dispute) -> str:
        return format_money(obj.order.amount, obj.order.currency)

    @admin.display(description=_("reason"), ordering="reason")
    def reason_display(self, obj: Dispute) -> str:
        return obj.get_reason_display()

    @admin.display(description=_("waiting"), ordering="escalated_at")
    def waiting(self, obj: Dispute) -> str:
        if obj.state in QUEUE_STATES:
            return age(obj.escalated_at)
        return age(obj.opened_at) if obj.state != Dispute.State.CLOSED else "—"

    @admin.display(description=_("decision due"), ordering="deadline_at")
    def due(self, obj: Dispute):
        if obj.state not in QUEUE_STATES:
            return "—"
        return due_badge(obj.deadline_at)

    @admin.display(description=_("flags"))
    def flags(self, obj: Dispute):
        if not obj.solicitation_flags:
            return ""
        return badge(
            f"⚑ {obj.solicitation_flags}",
            "flag",
            title=_("Flagged seller messages (off-platform solicitation)"),
        )

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Dispute):
        return badge(
            SHORT_STATES.get(obj.state, obj.state), f"state-{obj.state}", title=obj.get_state_display()
        )

    def changelist_view(self, request, extra_context=None):
        extra = {"queue_counts": self._queue_counts(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @staticmethod
    def _queue_counts(user: User) -> dict:
        """The queue at a glance: three counts the indexes answer alone ((state, escalated_at),
        (state, deadline_at), assigned_arbiter); one aggregate with filters would read 30,000 rows."""
        queue = Dispute.objects.filter(state__in=QUEUE_STATES).order_by()
        by_state = dict(queue.values_list("state").annotate(n=Count("*")))
        return {
            "waiting": by_state.get(Dispute.State.ESCALATED, 0),
            "in_review": by_state.get(Dispute.State.UNDER_REVIEW, 0),
            "overdue": queue.filter(deadline_at__lte=timezone.now()).count(),
            "mine": queue.filter(assigned_arbiter=user).count(),
            # Complaints are the other half of the arbitration queue (R-ARB-1), on their own page.
            "complaints": Complaint.objects.filter(
                state__in=[Complaint.State.OPEN, Complaint.State.UNDER_REVIEW]
            ).count(),
        }

    # Actions: short loops over the services; a refusal is a message and changes nothing.

    @admin.action(description=_("Take the selected cases"), permissions=["arbitrate"])
    def take_cases(self, request, queryset):
        done = each(
            self,
            request,
            queryset.order_by("escalated_at", "pk"),
            lambda d: services.case_take(case=d, actor=request.user),
        )
        if done:
            self.message_user(
                request,
                ngettext("You took %(n)d case.", "You took %(n)d cases.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Release the selected cases"), permissions=["arbitrate"])
    def release_cases(self, request, queryset):
        done = each(
            self,
            request,
            queryset.order_by("escalated_at", "pk"),
            lambda d: services.case_release(case=d, actor=request.user),
        )
        if done:
            self.message_user(
                request,
                ngettext("%(n)d case released to the queue.", "%(n)d cases released to the queue.", done)
                % {"n": done},
                messages.SUCCESS,
            )

    # The case page and its forms.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin_views.dispute_case(self, request, admin_views.url_pk(object_id))

    def get_urls(self):
        views = {
            "take": admin_views.dispute_take,
            "release": admin_views.dispute_release,
            "decide": admin_views.dispute_decide,
            "request-information": admin_views.dispute_request_information,
            "reassign": admin_views.dispute_reassign,
            "message": admin_views.dispute_message,
        }
        return [
            *(
                path(
                    f"<int:object_id>/{name}/",
                    self.admin_site.admin_view(partial(view, self)),
                    name=f"arbitration_dispute_{name.replace('-', '_')}",
                )
                for name, view in views.items()
            ),
            *super().get_urls(),
        ]


# --- Complaints after closure (R-CMP-1) ----------------------------------------------------


class ComplaintStateFilter(QueueStateFilter):
    queue_states = (Complaint.State.OPEN, Complaint.State.UNDER_REVIEW)
    state_choices = Complaint.State.choices
    queue_label = _("Waiting or in review")


class ComplaintOverdueFilter(OverdueFilter):
    queue_states = (Complaint.State.OPEN, Complaint.State.UNDER_REVIEW)


@admin.register(Complaint)
class ComplaintAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The complaints queue: oldest first (the (state, opened_at) index)."""

    list_display = ("case", "kind", "refund_display", "waiting", "due", "assigned_arbiter", "state_display")
    list_select_related = ("dispute__order", "refund", "assigned_arbiter")

    def get_list_display(self, request):
        return [arbiter_column(request) if name == "assigned_arbiter" else name for name in self.list_display]

    list_filter = (ComplaintStateFilter, ComplaintOverdueFilter, AssignedFilter, "kind")
    search_fields = ("dispute__order__number",)
    search_help_text = _("Order number, buyer username or e-mail, or #complaint id.")
    actions = ("take_complaints", "release_complaints")
    sortable_by = ("waiting", "case")

    def has_arbitrate_permission(self, request: HttpRequest) -> bool:
        return has_arbitrate(request)

    def get_ordering(self, request):
        # Waiting complaints first, then those in review, oldest first: the (state, opened_at) index.
        return ["state", "opened_at", "pk"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.startswith("#") and term[1:].isdigit():
            return queryset.filter(pk=int(term[1:])), False
        return queryset.filter(dispute__in=disputes_matching(term)), False

    @admin.display(description=_("complaint"), ordering="pk")
    def case(self, obj: Complaint):
        return format_html("#{} · {}", obj.pk, obj.dispute.order.number)

    @admin.display(description=_("refund"))
    def refund_display(self, obj: Complaint):
        if obj.refund is None:
            return "—"
        return format_html(
            "{} {}", format_money(obj.refund.amount, obj.refund.currency), state_badge(obj.refund)
        )

    @admin.display(description=_("waiting"), ordering="opened_at")
    def waiting(self, obj: Complaint) -> str:
        return age(obj.opened_at) if obj.state != Complaint.State.DECIDED else "—"

    @admin.display(description=_("decision due"), ordering="deadline_at")
    def due(self, obj: Complaint):
        return due_badge(obj.deadline_at, done=obj.state == Complaint.State.DECIDED)

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Complaint):
        return state_badge(obj)

    @admin.action(description=_("Take the selected complaints"), permissions=["arbitrate"])
    def take_complaints(self, request, queryset):
        done = each(
            self,
            request,
            queryset.order_by("opened_at", "pk"),
            lambda c: services.case_take(case=c, actor=request.user),
        )
        if done:
            self.message_user(
                request,
                ngettext("You took %(n)d complaint.", "You took %(n)d complaints.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Release the selected complaints"), permissions=["arbitrate"])
    def release_complaints(self, request, queryset):
        done = each(
            self,
            request,
            queryset.order_by("opened_at", "pk"),
            lambda c: services.case_release(case=c, actor=request.user),
        )
        if done:
            self.message_user(
                request,
                ngettext("%(n)d complaint released.", "%(n)d complaints released.", done) % {"n": done},
                messages.SUCCESS,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin_views.complaint_page(self, request, admin_views.url_pk(object_id))

    def get_urls(self):
        views = {
            "take": admin_views.complaint_take,
            "release": admin_views.complaint_release,
            "decide": admin_views.complaint_decide,
            "reassign": admin_views.complaint_reassign,
        }
        return [
            *(
                path(
                    f"<int:object_id>/{name}/",
                    self.admin_site.admin_view(partial(view, self)),
                    name=f"arbitration_complaint_{name}",
                )
                for name, view in views.items()
            ),
            *super().get_urls(),
        ]


# --- Safety reports (R-SAF-1) ----------------------------------------------------------------


class SafetyStateFilter(QueueStateFilter):
    queue_states = (SafetyReport.State.OPEN,)
    state_choices = SafetyReport.State.choices
    queue_label = _("Being reviewed")


@admin.register(SafetyReport)
class SafetyReportAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("report", "item", "reporter", "seller", "waiting", "state_display", "outcome")
    list_select_related = ("order", "order__seller", "reporter")
    list_filter = (SafetyStateFilter, "outcome")
    search_fields = ("order__number",)
    search_help_text = _("Order number.")
    sortable_by = ("waiting", "report")

    def get_ordering(self, request):
        return ["created_at", "pk"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(order__in=Order.objects.filter(number__startswith=term).values("pk")), False

    @admin.display(description=_("report"), ordering="pk")
    def report(self, obj: SafetyReport):
        return format_html("#{} · {}", obj.pk, obj.order.number)

    @admin.display(description=_("item"))
    def item(self, obj: SafetyReport) -> str:
        return obj.order.item_title

    @admin.display(description=_("seller"))
    def seller(self, obj: SafetyReport):
        return obj.order.seller

    @admin.display(description=_("waiting"), ordering="created_at")
    def waiting(self, obj: SafetyReport) -> str:
        return age(obj.created_at) if obj.state == SafetyReport.State.OPEN else "—"

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: SafetyReport):
        return state_badge(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin_views.safety_report_page(self, request, admin_views.url_pk(object_id))

    def get_urls(self):
        return [
            path(
                "<int:object_id>/close/",
                self.admin_site.admin_view(partial(admin_views.safety_report_close, self)),
                name="arbitration_safetyreport_close",
            ),
            *super().get_urls(),
        ]


# --- Solicitation patterns (R-DSP-8) ---------------------------------------------------------


@admin.register(SolicitationPattern)
class SolicitationPatternAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Supervisors edit the patterns without a deploy; a broken regex is refused on save.

    Patterns are switched off, never deleted: flagged messages keep the names they matched.
    """

    form = SolicitationPatternForm
    list_display = ("name", "language", "intent", "is_active", "pattern_display", "updated_at", "updated_by")
    list_select_related = ("updated_by",)
    list_filter = ("is_active", "intent", "language")
    search_fields = ("name", "description")
    readonly_fields = ("updated_at", "updated_by")
    fields = (
        "name",
        "pattern",
        "language",
        "intent",
        "description",
        "is_active",
        "sample",
        "updated_at",
        "updated_by",
    )

    @admin.display(description=_("pattern"))
    def pattern_display(self, obj: SolicitationPattern):
        text = obj.pattern if len(obj.pattern) <= 80 else obj.pattern[:77] + "…"
        return format_html('<code class="ax-mono">{}</code>', text)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        verdict = form.sample_matches()
        if verdict is not None:
            self.message_user(
                request,
                _("The sample message would be flagged by this pattern.")
                if verdict
                else _("The sample message would NOT be flagged by this pattern."),
                messages.INFO if verdict else messages.WARNING,
            )


# --- The case file, read-only (the case page shows it in context) ----------------------------


class CaseFileAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """A read-only list of one kind of case record, each linking to its case page."""

    search_fields = ("dispute__order__number",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.startswith("#") and term[1:].isdigit():
            return queryset.filter(dispute_id=int(term[1:])), False
        if term:
            return queryset.filter(dispute__order__in=Order.objects.filter(number=term).values("pk")), False
        return queryset, False

    @admin.display(description=_("dispute"))
    def case_link(self, obj):
        return format_html('<a href="{}">#{}</a>', admin_views.case_url(obj.dispute_id), obj.dispute_id)


@admin.register(ClaimVersion)
class ClaimVersionAdmin(CaseFileAdmin):
    list_display = (
        "case_link",
        "number",
        "reason",
        "resolution",
        "requested_amount",
        "created_by",
        "created_at",
    )
    list_select_related = ("created_by",)
    ordering = ("-pk",)


@admin.register(Offer)
class OfferAdmin(CaseFileAdmin):
    list_display = ("case_link", "kind", "amount", "status", "created_at", "answered_at")
    list_filter = ("status",)
    ordering = ("-pk",)


@admin.register(Message)
class MessageAdmin(CaseFileAdmin):
    """Messages are never edited or deleted (R-DSP-7)."""

    list_display = ("case_link", "created_at", "role", "author", "excerpt", "flag")
    list_select_related = ("author",)
    list_filter = ("role", "is_flagged")
    ordering = ("-pk",)

    @admin.display(description=_("message"))
    def excerpt(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 90 else obj.body[:87] + "…"

    @admin.display(description=_("flag"))
    def flag(self, obj: Message):
        if not obj.is_flagged:
            return ""
        return badge("⚑ " + "; ".join(flag_explanations(obj)), "flag")


@admin.register(Evidence)
class EvidenceAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Immutable after upload (R-EVD-3); the files are served by the permission-checked views."""

    list_display = (
        "preview",
        "original_name",
        "kind",
        "size_display",
        "checksum",
        "uploaded_by",
        "created_at",
        "case_link",
    )
    list_select_related = ("uploaded_by",)
    list_filter = ("kind",)
    search_fields = ("=sha256",)
    search_help_text = _("The file's full SHA-256.")
    ordering = ("-pk",)
    fields = (
        "preview",
        "original_name",
        "kind",
        "content_type",
        "size_display",
        "sha256",
        "uploaded_by",
        "created_at",
        "dispute",
        "message",
        "complaint",
        "safety_report",
        "processed_at",
    )
    readonly_fields = ("preview", "size_display")

    @admin.display(description=_("preview"))
    def preview(self, obj: Evidence):
        return render_to_string(
            "admin/arbitration/includes/evidence_item.html",
            {"item": admin_views.evidence_view(obj), "compact": True},
        )

    @admin.display(description=_("size"))
    def size_display(self, obj: Evidence) -> str:
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(obj.size)

    @admin.display(description=_("SHA-256"))
    def checksum(self, obj: Evidence):
        return format_html('<code class="ax-mono" title="{}">{}…</code>', obj.sha256, obj.sha256[:16])

    @admin.display(description=_("case"))
    def case_link(self, obj: Evidence):
        if obj.dispute_id:
            return format_html('<a href="{}">#{}</a>', admin_views.case_url(obj.dispute_id), obj.dispute_id)
        if obj.safety_report_id:
            return format_html(
                '<a href="{}">{} #{}</a>',
                reverse("admin:arbitration_safetyreport_change", args=[obj.safety_report_id]),
                _("safety report"),
                obj.safety_report_id,
            )
        return "—"


@admin.register(Decision)
class DecisionAdmin(CaseFileAdmin):
    """A decision can't be changed after it is made (R-ARB-2)."""

    list_display = (
        "case_link",
        "round",
        "outcome",
        "refund_amount",
        "penalty_amount",
        "decided_by",
        "decided_at",
    )
    list_select_related = ("decided_by",)
    list_filter = ("outcome",)
    ordering = ("-pk",)


@admin.register(ReturnShipment)
class ReturnShipmentAdmin(CaseFileAdmin):
    list_display = (
        "case_link",
        "refund_amount",
        "carrier",
        "tracking_number",
        "shipped_at",
        "acknowledgement",
    )
    search_fields = ("=tracking_number",)
    ordering = ("-pk",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term:
            return queryset.filter(tracking_number__in={term, term.upper()}), False
        return queryset, False


@admin.register(InformationRequest)
class InformationRequestAdmin(CaseFileAdmin):
    list_display = ("case_link", "party", "question_excerpt", "due_at", "answered", "requested_by")
    list_select_related = ("requested_by",)
    ordering = ("-pk",)

    @admin.display(description=_("question"))
    def question_excerpt(self, obj: InformationRequest) -> str:
        return obj.question if len(obj.question) <= 90 else obj.question[:87] + "…"

    @admin.display(description=_("answered"))
    def answered(self, obj: InformationRequest):
        if obj.answered_at:
            return badge(
                _("answered %(date)s") % {"date": f"{timezone.localtime(obj.answered_at):%Y-%m-%d}"}, "ok"
            )
        return badge(_("overdue"), "overdue") if obj.is_overdue else badge(_("waiting"), "neutral")


# --- The audit log of transitions (R-SEC-2) ---------------------------------------------------


@admin.register(StateLog)
class StateLogAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Who moved what, when: every transition of every dispute, order, refund, complaint, report."""

    list_display = ("timestamp", "subject", "transition", "change", "by", "description")
    list_select_related = ("by", "content_type")
    list_filter = ("content_type",)
    search_fields = ("=object_id",)
    search_help_text = _("The id of the dispute, order, refund … (choose the type on the right).")
    ordering = ("-pk",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(object_id=int(term)), False
        return (queryset.none() if term else queryset), False

    @admin.display(description=_("what"))
    def subject(self, obj: StateLog):
        label = f"{obj.content_type.name} #{obj.object_id}"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id]
            )
        except Exception:  # a model without an admin page
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("change"))
    def change(self, obj: StateLog) -> str:
        return f"{obj.source_state or '∅'} → {obj.state}"


# --- People: the parties' records (R-ARB-3, R-ARB-5) -----------------------------------------


def _count(queryset, group_by: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


admin.site.unregister(User)


@admin.register(User)
class ArbitrationUserAdmin(money_admin.UserAdmin):
    """A seller's page shows penalties, dispute count, loss rate and solicitation flags (R-ARB-5);
    a buyer's, their past disputes and outcomes (R-ARB-3)."""

    list_display = (
        "username",
        "get_full_name",
        "email",
        "is_staff",
        "as_seller",
        "as_buyer",
        "flags",
        "date_joined",
    )
    readonly_fields = (*money_admin.UserAdmin.readonly_fields, "dispute_record")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not self.has_change_permission(request, obj):
            # Readers (arbiters, finance) get no password hash and no "reset password" button.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets
            ]
        return ((_("Disputes and penalties"), {"fields": ("dispute_record",)}), *fieldsets)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                seller_disputes=_count(Dispute.objects.filter(seller=OuterRef("pk")), "seller"),
                buyer_disputes=_count(Dispute.objects.filter(buyer=OuterRef("pk")), "buyer"),
                seller_flags=Coalesce(
                    Subquery(
                        Dispute.objects.filter(seller=OuterRef("pk"))
                        .order_by()
                        .values("seller")
                        .annotate(n=Sum("solicitation_flags"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    Value(0),
                ),
            )
        )

    @admin.display(description=_("disputes as seller"), ordering="seller_disputes")
    def as_seller(self, obj: User):
        return obj.seller_disputes or ""

    @admin.display(description=_("disputes as buyer"), ordering="buyer_disputes")
    def as_buyer(self, obj: User):
        return obj.buyer_disputes or ""

    @admin.display(description=_("flags"), ordering="seller_flags")
    def flags(self, obj: User):
        return badge(f"⚑ {obj.seller_flags}", "flag") if obj.seller_flags else ""

    @admin.display(description=_("record"))
    def dispute_record(self, obj: User):
        penalties = (
            LedgerEntry.objects.filter(party=obj, kind=LedgerEntry.Kind.PENALTY)
            .select_related("order", "actor")
            .order_by("-created_at")[:20]
        )
        as_seller = Dispute.objects.filter(seller=obj).select_related("order").order_by("-opened_at")[:10]
        return render_to_string(
            "admin/arbitration/includes/user_record.html",
            {
                "seller": seller_record(obj),
                "buyer": buyer_record(obj),
                "penalties": list(penalties),
                "as_seller": list(as_seller),
            },
        )
