"""The buyer's and seller's pages (SPEC §1): orders, disputes, returns, complaints, safety reports.

The order pages live here, not in ``marketplace``, because they show each order's dispute and
``arbitration`` uses ``marketplace``, never the reverse. The money-only actions (confirm
receipt, protection extensions, the refund page) are ``marketplace.views``.

Every dispute action is a page (``DisputeActionView``) that is offered only when
``available_actions`` lists it (R-DSP-10); the dispute page renders the same forms inline.
Posting an action that is not allowed is refused with a message, and the service refuses it
again under its row lock (a ``DomainError`` shown beside the form), so two tabs or a
scheduler job racing a person never end in a 500. Anyone but the dispute's buyer and seller
gets a 404, never a 403: existence is not disclosed (R-SEC-1).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from arbitration import forms, services
from arbitration.evidence import EvidenceRejected
from arbitration.models import (
    Dispute,
    Evidence,
    InformationRequest,
    Offer,
    WantedResolution,
)
from arbitration.presentation import (
    available_actions,
    dispute_next_step,
    order_next_step,
    order_timeline,
)
from marketplace.actors import party_of
from marketplace.errors import DomainError
from marketplace.models import ExtensionRequest, Order, Refund, User
from marketplace.presentation import format_money, format_when
from marketplace.selectors import order_money_trail, party_orders

PAGE_SIZE = 20


# --- Access (R-SEC-1) -----------------------------------------------------------------------


def party_disputes(user: User):
    return Dispute.objects.filter(Q(buyer=user) | Q(seller=user))


# --- Order pages ------------------------------------------------------------------------------


def turn_prefetch(prefix: str = "") -> list:
    """What whose_turn() reads, fetched for a whole page at once instead of per row."""
    return [
        f"{prefix}offers",
        Prefetch(
            f"{prefix}information_requests",
            queryset=InformationRequest.objects.filter(answered_at__isnull=True).order_by("created_at"),
            to_attr="open_requests",
        ),
    ]


def _with_prefetched_turn(dispute: Dispute | None) -> Dispute | None:
    """Answer the dispute's "is there a pending offer?" from the prefetched offers (no query per row)."""
    if dispute is not None and "offers" in getattr(dispute, "_prefetched_objects_cache", {}):
        pending = any(offer.status == Offer.Status.PENDING for offer in dispute.offers.all())
        dispute.has_pending_offer = lambda: pending
    return dispute


