"""The arbitration queue and the case page (R-ARB-1, R-ARB-3, R-ARB-4, R-ARB-6).

- The queue: escalated disputes, oldest first, with what lets an arbiter choose without opening
  one; filters and search in ``filters``; take/release in ``cases.CaseAdmin``.
- The case page: the whole dispute on one page, in a constant number of queries whatever the
  length of the thread, the evidence or the ledger; its buttons are the arbiter's transitions
  allowed now (``available_actions``), the same check the services make.
- A dispute's own pages besides the shared lifecycle: request information (R-ARB-6) and write
  in the thread (R-DSP-7).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from arbitration import services
from arbitration.backoffice.base import (
    ARBITRATE,
    QUEUE_STATES,
    SHORT_STATES,
    age,
    post_only,
    related,
    render_page,
    require,
    url_pk,
)
from arbitration.backoffice.cases import CaseAdmin, CaseTexts, lifecycle_action
from arbitration.backoffice.dashboard import queue_counts
from arbitration.backoffice.evidence import EvidenceView, evidence_view
from arbitration.backoffice.filters import (
    DISPUTE_SEARCH,
    AmountRangeFilter,
    AssignedFilter,
    FlaggedFilter,
    OverdueFilter,
    QueueStateFilter,
)
from arbitration.backoffice.forms import (
    ArbiterMessageForm,
    CaseNoteForm,
    DecisionForm,
    InformationRequestForm,
)
from arbitration.models import (
    CaseNote,
    ClaimVersion,
    Decision,
    Dispute,
    Evidence,
    InformationRequest,
    Message,
    Offer,
    ReplyTemplate,
)
from arbitration.presentation import available_actions
from arbitration.selectors import (
    buyer_record_annotations,
    buyer_record_of,
    seller_record_annotations,
    seller_record_of,
)
from marketplace.backoffice.base import CsvExportMixin
from marketplace.errors import DomainError
from marketplace.models import User
from marketplace.presentation import badge, format_money, staff_actor, timeline
from marketplace.selectors import order_history, order_money_trail


def _person(user: User | None) -> str:
    return "" if user is None else (user.get_full_name() or user.username)


@admin.register(Dispute)
class DisputeAdmin(CsvExportMixin, CaseAdmin):
    """R-ARB-1: escalated disputes, oldest first, with what lets an arbiter choose without opening."""

    texts = CaseTexts(
        name=_("Dispute"),
        queue=_("Arbitration queue"),
        back=_("Back to the case"),
        took=ngettext_lazy("You took %(n)d case.", "You took %(n)d cases.", "n"),
        released_many=ngettext_lazy(
            "%(n)d case released to the queue.", "%(n)d cases released to the queue.", "n"
        ),
        taken=_("The case is yours. Decide it by the due date or release it for another arbiter."),
        released=_("Case released: it is back in the queue."),
        reassigned=_("Case reassigned to %(name)s."),
        reassign_title=_("Reassign dispute #%(id)s"),
        decide_title=_("Decide dispute #%(id)s"),
        decided=_("Decision recorded: %(outcome)s. Both parties are notified."),
        take_first=_("Take the case first: it is waiting in the queue."),
    )
    queue_states = QUEUE_STATES
    waiting_state = Dispute.State.ESCALATED
    action_order = ("escalated_at", "pk")
    order_field = "order"
    case_related = ("order", "order__escrow", "buyer", "seller", "assigned_arbiter")
    button_order = ("take", "decide", "request_information", "release", "reassign")
    decision_form = DecisionForm
    decide_parts = "admin/arbitration/dispute/decide"

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
    search_help_text = _(
        "Any part of an order number, item, tracking number, buyer's or seller's name or e-mail; "
        "or #dispute id."
    )
    actions = ("take_cases", "release_cases")
    sortable_by = ("waiting", "amount", "due", "case")

    # "Download CSV": the queue as filtered, one row per dispute.
    csv_name = "arbitration-queue"
    csv_related = ("order", "buyer", "seller", "assigned_arbiter")
    csv_columns = (
        (_("dispute"), lambda d: d.pk),
        (_("order number"), lambda d: d.order.number),
        (_("item"), lambda d: d.order.item_title),
        (_("amount"), lambda d: d.order.amount),
        (_("currency"), lambda d: d.order.currency),
        (_("reason"), lambda d: d.get_reason_display()),
        (_("state"), lambda d: d.get_state_display()),
        (_("buyer"), lambda d: _person(d.buyer)),
        (_("seller"), lambda d: _person(d.seller)),
        (_("opened"), lambda d: d.opened_at),
        (_("escalated"), lambda d: d.escalated_at),
        (_("decision due"), lambda d: d.deadline_at if d.state in QUEUE_STATES else None),
        (_("arbiter"), lambda d: _person(d.assigned_arbiter)),
        (_("flagged messages"), lambda d: d.solicitation_flags),
    )

    take_cases = lifecycle_action("take", _("Take the selected cases"))
    release_cases = lifecycle_action("release", _("Release the selected cases"))

    def get_ordering(self, request):
        """The queue: cases waiting for an arbiter first, then those in review, each oldest
        escalation first ("escalated" sorts before "under_review"); this is the order of the
        (state, escalated_at) index, so the page is read from it without sorting 30,000 rows.
        Any other view: the newest dispute first."""
        state = request.GET.get(QueueStateFilter.parameter_name)
        widened = state is None and QueueStateFilter.widened(request)
        if (
            state in (None, QueueStateFilter.QUEUE, *QUEUE_STATES)
            and not widened
            and not request.GET.get(SEARCH_VAR)
        ):
            return ["state", F("escalated_at").asc(nulls_last=True), "pk"]
        return ["-pk"]

    def get_search_results(self, request, queryset, search_term):
        """Part of an order number, item title, tracking number, buyer's or seller's name,
        username or e-mail; or #dispute id (``DISPUTE_SEARCH``)."""
        return DISPUTE_SEARCH.filter(queryset, search_term), False

    def changelist_view(self, request, extra_context=None):
        extra = {"queue_counts": queue_counts(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra)

    # Columns: everything comes from the row and its select_related joins (no per-row query).

    @admin.display(description=_("case"), ordering="pk")
    def case(self, obj: Dispute):
        return format_html(
            '#{} · <span class="ax-mono">{}</span><br><span class="ax-quiet">{}</span>',
            obj.pk,
            obj.order.number,
            obj.order.item_title,
        )

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

    # The case page (R-ARB-3).

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        dispute = get_object_or_404(
            Dispute.objects.select_related(
                "order",
                "order__escrow",
                "order__shipment",
                "buyer",
                "seller",
                "assigned_arbiter",
                "refund",
                "return_shipment",
                "order__buyer",
            )
            .prefetch_related(*CASE_PREFETCH)
            .annotate(
                **seller_record_annotations(OuterRef("seller_id")),
                **buyer_record_annotations(OuterRef("buyer_id")),
            ),
            pk=url_pk(object_id),
        )
        context = case_context(dispute, request.user)
        return render_page(
            self,
            request,
            "admin/arbitration/dispute/case.html",
            _("Dispute #%(id)s · order %(number)s") % {"id": dispute.pk, "number": dispute.order.number},
            case=dispute,
            buttons=self.buttons(context["availability"].actions),
            **context,
        )

    # Deciding (the flow is ``CaseAdmin.decide_view``).

    def decide_case(self, *, case: Dispute, actor: User, **decision) -> None:
        services.dispute_decide(dispute=case, actor=actor, **decision)

    def decision_context(self, case: Dispute, form: DecisionForm, step: str) -> dict:
        confirming = step == "confirm"
        return {
            "held": case.order.escrow.balance,
            "effect": form.effect if confirming else None,
            "outcome_label": form.outcome_label() if confirming else "",
            "return_deadline": timezone.now() + timedelta(days=form.cleaned_data.get("return_days") or 0)
            if confirming
            else None,
        }

    # A dispute's own pages: ask a party (R-ARB-6), write in the thread (R-DSP-7).

    def more_views(self) -> dict:
        return {
            "request_information": self.request_information_view,
            "message": self.message_view,
            "note": self.note_view,
        }

    def request_information_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """R-ARB-6: ask a party, with a deadline; the case shows when it was answered."""
        require(request, ARBITRATE)
        dispute = get_object_or_404(Dispute.objects.select_related("order"), pk=object_id)
        refused = self.refuse_unless(request, dispute, "request_information")
        if refused:
            return refused
        form = InformationRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.dispute_request_information(
                    dispute=dispute,
                    actor=request.user,
                    party=form.cleaned_data["party"],
                    question=form.cleaned_data["question"],
                    due_in_days=form.cleaned_data["due_in_days"],
                )
            except DomainError as error:
                form.add_error(None, error.message_text)  # the page keeps what the arbiter wrote
            else:
                messages.success(
                    request,
                    _("Request sent to the %(party)s.")
                    % {"party": InformationRequest.Party(form.cleaned_data["party"]).label.lower()},
                )
                return HttpResponseRedirect(self.case_url(dispute))
        return self.form_page(
            request,
            dispute,
            form,
            title=_("Request information · dispute #%(id)s") % {"id": dispute.pk},
            submit=_("Send the request"),
        )

    @post_only
    def message_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        require(request, ARBITRATE)
        dispute = get_object_or_404(Dispute, pk=object_id)
        thread = self.case_url(dispute) + "#thread"
        form = ArbiterMessageForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, form.problems())
            return HttpResponseRedirect(thread)
        return self.run(
            request,
            dispute,
            lambda: services.dispute_post_message(
                dispute=dispute,
                actor=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            ),
            _("Message posted; both parties are notified."),
            to=thread,
        )

    @post_only
    def note_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """An internal note (staff only); a refused note keeps its text in the message."""
        require(request, ARBITRATE)
        dispute = get_object_or_404(Dispute, pk=object_id)
        form = CaseNoteForm(request.POST)
        notes = self.case_url(dispute) + "#notes"
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return HttpResponseRedirect(notes)
        return self.run(
            request,
            dispute,
            lambda: services.case_note_add(
                dispute=dispute, actor=request.user, body=form.cleaned_data["body"]
            ),
            _("Note added. Only staff see it."),
            to=notes,
        )


