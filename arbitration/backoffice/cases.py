"""What disputes and complaints share in the admin: one ``CaseAdmin`` for any ``ArbitrationCase``.

- The queue: the "arbiter" column ("you", "unassigned") and the "decision due" column, and the
  changelist actions that take or release the selected cases (R-ARB-1).
- The case's lifecycle pages: take and release (POST only), reassign (supervisors) and decide,
  each calling the one service for any case (``case_take``, ``case_release``, ``case_reassign``)
  or the case's own decision service; a refusal is a message and nothing changes.
- The decide page, one flow for both: the form, a confirmation step that shows what the decision
  does, then the service (R-ARB-2, R-CMP-1). Each case's admin sets the parts: its form
  (``decision_form``), its service (``decide_case``), what the confirmation shows
  (``decision_context``) and the page's per-case templates (``decide_parts``).

Buttons are the case's transitions this user may take now (``case_actions``, the check the
services make), labelled by the transitions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arbitration import services
from arbitration.backoffice.base import (
    ARBITRATE,
    SUPERVISE,
    has_arbitrate,
    person,
    post_only,
    render_page,
    require,
)
from arbitration.backoffice.forms import CaseDecisionForm, ReassignForm
from arbitration.models import ArbitrationCase
from arbitration.presentation import case_actions
from marketplace.backoffice.base import FastListMixin, ReadOnlyMixin
from marketplace.errors import DomainError
from marketplace.fsm import transition_label
from marketplace.models import Order, User
from marketplace.presentation import admin_url, due_badge, person_name

# Actions that need the case taken first: asked for while it waits in the queue, the arbiter is told so.
NEED_TAKING = ("decide", "request_information")


@dataclass(frozen=True)
class CaseTexts:
    """What the back office says about one kind of case ("case" for a dispute, "complaint" ...)."""

    name: Promise  # "Dispute"
    queue: Promise  # the changelist's name in the breadcrumbs
    back: Promise  # the link from a form back to the case page
    took: Promise  # ngettext_lazy(..., "n"): the take action, for n cases
    released_many: Promise  # the release action, for n cases
    taken: Promise  # taken from the case page
    released: Promise
    reassigned: Promise  # %(name)s
    reassign_title: Promise  # %(id)s
    decide_title: Promise  # %(id)s
    decided: Promise  # %(outcome)s
    take_first: Promise  # deciding a case still waiting in the queue


def lifecycle_action(transition: str, description: Promise):
    """A changelist action moving each selected case through ``transition`` ("take" or "release")."""

    @admin.action(description=description, permissions=["arbitrate"])
    def action(model_admin: CaseAdmin, request: HttpRequest, queryset) -> None:
        model_admin.move_each(request, queryset, transition)

    return action


class CaseAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The admin of an ``ArbitrationCase``; ``DisputeAdmin`` and ``ComplaintAdmin`` set the parts."""

    texts: ClassVar[CaseTexts]
    queue_states: ClassVar[tuple]  # waiting for an arbiter, then in review
    waiting_state: ClassVar[str]  # in the queue, not taken
    action_order: ClassVar[tuple]  # the order the queue's actions take cases in: oldest first
    order_field: ClassVar[str]  # the path to the order: "order" or "dispute__order"
    case_related: ClassVar[tuple]  # what the decide and reassign pages read, joined in one query
    button_order: ClassVar[tuple]  # the arbiter's buttons, in the order they appear
    decision_form: ClassVar[type[CaseDecisionForm]]
    decide_parts: ClassVar[str]  # the folder of the decide page's parts: summary, fields, effect

    # --- The queue ---------------------------------------------------------------------------

    def has_arbitrate_permission(self, request: HttpRequest) -> bool:
        return has_arbitrate(request)

    def get_list_display(self, request):
        return [
            self.arbiter_column(request) if name == "assigned_arbiter" else name for name in self.list_display
        ]

    def arbiter_column(self, request: HttpRequest):
        """The "arbiter" column, per request so it can say "you" (a ModelAdmin is shared by threads)."""
        waiting = self.queue_states

        @admin.display(description=_("arbiter"))
        def arbiter(obj):
            if obj.state not in waiting:
                return obj.assigned_arbiter or "—"
            return person(obj.assigned_arbiter, request)

        return arbiter

    @admin.display(description=_("decision due"), ordering="deadline_at")
    def due(self, obj: ArbitrationCase):
        return due_badge(obj.deadline_at) if obj.state in self.queue_states else "—"

    def move_each(self, request: HttpRequest, queryset, transition: str) -> None:
        """Take or release each case, oldest first; a refusal is an error naming the case and the
        others go on. Short loops over the services (STYLE #8)."""
        move = {"take": services.case_take, "release": services.case_release}[transition]
        done = 0
        for case in queryset.order_by(*self.action_order):
            try:
                move(case=case, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"#{case.pk}: {error.message_text}", messages.ERROR)
            else:
                done += 1
        if done:
            text = self.texts.took if transition == "take" else self.texts.released_many
            self.message_user(request, text % {"n": done}, messages.SUCCESS)

    # --- The case's pages -----------------------------------------------------------------------

    def case_url(self, case: Model) -> str:
        return admin_url(case)

    def order_of(self, case: Model) -> Order:
        for name in self.order_field.split("__"):
            case = getattr(case, name)
        return case

    def buttons(self, allowed: list[str]) -> list[tuple[str, str]]:
        """The arbiter's buttons: (transition, its label) for each of the ``allowed`` actions (what
        ``case_actions`` offers this user now), in the page's order."""
        return [
            (name, transition_label(self.model, name, key="action"))
            for name in self.button_order
            if name in allowed
        ]

    def more_views(self) -> dict:
        """A case admin's own pages besides take, release, reassign and decide: {name: view}."""
        return {}

    def get_urls(self):
        views = {
            "take": self.take_view,
            "release": self.release_view,
            "reassign": self.reassign_view,
            "decide": self.decide_view,
            **self.more_views(),
        }
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            *(
                path(
                    f"<int:object_id>/{name.replace('_', '-')}/",
                    self.admin_site.admin_view(view),
                    name=f"{prefix}_{name}",
                )
                for name, view in views.items()
            ),
            *super().get_urls(),
        ]

    def run(self, request: HttpRequest, case: Model, call, success, *, to: str | None = None) -> HttpResponse:
        """Run one service call; a refusal becomes an error message and nothing changes."""
        try:
            call()
        except DomainError as error:
            messages.error(request, error.message_text)
            return HttpResponseRedirect(self.case_url(case))
        messages.success(request, success)
        return HttpResponseRedirect(to or self.case_url(case))

    def refuse_unless(self, request: HttpRequest, case: ArbitrationCase, action: str) -> HttpResponse | None:
        """Back to the case page with the reason, unless ``action`` is one ``request.user`` may take now."""
        if action in case_actions(case, request.user):
            return None
        messages.error(request, self.refusal(case, action, request.user))
        return HttpResponseRedirect(self.case_url(case))

    def refusal(self, case: ArbitrationCase, action: str, user: User) -> str:
        if case.state == self.waiting_state and action in NEED_TAKING:
            return str(self.texts.take_first)
        if case.state == case.State.UNDER_REVIEW and not case.is_held_by(user):
            return _(
                "%(arbiter)s holds this case; only they can do that, or a supervisor can reassign it."
            ) % {"arbiter": person_name(case.assigned_arbiter)}
        return _("You can't do that now: the case is “%(state)s”.") % {"state": case.get_state_display()}

    def form_page(self, request: HttpRequest, case: Model, form, *, title, submit, intro="") -> HttpResponse:
        """A case's one-form page (reassign, request information)."""
        return render_page(
            self,
            request,
            "admin/arbitration/case_form.html",
            title,
            case=case,
            order=self.order_of(case),
            form=form,
            submit=submit,
            intro=intro,
            back_url=self.case_url(case),
        )

    # --- Take, release, reassign (R-ARB-1) --------------------------------------------------------

    @post_only
    def take_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        require(request, ARBITRATE)
        case = get_object_or_404(self.model, pk=object_id)
        return self.run(
            request, case, lambda: services.case_take(case=case, actor=request.user), self.texts.taken
        )

    @post_only
    def release_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        require(request, ARBITRATE)
        case = get_object_or_404(self.model, pk=object_id)
        return self.run(
            request,
            case,
            lambda: services.case_release(case=case, actor=request.user),
            self.texts.released,
            to=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        )

    def reassign_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Supervisors give a case to another arbiter."""
        require(request, SUPERVISE)
        case = get_object_or_404(self.model.objects.select_related(*self.case_related), pk=object_id)
        refused = self.refuse_unless(request, case, "reassign")
        if refused:
            return refused
        form = ReassignForm(request.POST or None, current=case.assigned_arbiter)
        if request.method == "POST" and form.is_valid():
            arbiter = form.cleaned_data["arbiter"]
            try:
                services.case_reassign(case=case, actor=request.user, arbiter=arbiter)
            except DomainError as error:
                form.add_error(None, error.message_text)
            else:
                messages.success(request, self.texts.reassigned % {"name": person_name(arbiter)})
                return HttpResponseRedirect(self.case_url(case))
        return self.form_page(
            request,
            case,
            form,
            title=self.texts.reassign_title % {"id": case.pk},
            submit=_("Reassign"),
            intro=_("Now with: %(name)s.") % {"name": person_name(case.assigned_arbiter)},
        )

    # --- Decide, with a confirmation step (R-ARB-2, R-CMP-1) --------------------------------------

    def decide_case(self, *, case: ArbitrationCase, actor: User, **decision) -> None:
        """The case's decision service, called with the form's ``service_kwargs()``."""
        raise NotImplementedError

    def decision_context(self, case: ArbitrationCase, form: CaseDecisionForm, step: str) -> dict:
        """What the decide page shows besides the form: above all, on the confirmation step, what
        the decision will do."""
        return {}

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The form → a confirmation showing what the decision does → the case's decision service.

        The confirmation step posts back the form's ``confirmation()``: the decision is made only
        if it is still what the form computes now (for a dispute, the money effect: if the money
        moved meanwhile, the arbiter sees the effect again)."""
        require(request, ARBITRATE)
        case = get_object_or_404(self.model.objects.select_related(*self.case_related), pk=object_id)
        refused = self.refuse_unless(request, case, "decide")
        if refused:
            return refused
        step, warning = "form", ""
        if request.method == "POST" and "edit" in request.POST:
            form = self.decision_form(initial=request.POST.dict(), case=case)
        elif request.method == "POST":
            form = self.decision_form(request.POST, case=case)
            if form.is_valid():
                step = "confirm"
                confirmed = request.POST.get(form.confirm_field)
                if confirmed == form.confirmation():
                    try:
                        self.decide_case(case=case, actor=request.user, **form.service_kwargs())
                    except DomainError as error:
                        form.add_error(None, error.message_text)
                        step = "form"
                    else:
                        messages.success(request, self.texts.decided % {"outcome": form.outcome_label()})
                        return HttpResponseRedirect(self.case_url(case))
                elif confirmed is not None:
                    warning = _(
                        "The amounts changed since you reviewed them. Check the effect again before deciding."
                    )
        else:
            form = self.decision_form(case=case)
        return render_page(
            self,
            request,
            "admin/arbitration/decide.html",
            self.texts.decide_title % {"id": case.pk},
            case=case,
            order=self.order_of(case),
            texts=self.texts,
            parts={part: f"{self.decide_parts}/{part}.html" for part in ("summary", "fields", "effect")},
            form=form,
            step=step,
            warning=warning,
            effect_key=form.confirmation() if step == "confirm" else "",
            **self.decision_context(case, form, step),
        )