def _dispute_or_none(order: Order) -> Dispute | None:
    try:
        return order.dispute
    except Dispute.DoesNotExist:
        return None


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """The buyer's orders: state, protection countdown, the next thing to do."""
    orders = (
        Order.objects.filter(buyer=request.user)
        .select_related("dispute")
        .prefetch_related(*turn_prefetch("dispute__"))
        .annotate(
            pending_days=Subquery(
                ExtensionRequest.objects.filter(
                    order=OuterRef("pk"), status=ExtensionRequest.Status.PENDING
                ).values("days")[:1]
            ),
            refund_unpaid=Exists(
                Refund.objects.filter(order=OuterRef("pk")).exclude(state=Refund.State.COMPLETED)
            ),
        )
        .order_by("-paid_at", "-pk")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for order in page:
        dispute = _with_prefetched_turn(_dispute_or_none(order))
        step = order_next_step(
            order, "buyer", dispute, pending_days=order.pending_days, refund_unpaid=order.refund_unpaid
        )
        rows.append({"order": order, "dispute": dispute, "next": step})
    return render(request, "marketplace/order_list.html", {"rows": rows, "page": page})


@login_required
def sales(request: HttpRequest) -> HttpResponse:
    """The seller's desk: open disputes sorted by "answer by", extension requests, other sales."""
    user = request.user
    disputes = (
        Dispute.objects.filter(seller=user)
        .exclude(state=Dispute.State.CLOSED)
        .select_related("order", "buyer")
        .prefetch_related(*turn_prefetch())
        .order_by(F("deadline_at").asc(nulls_last=True), "pk")
    )[:200]
    dispute_rows = [
        {"dispute": d, "next": dispute_next_step(_with_prefetched_turn(d), "seller")} for d in disputes
    ]
    # Disputes waiting for the seller first, each group by its deadline.
    dispute_rows.sort(key=lambda row: not row["next"].yours)
    extension_requests = (
        ExtensionRequest.objects.filter(order__seller=user, status=ExtensionRequest.Status.PENDING)
        .select_related("order", "order__buyer")
        .order_by("order__protection_deadline")
    )
    orders = (
        Order.objects.filter(seller=user)
        .exclude(state=Order.State.DISPUTED)
        .select_related("buyer")
        .order_by("-paid_at", "-pk")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/sales.html",
        {"dispute_rows": dispute_rows, "extension_requests": extension_requests, "page": page},
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(
        party_orders(request.user).select_related("buyer", "seller", "shipment", "escrow"), pk=pk
    )
    role = party_of(order, request.user)
    dispute = _dispute_or_none(order)
    extension_requests = list(order.extension_requests.select_related("requested_by", "answered_by"))
    pending = next((r for r in extension_requests if r.status == ExtensionRequest.Status.PENDING), None)
    refunds = list(order.refunds.all())
    shipment = getattr(order, "shipment", None) if hasattr(order, "shipment") else None
    from marketplace.forms import ExtensionDeclineForm, ExtensionRequestForm

    context = {
        "order": order,
        "role": role,
        "dispute": dispute,
        "shipment": shipment,
        "tracking": list(shipment.events.all()) if shipment else [],
        "timeline": order_timeline(order, request.user, dispute=dispute),
        "trail": order_money_trail(order),
        "refunds": refunds,
        "extension_requests": extension_requests,
        "pending_extension": pending,
        "next": order_next_step(
            order,
            role,
            dispute,
            pending_days=pending.days if pending else None,
            refund_unpaid=any(r.state != Refund.State.COMPLETED for r in refunds),
        ),
        "can_confirm": role == "buyer" and order.is_protected,
        "can_extend": role == "buyer" and order.is_protected and pending is None,
        "can_dispute": role == "buyer" and dispute is None and order.dispute_window_open,
        "safety_reports": list(order.safety_reports.filter(reporter=request.user)) if role == "buyer" else [],
        "extension_form": ExtensionRequestForm(),
        "decline_form": ExtensionDeclineForm(),
        "confirm_preview": order.dispute_deadline_for(confirmed_at=timezone.now()),
    }
    return render(request, "marketplace/order_detail.html", context)


# --- Forms' common handling -------------------------------------------------------------------


def form_refused(form, exc: DomainError) -> None:
    """Put a service's refusal beside the form: a rejected file on the files field, the rest on top."""
    if isinstance(exc, EvidenceRejected) and "files" in form.fields:
        form.add_error("files", list(exc.messages))
    else:
        form.add_error(None, exc.message_text)


def _explain_no_dispute(order: Order) -> str:
    S = Order.State
    if order.state == S.PAID:
        return _("The order has not been shipped yet, so there is nothing to dispute.")
    return _("The time to open a dispute for this order has ended.")


@login_required
def dispute_open(request: HttpRequest, pk: int) -> HttpResponse:
    """R-DSP-2: reason, resolution wanted, amount for a partial refund, description, evidence."""
    order = get_object_or_404(party_orders(request.user).select_related("buyer", "seller"), pk=pk)
    if party_of(order, request.user) != "buyer":
        messages.error(request, _("Only the buyer can open a dispute on this order."))
        return redirect("order-detail", order.pk)
    existing = _dispute_or_none(order)
    if existing is not None:
        messages.info(
            request,
            _(
                "This order already has a dispute; an order has one dispute, and a closed one can't be "
                "reopened. Follow it here; if it is closed and the agreed refund has not arrived, file a "
                "complaint."
            ),
        )
        return redirect("dispute-detail", existing.pk)
    if not order.dispute_window_open:
        messages.error(request, _explain_no_dispute(order))
        return redirect("order-detail", order.pk)
    form = forms.DisputeOpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = services.dispute_open(
                order=order,
                actor=request.user,
                reason=data["reason"],
                resolution=data["resolution"],
                description=data["description"],
                requested_amount=data["requested_amount"],
                files=data["files"],
            )
        except DomainError as exc:
            form_refused(form, exc)
        else:
            messages.success(
                request,
                _("Your dispute is open. The seller has until %(date)s to answer; the payment stays on hold.")
                % {"date": format_when(dispute.deadline_at)},
            )
            return redirect("dispute-detail", dispute.pk)
    return render(
        request,
        "arbitration/dispute_open.html",
        {"order": order, "form": form, "partial": WantedResolution.PARTIAL_REFUND},
    )


@login_required
def safety_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    """R-SAF-1: any time, even after protection ended, with evidence."""
    order = get_object_or_404(party_orders(request.user).select_related("buyer", "seller"), pk=pk)
    if party_of(order, request.user) != "buyer":
        messages.error(request, _("Only the buyer of this order can report it as unsafe."))
        return redirect("order-detail", order.pk)
    form = forms.SafetyReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_report_file(
                order=order,
                actor=request.user,
                description=form.cleaned_data["description"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            form_refused(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The safety team reviews every report; you will see the outcome on this "
                    "order's page."
                ),
            )
            return redirect("order-detail", order.pk)
    return render(request, "arbitration/safety_report_form.html", {"order": order, "form": form})


# --- The dispute page ---------------------------------------------------------------------------


def _dispute_queryset(user: User):
    return party_disputes(user).select_related("order", "buyer", "seller", "refund", "return_shipment")


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(_dispute_queryset(request.user), pk=pk)
    return render(request, "arbitration/dispute_detail.html", dispute_context(request, dispute))


def dispute_context(request: HttpRequest, dispute: Dispute) -> dict:
    """Everything the dispute page shows, with a form for each action the reader may take now.

    Reads what the case has (files, complaints, decisions …) in as few queries as it can: the
    page is the one buyers and sellers reload most.
    """
    user = request.user
    availability = available_actions(dispute, user)
    role = party_of(dispute, user)
    order = dispute.order
    # Every file of the case in one query, handed out to its message or complaint.
    evidence = list(dispute.evidence.order_by("created_at", "id"))
    files_of: dict[tuple[str, int | None], list[Evidence]] = defaultdict(list)
    for item in evidence:
        if item.message_id:
            files_of["message", item.message_id].append(item)
        elif item.complaint_id:
            files_of["complaint", item.complaint_id].append(item)
        else:
            files_of["case", None].append(item)
    thread = list(dispute.messages.all())
    for message in thread:
        message.files = files_of["message", message.pk]
    complaints = list(dispute.complaints.order_by("-opened_at")) if dispute.is_closed else []
    for complaint in complaints:
        complaint.files = files_of["complaint", complaint.pk]
    offers = list(dispute.offers.order_by("-created_at"))
    pending_offer = next((o for o in offers if o.status == Offer.Status.PENDING), None)
    dispute.has_pending_offer = lambda: pending_offer is not None  # read once, above
    try:
        return_shipment = dispute.return_shipment
    except Dispute.return_shipment.RelatedObjectDoesNotExist:
        return_shipment = None
    context = {
        "dispute": dispute,
        "order": order,
        "role": role,
        "availability": availability,
        "actions": availability.actions,
        "next": dispute_next_step(dispute, role, availability),
        "claim_versions": list(dispute.claim_versions.order_by("-number")) if dispute.amendments_used else [],
        "amendments_left": dispute.amendments_left(),
        "max_amendments": settings.MAX_DISPUTE_AMENDMENTS,
        "offers": offers,
        "pending_offer": pending_offer,
        "thread": thread,
        "dispute_evidence": files_of["case", None],
        "return_shipment": return_shipment,
        "decisions": list(dispute.decisions.all()) if dispute.escalation_count else [],
        "complaints": complaints,
        "my_requests": [r for r in availability.open_requests if r.party == role],
        "timeline": order_timeline(order, user, dispute=dispute, only_dispute=True),
        "trail": order_money_trail(order) if dispute.is_closed else None,
    }
    remaining = max(0, settings.EVIDENCE_MAX_FILES_PER_DISPUTE - len(evidence))
    # Inline forms, only for the actions this reader may take now (R-DSP-10). Each has its own
    # id prefix, so labels stay unique on the page.
    seller_address = dispute.seller.return_address
    inline = {
        "message": lambda **kw: forms.MessageForm(remaining=remaining, **kw),
        "amend": lambda **kw: forms.AmendForm(initial=_claim_initial(dispute), **kw),
        "accept_claim": lambda **kw: forms.AcceptClaimForm(
            needs_return=dispute.resolution == WantedResolution.RETURN_AND_REFUND,
            return_address=seller_address,
            **kw,
        ),
        "make_offer": lambda **kw: forms.OfferForm(initial={"return_address": seller_address}, **kw),
        "reject_claim": lambda **kw: forms.RejectForm(remaining=remaining, **kw),
        "accept_offer": lambda **kw: forms.AcceptOfferForm(
            initial={"offer_id": pending_offer.pk if pending_offer else None}, **kw
        ),
        "decline_offer": lambda **kw: forms.DeclineOfferForm(**kw),
        "escalate": lambda **kw: forms.EscalateForm(**kw),
        "ship_return": lambda **kw: forms.ReturnShipForm(**kw),
        "acknowledge_return": lambda **kw: forms.ReturnAcknowledgeForm(remaining=remaining, **kw),
    }
    allowed = set(availability.actions)
    if allowed & {"confirm_return", "report_return_problem"}:
        allowed.add("acknowledge_return")
    for name, make in inline.items():
        if name in allowed:
            context[f"{name}_form"] = make(auto_id=f"{name}_%s")
    if "accept_claim" in allowed:
        context["accept_claim_effect"] = accept_claim_effect(dispute)
    return context


def _claim_initial(dispute: Dispute) -> dict:
    return {
        "reason": dispute.reason,
        "resolution": dispute.resolution,
        "requested_amount": dispute.requested_amount,
        "description": dispute.description,
    }


class DisputeActionView(View):
    """One action on a dispute: its own page (GET), and the target of the dispute page's forms (POST).

    Offered only when ``available_actions`` lists ``action`` for this reader; anything else is
    refused with a message and a redirect back to the dispute. Bad input re-renders the form
    with what was typed and says what to do.
    """

    action: str = ""
    also_allowed_by: tuple[str, ...] = ()
    form_class: type = forms.EscalateForm  # a form with no fields; each action sets its own
    template_name = "arbitration/dispute_action.html"
    title = ""
    intro = ""

    @method_decorator(login_required)
    def dispatch(self, request, *args, **kwargs):
        self.dispute = get_object_or_404(_dispute_queryset(request.user), pk=kwargs["pk"])
        self.availability = available_actions(self.dispute, request.user)
        if not ({self.action, *self.also_allowed_by} & set(self.availability.actions)):
            messages.error(request, refusal(self.dispute))
            return redirect("dispute-detail", self.dispute.pk)
        return super().dispatch(request, *args, **kwargs)

    def form_kwargs(self) -> dict:
        return {}

    def get_form(self, data=None, files=None):
        kwargs = self.form_kwargs()
        if issubclass(self.form_class, forms.EvidenceFormMixin):
            kwargs["dispute"] = self.dispute  # the files it can still take (R-EVD-2)
        return self.form_class(data, files, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                done = self.perform(form.cleaned_data)
            except DomainError as exc:
                form_refused(form, exc)
            else:
                if isinstance(done, HttpResponse):
                    return done
                messages.success(request, done)
                return redirect("dispute-detail", self.dispute.pk)
        return self.render(form)

    def perform(self, data: dict) -> str | HttpResponse:
        raise NotImplementedError

    def get_context(self, form) -> dict:
        return {
            "dispute": self.dispute,
            "order": self.dispute.order,
            "role": party_of(self.dispute, self.request.user),
            "availability": self.availability,
            "form": form,
            "title": self.title,
            "intro": self.intro,
            "action_url": self.request.path,
            "submit_label": self.submit_label(),
        }

    def submit_label(self) -> str:
        return str(self.title)

    def render(self, form) -> HttpResponse:
        return render(self.request, self.template_name, self.get_context(form))


def refusal(dispute: Dispute) -> str:
    if dispute.is_closed:
        return str(services.CLOSED_HINT)
    return _("You can't do that now: the dispute is “%(state)s”. The dispute page shows what you can do.") % {
        "state": dispute.get_state_display()
    }


class AmendView(DisputeActionView):
    action = "amend"
    form_class = forms.AmendForm
    title = gettext_lazy("Amend the claim")

    def form_kwargs(self):
        return {"initial": _claim_initial(self.dispute)}

    def get_context(self, form):
        context = super().get_context(form)
        context["intro"] = _(
            "You can change the claim %(left)s more times (of %(max)s). The previous version is kept. "
            "Messages and evidence are not amendments: add them freely on the dispute page."
        ) % {"left": self.dispute.amendments_left(), "max": settings.MAX_DISPUTE_AMENDMENTS}
        return context

    def perform(self, data):
        dispute = services.dispute_amend(
            dispute=self.dispute,
            actor=self.request.user,
            reason=data["reason"],
            resolution=data["resolution"],
            description=data["description"],
            requested_amount=data["requested_amount"],
        )
        return _("The claim is amended. Amendments left: %(left)s of %(max)s.") % {
            "left": dispute.amendments_left(),
            "max": settings.MAX_DISPUTE_AMENDMENTS,
        }


class MessageView(DisputeActionView):
    action = "message"
    form_class = forms.MessageForm
    title = gettext_lazy("Write a message or add evidence")

    def perform(self, data):
        services.dispute_post_message(
            dispute=self.dispute, actor=self.request.user, body=data["body"], files=data["files"]
        )
        if data["files"]:
            count = len(data["files"])
            return ngettext("Sent, with %(count)d file.", "Sent, with %(count)d files.", count) % {
                "count": count
            }
        return _("Message sent.")

    def submit_label(self):
        return _("Send")


class AcceptClaimView(DisputeActionView):
    action = "accept_claim"
    form_class = forms.AcceptClaimForm
    title = gettext_lazy("Accept the claim")

    def form_kwargs(self):
        return {
            "needs_return": self.dispute.resolution == WantedResolution.RETURN_AND_REFUND,
            "return_address": self.dispute.seller.return_address,
        }

    def get_context(self, form):
        context = super().get_context(form)
        context["intro"] = accept_claim_effect(self.dispute)
        return context

    def perform(self, data):
        dispute = services.dispute_seller_accept(
            dispute=self.dispute, actor=self.request.user, return_address=data.get("return_address", "")
        )
        if dispute.state == Dispute.State.AWAITING_RETURN:
            return _("You accepted the claim. The buyer now ships the item back to your return address.")
        return _("You accepted the claim. The dispute is closed and the buyer is refunded.")


def accept_claim_effect(dispute: Dispute) -> str:
    order = dispute.order
    if dispute.resolution == WantedResolution.RETURN_AND_REFUND:
        return _(
            "The buyer ships the item back to the address below; when it arrives and you confirm it, the "
            "buyer is refunded %(amount)s."
        ) % {"amount": format_money(order.amount, order.currency)}
    if dispute.resolution == WantedResolution.PARTIAL_REFUND:
        return _(
            "The buyer is refunded %(amount)s from the held payment, you receive the remaining %(rest)s, "
            "and the dispute closes."
        ) % {
            "amount": format_money(dispute.requested_amount, order.currency),
            "rest": format_money(order.amount - dispute.requested_amount, order.currency),
        }
    return _("The buyer is refunded the full %(amount)s from the held payment, and the dispute closes.") % {
        "amount": format_money(order.amount, order.currency)
    }


class OfferView(DisputeActionView):
    action = "make_offer"
    form_class = forms.OfferForm
    title = gettext_lazy("Make an offer")

    def form_kwargs(self):
        return {"initial": {"return_address": self.dispute.seller.return_address}}

    def perform(self, data):
        services.dispute_make_offer(
            dispute=self.dispute,
            actor=self.request.user,
            kind=data["kind"],
            amount=data["amount"],
            return_address=data["return_address"],
            note=data["note"],
        )
        return _("Your offer was sent to the buyer.")

    def submit_label(self):
        return _("Send the offer")


class RejectView(DisputeActionView):
    action = "reject_claim"
    form_class = forms.RejectForm
    title = gettext_lazy("Reject the claim")
    intro = gettext_lazy(
        "Rejecting does not close the dispute: the buyer may then escalate it to arbitration, where your "
        "explanation and evidence are read."
    )

    def perform(self, data):
        services.dispute_reject_claim(
            dispute=self.dispute,
            actor=self.request.user,
            explanation=data["explanation"],
            files=data["files"],
        )
        return _("Your answer was sent to the buyer.")


class AcceptOfferView(DisputeActionView):
    action = "accept_offer"
    form_class = forms.AcceptOfferForm
    title = gettext_lazy("Accept the offer")

    def form_kwargs(self):
        offer = self.dispute.pending_offer()
        return {"initial": {"offer_id": offer.pk if offer else None}}

    def get_context(self, form):
        context = super().get_context(form)
        context["pending_offer"] = self.dispute.pending_offer()
        return context

    def perform(self, data):
        dispute = services.dispute_accept_offer(
            dispute=self.dispute, actor=self.request.user, offer_id=data["offer_id"]
        )
        if dispute.state == Dispute.State.AWAITING_RETURN:
            return _("You accepted the offer. Ship the item back and enter the tracking number below.")
        return _("You accepted the offer. The dispute is closed; your refund is on its way.")


class DeclineOfferView(DisputeActionView):
    action = "decline_offer"
    form_class = forms.DeclineOfferForm
    title = gettext_lazy("Decline the offer")
    intro = gettext_lazy("After declining you may escalate the dispute to arbitration.")

    def perform(self, data):
        services.dispute_decline_offer(dispute=self.dispute, actor=self.request.user, reason=data["reason"])
        return _("You declined the offer. You can now escalate the dispute to arbitration.")


class EscalateView(DisputeActionView):
    action = "escalate"
    form_class = forms.EscalateForm
    title = gettext_lazy("Escalate to arbitration")
    intro = gettext_lazy(
        "An arbiter will read the whole case, may ask you for more information, and decides. The "
        "decision is final."
    )

    def perform(self, data):
        services.dispute_escalate(dispute=self.dispute, actor=self.request.user)
        return _("The dispute is with arbitration now. An arbiter will take it and decide.")


class WithdrawView(DisputeActionView):
    """R-DSP-9: the warning first; with a flagged seller message, a second confirmation step."""

    action = "withdraw"
    form_class = forms.WithdrawForm
    template_name = "arbitration/withdraw.html"
    title = gettext_lazy("Withdraw the dispute")

    def get_context(self, form):
        context = super().get_context(form)
        warning = services.withdrawal_warning(self.dispute)
        context["warning"] = warning
        context["second_step"] = getattr(self, "second_step", False)
        return context

    def perform(self, data):
        warning = services.withdrawal_warning(self.dispute)
        if warning.needs_second_confirmation and not data.get("confirmed_despite_solicitation"):
            # The first confirmation is given; now the explicit second one, with the flagged message shown.
            self.second_step = True
            form = self.form_class(initial={"confirmed": True})
            if self.request.POST.get("step") == "2":
                form = self.get_form(self.request.POST)
                form.is_valid()
                form.add_error(
                    "confirmed_despite_solicitation",
                    _("Tick this box to withdraw anyway, or keep the dispute open."),
                )
            return self.render(form)
        services.dispute_withdraw(
            dispute=self.dispute,
            actor=self.request.user,
            confirmed=data["confirmed"],
            confirmed_despite_solicitation=data.get("confirmed_despite_solicitation", False),
        )
        return _("You withdrew the dispute. It is closed and the payment goes to the seller.")


class ReturnShipView(DisputeActionView):
    action = "ship_return"
    form_class = forms.ReturnShipForm
    title = gettext_lazy("Enter the return's tracking number")

    def get_context(self, form):
        context = super().get_context(form)
        context["return_shipment"] = self.dispute.return_shipment
        return context

    def perform(self, data):
        services.return_ship(
            dispute=self.dispute,
            actor=self.request.user,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
        return _("Return recorded. The seller must confirm it arrived or report a problem by the deadline.")

    def submit_label(self):
        return _("I have shipped the return")


class ReturnAcknowledgeView(DisputeActionView):
    """R-RET-2: the seller confirms the return arrived, or reports a problem with evidence."""

    action = "confirm_return"
    also_allowed_by = ("report_return_problem",)
    form_class = forms.ReturnAcknowledgeForm
    title = gettext_lazy("The return: confirm it arrived or report a problem")

    def get_context(self, form):
        context = super().get_context(form)
        context["return_shipment"] = self.dispute.return_shipment
        return context

    def perform(self, data):
        dispute = services.return_acknowledge(
            dispute=self.dispute,
            actor=self.request.user,
            acknowledgement=data["acknowledgement"],
            note=data["note"],
            files=data["files"],
        )
        if dispute.state == Dispute.State.ESCALATED:
            return _("Your report went to arbitration with your evidence; an arbiter will decide.")
        return _("Thank you. The return is confirmed, the dispute is closed and the buyer is refunded.")

    def submit_label(self):
        return _("Send")


class ComplaintView(DisputeActionView):
    """R-CMP-1: after closure the dispute can't be reopened, but the buyer can complain."""

    action = "file_complaint"
    form_class = forms.ComplaintForm
    title = gettext_lazy("File a complaint to arbitration")
    intro = gettext_lazy(
        "A closed dispute can't be reopened. If the agreed refund has not arrived or the seller broke an "
        "agreement, arbitration looks into it and can refund you from the seller's balance."
    )

    def perform(self, data):
        services.complaint_file(
            dispute=self.dispute,
            actor=self.request.user,
            kind=data["kind"],
            description=data["description"],
            files=data["files"],
        )
        return _("Your complaint is with arbitration. You will see the decision on this page.")