# The case page's lists read through the dispute, each once: the availability of actions (the FSM
# conditions) and the page's sections share them. The timeline's own lists (transitions, tracking,
# extension requests) are read together by ``order_history``.
CASE_PREFETCH = (
    Prefetch("claim_versions", queryset=ClaimVersion.objects.select_related("created_by")),
    Prefetch("offers", queryset=Offer.objects.select_related("created_by")),
)


def case_context(dispute: Dispute, user: User) -> dict:
    """Everything about the case, each list in one query (so 5 or 500 messages cost the same)."""
    order = dispute.order
    shipment = related(order, "shipment")
    evidence = [
        evidence_view(e) for e in Evidence.objects.filter(dispute=dispute).select_related("uploaded_by")
    ]
    by_message: dict[int, list[EvidenceView]] = {}
    for item in evidence:
        if item.evidence.message_id:
            by_message.setdefault(item.evidence.message_id, []).append(item)
    thread = list(Message.objects.filter(dispute=dispute).select_related("author"))
    for message in thread:
        message.attachments = by_message.get(message.pk, [])
    # Complaints are filed only after closure (R-CMP-1): an open case has none to look up.
    complaints = (
        list(dispute.complaints.select_related("refund", "new_refund", "assigned_arbiter"))
        if dispute.is_closed
        else []
    )
    refunds = {r.pk: r for r in [dispute.refund, *(c.new_refund for c in complaints)] if r is not None}
    requests = list(
        InformationRequest.objects.filter(dispute=dispute).select_related("requested_by", "answer")
    )
    availability = available_actions(dispute, user, information_requests=requests)
    # The transitions of everything the timeline shows, the tracking and the extension requests:
    # one query of the three tables (their rows typed, each list whole).
    history_of = (dispute, order, *refunds.values(), *complaints)
    history = order_history(order, history_of)
    # The buyer's record was read with the dispute (``change_view``).
    buyer_history = buyer_record_of(dispute, buyer_id=dispute.buyer_id)
    return {
        "dispute": dispute,
        "order": order,
        "escrow": related(order, "escrow"),
        "shipment": shipment,
        "tracking": history.tracking,
        "return_shipment": related(dispute, "return_shipment"),
        "trail": order_money_trail(order, include_penalties=True, escrow=related(order, "escrow")),
        "refunds": list(refunds.values()),
        "claims": list(dispute.claim_versions.all()),
        "offers": list(dispute.offers.all()),
        "thread": thread,
        "flagged_count": sum(1 for m in thread if m.is_flagged),
        "evidence": evidence,
        "requests": requests,
        "decisions": list(Decision.objects.filter(dispute=dispute).select_related("decided_by")),
        "complaints": complaints,
        "timeline": timeline(*history_of, actor=staff_actor(user), order=order, history=history),
        "seller_record": seller_record_of(dispute),  # read with the dispute (``change_view``)
        "buyer_record": buyer_history,
        "buyer_other_disputes": [d for d in buyer_history.recent if d.pk != dispute.pk],
        "availability": availability,
        "message_form": ArbiterMessageForm() if "message" in availability.actions else None,
        "reply_templates": list(ReplyTemplate.objects.filter(is_active=True))
        if "message" in availability.actions
        else [],
        "notes": list(CaseNote.objects.filter(dispute=dispute).select_related("author")),
        "note_form": CaseNoteForm() if user.has_perm(ARBITRATE) else None,
        "is_overdue": dispute.decision_overdue(),
        "waiting_since": dispute.escalated_at if dispute.state in QUEUE_STATES else None,
        "is_mine": dispute.is_held_by(user),
        "can_view_refunds": user.has_perm("marketplace.view_refund"),
    }
