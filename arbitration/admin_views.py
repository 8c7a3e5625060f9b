"""The arbiter back office's pages, wired into the admin by ``arbitration.admin``.

- The case page (R-ARB-3): the whole dispute on one page, in a constant number of queries
  whatever the length of the thread, the evidence or the ledger.
- Forms that call the services: take/release (R-ARB-1), decide with a confirmation step that
  shows the money effect (R-ARB-2), request information (R-ARB-6), reassign (supervisors),
  write in the thread; complaints (R-CMP-1) and safety reports (R-SAF-1) the same way.
- The dashboard on the admin index: counts and server-rendered SVG charts.

Every state change goes through ``arbitration.services``; a ``DomainError`` becomes a message
and nothing changes. Buttons are rendered from ``available_actions`` (or the complaint's FSM
transitions), the same check the services make.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arbitration import services
from arbitration.admin_forms import (
    ArbiterMessageForm,
    ComplaintDecisionForm,
    DecisionForm,
    InformationRequestForm,
    ReassignForm,
    SafetyReportCloseForm,
    effect_key,
)
from arbitration.models import (
    ClaimVersion,
    Complaint,
    Decision,
    Dispute,
    Evidence,
    InformationRequest,
    Message,
    Offer,
    SafetyReport,
)
from arbitration.presentation import action_label, available_actions, case_actions
from arbitration.selectors import buyer_record, seller_record
from marketplace.errors import DomainError
from marketplace.fsm import transition_label
from marketplace.models import Refund, TrackingEvent, User
from marketplace.presentation import person_name, staff_actor, timeline
from marketplace.selectors import order_money_trail

ARBITRATE = "arbitration.arbitrate"
SUPERVISE = "arbitration.supervise"
QUEUE_STATES = (Dispute.State.ESCALATED, Dispute.State.UNDER_REVIEW)

# The arbiter's buttons, in the order they appear. Other parties' actions never show here.
ARBITER_ACTIONS = ("take", "decide", "request_information", "release", "reassign")


def post_only(view):
    """Views that change something answer POST only (a link can't take a case)."""

    @functools.wraps(view)
    def wrapper(model_admin, request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(model_admin, request, *args, **kwargs)

    return wrapper


def require(request: HttpRequest, permission: str) -> None:
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm(permission)):
        raise PermissionDenied


def url_pk(object_id: str) -> int:
    """The primary key in an admin change-page URL (Django routes any text there): a page that
    doesn't exist for anything but a number, as Django's own change pages answer."""
    if not str(object_id).isdigit():
        raise Http404
    return int(object_id)


def case_url(dispute: Dispute | int) -> str:
    return reverse("admin:arbitration_dispute_change", args=[getattr(dispute, "pk", dispute)])


def _related(obj, name: str):
    """A reverse one-to-one that may be missing (no shipment yet, no return)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def who(user: User | None, viewer: User | None = None) -> str:
    return person_name(user, viewer)


# --- Evidence links (served by the evidence views: permission-checked, never public) --------


@dataclass(frozen=True)
class EvidenceView:
    evidence: Evidence
    thumbnail_url: str | None
    file_url: str | None
    original_url: str | None

    @property
    def is_image(self) -> bool:
        return self.evidence.kind == Evidence.Kind.IMAGE

    @property
    def is_video(self) -> bool:
        return self.evidence.kind == Evidence.Kind.VIDEO

    @property
    def is_pdf(self) -> bool:
        return self.evidence.kind == Evidence.Kind.PDF


def _reverse(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def evidence_view(evidence: Evidence) -> EvidenceView:
    file_url = _reverse("evidence-file", evidence.pk)
    thumbnail_url = None
    if evidence.kind == Evidence.Kind.IMAGE:
        # Until the background job made the thumbnail, the image itself (scaled by CSS) stands in.
        thumbnail_url = (
            _reverse("evidence-thumbnail", evidence.pk) if evidence.thumbnail else None
        ) or file_url
    return EvidenceView(evidence, thumbnail_url, file_url, _reverse("evidence-original", evidence.pk))


# --- The case page (R-ARB-3) ----------------------------------------------------------------


def dispute_for_case(dispute_id) -> Dispute:
    return get_object_or_404(
        Dispute.objects.select_related(
            "order",
            "order__escrow",
            "order__shipment",
            "buyer",
            "seller",
            "assigned_arbiter",
            "refund",
            "return_shipment",
        ),
        pk=dispute_id,
    )


def case_context(dispute: Dispute, user: User) -> dict:
    """Everything about the case, each list in one query (so 5 or 500 messages cost the same)."""
    order = dispute.order
    shipment = _related(order, "shipment")
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
    now = timezone.now()
    buyer_history = buyer_record(dispute.buyer_id)
    return {
        "dispute": dispute,
        "order": order,
        "escrow": _related(order, "escrow"),
        "shipment": shipment,
        "tracking": (
            list(TrackingEvent.objects.filter(shipment=shipment).select_related("recorded_by"))
            if shipment
            else []
        ),
        "return_shipment": _related(dispute, "return_shipment"),
        "trail": order_money_trail(order, include_penalties=True),
        "refunds": list(refunds.values()),
        "claims": list(ClaimVersion.objects.filter(dispute=dispute).select_related("created_by")),
        "offers": list(Offer.objects.filter(dispute=dispute).select_related("created_by")),
        "thread": thread,
        "flagged_count": sum(1 for m in thread if m.is_flagged),
        "evidence": evidence,
        "requests": requests,
        "decisions": list(Decision.objects.filter(dispute=dispute).select_related("decided_by")),
        "complaints": complaints,
        "timeline": timeline(
            dispute, order, *refunds.values(), *complaints, actor=staff_actor(user), order=order
        ),
        "seller_record": seller_record(dispute.seller_id),
        "buyer_record": buyer_history,
        "buyer_other_disputes": [d for d in buyer_history.recent if d.pk != dispute.pk],
        "availability": availability,
        "buttons": [(name, action_label(name)) for name in ARBITER_ACTIONS if name in availability.actions],
        "can_message": "message" in availability.actions,
        "message_form": ArbiterMessageForm() if "message" in availability.actions else None,
        "is_overdue": dispute.state in QUEUE_STATES
        and dispute.deadline_at is not None
        and dispute.deadline_at <= now,
        "waiting_since": dispute.escalated_at if dispute.state in QUEUE_STATES else None,
        "is_mine": dispute.assigned_arbiter_id == user.pk,
        "can_view_refunds": user.has_perm("marketplace.view_refund"),
    }


def _page(
    model_admin: ModelAdmin, request: HttpRequest, template: str, title: str, **context
) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            **context,
        },
    )


def dispute_case(model_admin: ModelAdmin, request: HttpRequest, object_id) -> HttpResponse:
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    dispute = dispute_for_case(object_id)
    return _page(
        model_admin,
        request,
        "admin/arbitration/dispute/case.html",
        _("Dispute #%(id)s · order %(number)s") % {"id": dispute.pk, "number": dispute.order.number},
        **case_context(dispute, request.user),
    )


def _after(
    request: HttpRequest, dispute: Dispute, call, success: str, *, to: str | None = None
) -> HttpResponse:
    """Run one service call; a refusal becomes an error message and nothing changes."""
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message_text)
        return HttpResponseRedirect(case_url(dispute))
    messages.success(request, success)
    return HttpResponseRedirect(to or case_url(dispute))


@post_only
def dispute_take(model_admin, request, object_id):
    require(request, ARBITRATE)
    dispute = get_object_or_404(Dispute, pk=object_id)
    return _after(
        request,
        dispute,
        lambda: services.case_take(case=dispute, actor=request.user),
        _("The case is yours. Decide it by the due date or release it for another arbiter."),
    )


@post_only
def dispute_release(model_admin, request, object_id):
    require(request, ARBITRATE)
    dispute = get_object_or_404(Dispute, pk=object_id)
    return _after(
        request,
        dispute,
        lambda: services.case_release(case=dispute, actor=request.user),
        _("Case released: it is back in the queue."),
        to=reverse("admin:arbitration_dispute_changelist"),
    )


@post_only
def dispute_message(model_admin, request, object_id):
    require(request, ARBITRATE)
    dispute = get_object_or_404(Dispute, pk=object_id)
    form = ArbiterMessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Write a message or attach a file."))
        return HttpResponseRedirect(case_url(dispute) + "#thread")
    return _after(
        request,
        dispute,
        lambda: services.dispute_post_message(
            dispute=dispute,
            actor=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
        ),
        _("Message posted; both parties are notified."),
        to=case_url(dispute) + "#thread",
    )


def _refuse_unless(request, dispute: Dispute, action: str) -> HttpResponse | None:
    if action in available_actions(dispute, request.user).actions:
        return None
    if dispute.state == Dispute.State.ESCALATED and action in ("decide", "request_information"):
        message = _("Take the case first: it is waiting in the queue.")
    elif dispute.state == Dispute.State.UNDER_REVIEW and dispute.assigned_arbiter_id != request.user.pk:
        message = _(
            "%(arbiter)s holds this case; only they can do that, or a supervisor can reassign it."
        ) % {"arbiter": who(dispute.assigned_arbiter)}
    else:
        message = _("You can't do that now: the case is “%(state)s”.") % {
            "state": dispute.get_state_display()
        }
    messages.error(request, message)
    return HttpResponseRedirect(case_url(dispute))


def dispute_decide(model_admin, request, object_id):
    """R-ARB-2: form → confirmation showing the money effect → ``dispute_decide``."""
    require(request, ARBITRATE)
    dispute = get_object_or_404(
        Dispute.objects.select_related("order", "order__escrow", "seller", "buyer"), pk=object_id
    )
    refused = _refuse_unless(request, dispute, "decide")
    if refused:
        return refused
    step, warning = "form", ""
    if request.method == "POST" and "edit" in request.POST:
        form = DecisionForm(initial=request.POST.dict(), dispute=dispute)
    elif request.method == "POST":
        form = DecisionForm(request.POST, dispute=dispute)
        if form.is_valid():
            step = "confirm"
            if request.POST.get("confirmed_effect") == effect_key(form.effect):
                try:
                    services.dispute_decide(dispute=dispute, actor=request.user, **form.service_kwargs())
                except DomainError as error:
                    form.add_error(None, error.message_text)
                    step = "form"
                else:
                    messages.success(
                        request,
                        _("Decision recorded: %(outcome)s. Both parties are notified.")
                        % {"outcome": Decision.Outcome(form.cleaned_data["outcome"]).label},
                    )
                    return HttpResponseRedirect(case_url(dispute))
            elif "confirmed_effect" in request.POST:
                warning = _(
                    "The amounts changed since you reviewed them. Check the effect again before deciding."
                )
    else:
        form = DecisionForm(dispute=dispute)
    escrow = dispute.order.escrow
    return _page(
        model_admin,
        request,
        "admin/arbitration/dispute/decide.html",
        _("Decide dispute #%(id)s") % {"id": dispute.pk},
        dispute=dispute,
        form=form,
        step=step,
        warning=warning,
        held=escrow.balance,
        effect=form.effect if step == "confirm" else None,
        outcome_label=Decision.Outcome(form.cleaned_data["outcome"]).label if step == "confirm" else "",
        effect_key=effect_key(form.effect) if step == "confirm" else "",
        return_deadline=timezone.now() + timedelta(days=form.cleaned_data.get("return_days") or 0)
        if step == "confirm"
        else None,
    )


def dispute_request_information(model_admin, request, object_id):
    """R-ARB-6: ask a party, with a deadline; the case shows when it was answered."""
    require(request, ARBITRATE)
    dispute = get_object_or_404(Dispute.objects.select_related("order"), pk=object_id)
    refused = _refuse_unless(request, dispute, "request_information")
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
            form.add_error(None, error.message_text)
        else:
            messages.success(
                request,
                _("Request sent to the %(party)s.")
                % {"party": InformationRequest.Party(form.cleaned_data["party"]).label.lower()},
            )
            return HttpResponseRedirect(case_url(dispute))
    return _page(
        model_admin,
        request,
        "admin/arbitration/dispute/form.html",
        _("Request information · dispute #%(id)s") % {"id": dispute.pk},
        dispute=dispute,
        form=form,
        submit=_("Send the request"),
        back_url=case_url(dispute),
    )


def dispute_reassign(model_admin, request, object_id):
    """Supervisors give a case to another arbiter."""
    require(request, SUPERVISE)
    dispute = get_object_or_404(Dispute.objects.select_related("order", "assigned_arbiter"), pk=object_id)
    refused = _refuse_unless(request, dispute, "reassign")
    if refused:
        return refused
    form = ReassignForm(request.POST or None, current=dispute.assigned_arbiter)
    if request.method == "POST" and form.is_valid():
        arbiter = form.cleaned_data["arbiter"]
        try:
            services.case_reassign(case=dispute, actor=request.user, arbiter=arbiter)
        except DomainError as error:
            form.add_error(None, error.message_text)
        else:
            messages.success(request, _("Case reassigned to %(name)s.") % {"name": who(arbiter)})
            return HttpResponseRedirect(case_url(dispute))
    return _page(
        model_admin,
        request,
        "admin/arbitration/dispute/form.html",
        _("Reassign dispute #%(id)s") % {"id": dispute.pk},
        dispute=dispute,
        form=form,
        submit=_("Reassign"),
        back_url=case_url(dispute),
        intro=_("Now with: %(name)s.") % {"name": who(dispute.assigned_arbiter)},
    )


# --- Complaints after closure (R-CMP-1) ----------------------------------------------------

COMPLAINT_ACTIONS = ("take", "decide", "release", "reassign")


def complaint_url(complaint: Complaint | int) -> str:
    return reverse("admin:arbitration_complaint_change", args=[getattr(complaint, "pk", complaint)])


def complaint_actions(complaint: Complaint, user: User) -> list[str]:
    """The complaint's transitions allowed for this user now, in the page's order."""
    allowed = case_actions(complaint, user)
    return [name for name in COMPLAINT_ACTIONS if name in allowed]


def complaint_for_page(object_id) -> Complaint:
    return get_object_or_404(
        Complaint.objects.select_related(
            "dispute",
            "dispute__order",
            "dispute__order__escrow",
            "dispute__buyer",
            "dispute__seller",
            "refund",
            "new_refund",
            "assigned_arbiter",
            "filed_by",
            "decided_by",
        ),
        pk=object_id,
    )


def complaint_page(model_admin, request, object_id):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    complaint = complaint_for_page(object_id)
    dispute = complaint.dispute
    actions = complaint_actions(complaint, request.user)
    refunds = [r for r in (complaint.refund, complaint.new_refund) if r is not None]
    buyer_history = buyer_record(dispute.buyer_id)
    return _page(
        model_admin,
        request,
        "admin/arbitration/complaint/case.html",
        _("Complaint #%(id)s · order %(number)s") % {"id": complaint.pk, "number": dispute.order.number},
        complaint=complaint,
        dispute=dispute,
        order=dispute.order,
        refunds=refunds,
        trail=order_money_trail(dispute.order, include_penalties=True),
        evidence=[
            evidence_view(e)
            for e in Evidence.objects.filter(complaint=complaint).select_related("uploaded_by")
        ],
        decisions=list(Decision.objects.filter(dispute=dispute).select_related("decided_by")),
        timeline=timeline(complaint, *refunds, actor=staff_actor(request.user)),
        seller_record=seller_record(dispute.seller_id),
        buyer_record=buyer_history,
        buyer_other_disputes=[d for d in buyer_history.recent if d.pk != dispute.pk],
        buttons=[(name, transition_label(Complaint, name, key="action")) for name in actions],
        is_overdue=complaint.is_overdue,
        can_view_refunds=request.user.has_perm("marketplace.view_refund"),
    )


def _complaint_after(request, complaint: Complaint, call, success: str, *, to: str | None = None):
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message_text)
        return HttpResponseRedirect(complaint_url(complaint))
    messages.success(request, success)
    return HttpResponseRedirect(to or complaint_url(complaint))


@post_only
def complaint_take(model_admin, request, object_id):
    require(request, ARBITRATE)
    complaint = get_object_or_404(Complaint, pk=object_id)
    return _complaint_after(
        request,
        complaint,
        lambda: services.case_take(case=complaint, actor=request.user),
        _("The complaint is yours."),
    )


@post_only
def complaint_release(model_admin, request, object_id):
    require(request, ARBITRATE)
    complaint = get_object_or_404(Complaint, pk=object_id)
    return _complaint_after(
        request,
        complaint,
        lambda: services.case_release(case=complaint, actor=request.user),
        _("Complaint released: it is back in the queue."),
        to=reverse("admin:arbitration_complaint_changelist"),
    )


def complaint_reassign(model_admin, request, object_id):
    require(request, SUPERVISE)
    complaint = get_object_or_404(
        Complaint.objects.select_related("assigned_arbiter", "dispute__order"), pk=object_id
    )
    form = ReassignForm(request.POST or None, current=complaint.assigned_arbiter)
    if request.method == "POST" and form.is_valid():
        arbiter = form.cleaned_data["arbiter"]
        try:
            services.case_reassign(case=complaint, actor=request.user, arbiter=arbiter)
        except DomainError as error:
            form.add_error(None, error.message_text)
        else:
            messages.success(request, _("Complaint reassigned to %(name)s.") % {"name": who(arbiter)})
            return HttpResponseRedirect(complaint_url(complaint))
    return _page(
        model_admin,
        request,
        "admin/arbitration/dispute/form.html",
        _("Reassign complaint #%(id)s") % {"id": complaint.pk},
        dispute=complaint.dispute,
        form=form,
        submit=_("Reassign"),
        back_url=complaint_url(complaint),
    )


def complaint_decide(model_admin, request, object_id):
    """R-CMP-1 with a confirmation step, like a dispute decision."""
    require(request, ARBITRATE)
    complaint = complaint_for_page(object_id)
    if "decide" not in complaint_actions(complaint, request.user):
        messages.error(
            request,
            _(
                "You can't decide this complaint now: take it first, or it is another "
                "arbiter's, or it is decided."
            ),
        )
        return HttpResponseRedirect(complaint_url(complaint))
    step = "form"
    if request.method == "POST" and "edit" in request.POST:
        form = ComplaintDecisionForm(initial=request.POST.dict(), complaint=complaint)
    elif request.method == "POST":
        form = ComplaintDecisionForm(request.POST, complaint=complaint)
        if form.is_valid():
            step = "confirm"
            if "confirmed" in request.POST:
                try:
                    services.complaint_decide(
                        complaint=complaint, actor=request.user, **form.service_kwargs()
                    )
                except DomainError as error:
                    form.add_error(None, error.message_text)
                    step = "form"
                else:
                    messages.success(
                        request,
                        _("Complaint decided: %(outcome)s.")
                        % {"outcome": Complaint.Outcome(form.cleaned_data["outcome"]).label},
                    )
                    return HttpResponseRedirect(complaint_url(complaint))
    else:
        form = ComplaintDecisionForm(complaint=complaint)
    return _page(
        model_admin,
        request,
        "admin/arbitration/complaint/decide.html",
        _("Decide complaint #%(id)s") % {"id": complaint.pk},
        complaint=complaint,
        form=form,
        step=step,
        effect_lines=form.effect_lines() if step == "confirm" else [],
    )


# --- Safety reports (R-SAF-1) --------------------------------------------------------------


def safety_report_page(model_admin, request, object_id, form: SafetyReportCloseForm | None = None):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    report = get_object_or_404(
        SafetyReport.objects.select_related(
            "order", "order__seller", "order__buyer", "reporter", "closed_by"
        ),
        pk=object_id,
    )
    can_close = report.state == SafetyReport.State.OPEN and request.user.has_perm(ARBITRATE)
    same_seller = (
        SafetyReport.objects.filter(order__seller_id=report.order.seller_id)
        .exclude(pk=report.pk)
        .select_related("order")
        .order_by("-created_at")[:10]
    )
    return _page(
        model_admin,
        request,
        "admin/arbitration/safetyreport/case.html",
        _("Safety report #%(id)s") % {"id": report.pk},
        report=report,
        order=report.order,
        evidence=[
            evidence_view(e)
            for e in Evidence.objects.filter(safety_report=report).select_related("uploaded_by")
        ],
        timeline=timeline(report, actor=staff_actor(request.user)),
        seller_record=seller_record(report.order.seller_id),
        same_seller=list(same_seller),
        form=form or (SafetyReportCloseForm() if can_close else None),
        can_close=can_close,
    )


def safety_report_close(model_admin, request, object_id):
    """Closed only with an outcome and a reason; the form re-renders with the arbiter's text otherwise."""
    require(request, ARBITRATE)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:arbitration_safetyreport_change", args=[object_id]))
    report = get_object_or_404(SafetyReport, pk=object_id)
    form = SafetyReportCloseForm(request.POST)
    if form.is_valid():
        try:
            services.safety_report_close(
                report=report,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message_text)
        else:
            messages.success(
                request,
                _("Report closed: %(outcome)s. The buyer sees the outcome.")
                % {"outcome": SafetyReport.Outcome(form.cleaned_data["outcome"]).label},
            )
            return HttpResponseRedirect(reverse("admin:arbitration_safetyreport_changelist"))
    response = safety_report_page(model_admin, request, object_id, form=form)
    response.status_code = 200
    return response


# --- The dashboard (admin index) -----------------------------------------------------------

CHART_DAYS = 30
# Refund time-to-pay buckets, in days (the last one is "over the deadline").
PAY_BUCKETS = [
    (0, 1, "< 1 d"),
    (1, 3, "1–3 d"),
    (3, 7, "3–7 d"),
    (7, 14, "1–2 wk"),
    (14, 30, "2–4 wk"),
    (30, settings.REFUND_DEADLINE_DAYS, f"30–{settings.REFUND_DEADLINE_DAYS} d"),
    (settings.REFUND_DEADLINE_DAYS, None, f"> {settings.REFUND_DEADLINE_DAYS} d"),
]


def dashboard(user: User) -> dict:
    """Figures for the admin index, for what this person works on (arbiter, finance, both)."""
    now = timezone.now()
    arbiter = user.has_perm("arbitration.view_dispute")
    finance = user.has_perm("marketplace.view_refund")
    data = {"arbiter": arbiter, "finance": finance, "now": now}
    if arbiter:
        live = [state for state in Dispute.State.values if state != Dispute.State.CLOSED]
        by_state = dict(  # index-only over the live states; closed disputes are most of the table
            Dispute.objects.filter(state__in=live).order_by().values_list("state").annotate(n=Count("*"))
        )
        data["cases"] = {
            "open": by_state.get(Dispute.State.OPEN, 0),
            "escalated": by_state.get(Dispute.State.ESCALATED, 0),
            "under_review": by_state.get(Dispute.State.UNDER_REVIEW, 0),
            "returns": by_state.get(Dispute.State.AWAITING_RETURN, 0)
            + by_state.get(Dispute.State.RETURN_IN_TRANSIT, 0),
            "overdue": Dispute.objects.filter(state__in=QUEUE_STATES, deadline_at__lte=now).count(),
            "mine": Dispute.objects.filter(state=Dispute.State.UNDER_REVIEW, assigned_arbiter=user).count(),
            "complaints": Complaint.objects.filter(
                state__in=[Complaint.State.OPEN, Complaint.State.UNDER_REVIEW]
            ).count(),
            "safety": SafetyReport.objects.filter(state=SafetyReport.State.OPEN).count(),
        }
        data["my_cases"] = list(
            Dispute.objects.filter(state=Dispute.State.UNDER_REVIEW, assigned_arbiter=user)
            .select_related("order")
            .order_by("deadline_at")[:8]
        )
        data["oldest_waiting"] = list(
            Dispute.objects.filter(state=Dispute.State.ESCALATED)
            .select_related("order")
            .order_by("escalated_at")[:5]
        )
        data["case_chart"] = cache.get_or_set(f"admin-dashboard:cases:{now:%Y-%m-%d-%H}", case_chart, 300)
    if finance:
        unpaid = [Refund.State.PENDING, Refund.State.SENT, Refund.State.FAILED]
        by_state = dict(
            Refund.objects.filter(state__in=unpaid).order_by().values_list("state").annotate(n=Count("*"))
        )
        data["refunds"] = {
            "pending": by_state.get(Refund.State.PENDING, 0),
            "sent": by_state.get(Refund.State.SENT, 0),
            "failed": by_state.get(Refund.State.FAILED, 0),
            "overdue": Refund.objects.filter(state__in=unpaid, due_at__lte=now).count(),
        }
        data["unpaid_refunds"] = list(
            Refund.objects.filter(state__in=unpaid).select_related("order").order_by("due_at")[:6]
        )
        data["pay_chart"] = cache.get_or_set(f"admin-dashboard:pay:{now:%Y-%m-%d-%H}", pay_chart, 300)
    return data


def _per_day(queryset, field: str, since) -> dict:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    return {day: n for day, n in rows}


def _nice_ceiling(value: float) -> int:
    """1, 2, 5, 10, 20, 50 …: a round top for the y axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)


def case_chart() -> dict:
    """Disputes opened, escalated and decided per day over 30 days, as SVG geometry."""
    today = timezone.localdate()
    days = [today - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS)]
    since = timezone.make_aware(datetime.combine(days[0], time.min))
    series = [
        ("opened", _("Opened"), _per_day(Dispute.objects.all(), "opened_at", since)),
        ("escalated", _("Escalated"), _per_day(Dispute.objects.all(), "escalated_at", since)),
        ("decided", _("Decided"), _per_day(Decision.objects.all(), "decided_at", since)),
    ]
    return line_chart(days, series)


def line_chart(days, series, *, width: int = 720, height: int = 220) -> dict:
    left, right, top, bottom = 40, 12, 12, 28
    inner_w, inner_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max([1, *(counts.get(d, 0) for _, _, counts in series for d in days)]))
    step = inner_w / max(1, len(days) - 1)

    def y(value: int) -> float:
        return round(top + inner_h - inner_h * value / top_value, 1)

    lines = []
    for key, label, counts in series:
        points = [
            (round(left + i * step, 1), y(counts.get(d, 0)), d, counts.get(d, 0)) for i, d in enumerate(days)
        ]
        lines.append(
            {
                "key": key,
                "label": label,
                "total": sum(counts.get(d, 0) for d in days),
                "polyline": " ".join(f"{x},{py}" for x, py, _, _ in points),
                "points": [{"x": x, "y": py, "day": d, "n": n} for x, py, d, n in points],
            }
        )
    ticks = [{"y": y(v), "label": v} for v in sorted({0, top_value // 2, top_value})]
    last = len(days) - 1
    labels = [
        {
            "x": round(left + i * step, 1),
            "text": d.strftime("%d %b"),
            "anchor": "start" if i == 0 else "end" if i == last else "middle",
        }
        for i, d in enumerate(days)
        if i % 5 == 0 or i == last
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + inner_h,
        "lines": lines,
        "ticks": ticks,
        "labels": labels,
    }


def pay_chart() -> dict:
    """How long refunds took to be paid (created → completed), over the last 90 days."""
    since = timezone.now() - timedelta(days=90)
    duration = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
    whens = []
    for index, (low, high, _label) in enumerate(PAY_BUCKETS):
        condition = Q(took__gte=timedelta(days=low))
        if high is not None:
            condition &= Q(took__lt=timedelta(days=high))
        whens.append(When(condition, then=Value(index)))
    rows = (
        Refund.objects.filter(state=Refund.State.COMPLETED, completed_at__gte=since)
        .annotate(took=duration, bucket=Case(*whens, default=Value(0), output_field=IntegerField()))
        .order_by()
        .values_list("bucket")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    average = (
        Refund.objects.filter(state=Refund.State.COMPLETED, completed_at__gte=since)
        .annotate(took=duration)
        .aggregate(avg=Avg("took"))["avg"]
    )
    total = sum(counts.values())
    width, height, left, bottom_pad, top = 720, 200, 40, 34, 12
    inner_h = height - bottom_pad - top
    slot = (width - left - 12) / len(PAY_BUCKETS)
    peak = _nice_ceiling(max([1, *counts.values()]))
    bars = []
    for index, (_low, high, label) in enumerate(PAY_BUCKETS):
        n = counts.get(index, 0)
        h = round(inner_h * n / peak, 1)
        bars.append(
            {
                "x": round(left + index * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(top + inner_h - h, 1),
                "h": h,
                "n": n,
                "label": label,
                "late": high is None,
                "cx": round(left + index * slot + slot / 2, 1),
            }
        )
    within = sum(
        counts.get(i, 0) for i, (_l, high, _t) in enumerate(PAY_BUCKETS) if high is not None and high <= 7
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "bottom": top + inner_h,
        "bars": bars,
        "ticks": [
            {"y": round(top + inner_h - inner_h * v / peak, 1), "label": v}
            for v in sorted({0, peak // 2, peak})
        ],
        "total": total,
        "average_days": round(average.total_seconds() / 86400, 1) if average else None,
        "within_week": round(100 * within / total) if total else None,
    }
