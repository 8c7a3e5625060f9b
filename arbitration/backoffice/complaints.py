"""Complaints after closure in the admin (R-CMP-1, R-REF-4): their queue, oldest first, and the
complaint page with the refund, the evidence and the dispute's decision. Taken, released,
reassigned and decided like a dispute, through ``cases.CaseAdmin``."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef
from django.shortcuts import get_object_or_404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from arbitration import services
from arbitration.backoffice.base import COMPLAINT_QUEUE_STATES, age, related, render_page, url_pk
from arbitration.backoffice.cases import CaseAdmin, CaseTexts, lifecycle_action
from arbitration.backoffice.evidence import evidence_view
from arbitration.backoffice.filters import (
    COMPLAINT_SEARCH,
    AssignedFilter,
    ComplaintOverdueFilter,
    ComplaintStateFilter,
)
from arbitration.backoffice.forms import ComplaintDecisionForm
from arbitration.models import CaseNote, Complaint, Decision, Evidence
from arbitration.presentation import case_actions
from arbitration.selectors import (
    buyer_record_annotations,
    buyer_record_of,
    seller_record_annotations,
    seller_record_of,
)
from marketplace.models import User
from marketplace.presentation import format_money, staff_actor, state_badge, timeline
from marketplace.selectors import order_history, order_money_trail


@admin.register(Complaint)
class ComplaintAdmin(CaseAdmin):
    """The complaints queue: oldest first (the (state, opened_at) index)."""

    texts = CaseTexts(
        name=_("Complaint"),
        queue=_("Complaints"),
        back=_("Back to the complaint"),
        took=ngettext_lazy("You took %(n)d complaint.", "You took %(n)d complaints.", "n"),
        released_many=ngettext_lazy("%(n)d complaint released.", "%(n)d complaints released.", "n"),
        taken=_("The complaint is yours."),
        released=_("Complaint released: it is back in the queue."),
        reassigned=_("Complaint reassigned to %(name)s."),
        reassign_title=_("Reassign complaint #%(id)s"),
        decide_title=_("Decide complaint #%(id)s"),
        decided=_("Complaint decided: %(outcome)s."),
        take_first=_("You can't decide this complaint yet: take it first, it is waiting in the queue."),
    )
    queue_states = COMPLAINT_QUEUE_STATES
    waiting_state = Complaint.State.OPEN
    action_order = ("opened_at", "pk")
    order_field = "dispute__order"
    case_related = (
        "dispute__order__escrow",
        "dispute__buyer",
        "dispute__seller",
        "refund",
        "new_refund",
        "assigned_arbiter",
        "filed_by",
        "decided_by",
    )
    button_order = ("take", "decide", "release", "reassign")
    decision_form = ComplaintDecisionForm
    decide_parts = "admin/arbitration/complaint/decide"

    list_display = ("case", "kind", "refund_display", "waiting", "due", "assigned_arbiter", "state_display")
    list_select_related = ("dispute__order", "refund", "assigned_arbiter")
    list_filter = (ComplaintStateFilter, ComplaintOverdueFilter, AssignedFilter, "kind")
    search_fields = ("dispute__order__number",)
    search_help_text = _(
        "Any part of an order number, item, tracking number, buyer's or seller's name or e-mail; "
        "or #complaint id."
    )
    actions = ("take_complaints", "release_complaints")
    sortable_by = ("waiting", "case")

    take_complaints = lifecycle_action("take", _("Take the selected complaints"))
    release_complaints = lifecycle_action("release", _("Release the selected complaints"))

    def get_ordering(self, request):
        # Waiting complaints first, then those in review, oldest first: the (state, opened_at) index.
        return ["state", "opened_at", "pk"]

    def get_search_results(self, request, queryset, search_term):
        return COMPLAINT_SEARCH.filter(queryset, search_term), False

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

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Complaint):
        return state_badge(obj)

    # The complaint page.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        complaint = get_object_or_404(
            # The timeline's order entries read the shipment and the buyer: joined, not read apart.
            Complaint.objects.select_related(
                *self.case_related, "dispute__order__shipment", "dispute__order__buyer"
            ).annotate(
                **seller_record_annotations(OuterRef("dispute__seller_id")),
                **buyer_record_annotations(OuterRef("dispute__buyer_id")),
            ),
            pk=url_pk(object_id),
        )
        dispute = complaint.dispute
        refunds = [r for r in (complaint.refund, complaint.new_refund) if r is not None]
        buyer_history = buyer_record_of(complaint, buyer_id=dispute.buyer_id)  # read with the complaint
        # The timeline's transitions, tracking and extension requests in one query.
        history_of = (dispute, complaint, *refunds)
        history = order_history(dispute.order, history_of)
        return render_page(
            self,
            request,
            "admin/arbitration/complaint/case.html",
            _("Complaint #%(id)s · order %(number)s") % {"id": complaint.pk, "number": dispute.order.number},
            case=complaint,
            complaint=complaint,
            dispute=dispute,
            order=dispute.order,
            refunds=refunds,
            trail=order_money_trail(
                dispute.order, include_penalties=True, escrow=related(dispute.order, "escrow")
            ),
            evidence=[
                evidence_view(e)
                for e in Evidence.objects.filter(complaint=complaint).select_related("uploaded_by")
            ],
            decisions=list(Decision.objects.filter(dispute=dispute).select_related("decided_by")),
            notes=list(CaseNote.objects.filter(dispute=dispute).select_related("author")),
            timeline=timeline(
                *history_of, actor=staff_actor(request.user), order=dispute.order, history=history
            ),
            seller_record=seller_record_of(complaint),
            buyer_record=buyer_history,
            buyer_other_disputes=[d for d in buyer_history.recent if d.pk != dispute.pk],
            buttons=self.buttons(case_actions(complaint, request.user)),
            is_overdue=complaint.is_overdue,
            can_view_refunds=request.user.has_perm("marketplace.view_refund"),
        )

    # Deciding (the flow is ``CaseAdmin.decide_view``).

    def decide_case(self, *, case: Complaint, actor: User, **decision) -> None:
        services.complaint_decide(complaint=case, actor=actor, **decision)

    def decision_context(self, case: Complaint, form: ComplaintDecisionForm, step: str) -> dict:
        return {"effect_lines": form.effect_lines() if step == "confirm" else []}
