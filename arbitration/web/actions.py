"""How any action on a dispute is offered, checked, posted and refused (R-DSP-10).

Each action is a page (a ``DisputeActionView``) that is offered only when ``available_actions``
lists it; the dispute page renders the same forms inline (``disputes.INLINE``), built by the same
``make_form``. Posting an action that is not allowed is refused with the sentence of the rule that refuses it
(``Availability.why_not``, the same check the service makes), and the service
refuses it again under its row lock (a ``DomainError`` shown beside the form), so two tabs or a
scheduler job racing a person never end in a 500. A page's title is the transition's own label
(``action_label``) unless it says more. An action that can't be undone lists what it does
(``effects``): its page says so first and the post must carry the page's ``confirmed`` (a post
without it, e.g. from an older page, shows the same step instead of acting). The actions
themselves: ``answers``, ``claims``, ``returns``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.views import View

from arbitration.models import Dispute
from arbitration.presentation import Availability, action_label, available_actions
from arbitration.selectors import party_dispute_pages
from arbitration.web import forms
from marketplace.errors import DomainError
from marketplace.web.access import AuthenticatedRequest

# The field the confirmation step's button posts (see ``effects``).
CONFIRMED = "confirmed_effects"


def reader_dispute(request: AuthenticatedRequest, pk: int) -> tuple[Dispute, Availability]:
    """The dispute ``pk`` if the reader is its buyer or seller (else 404, R-SEC-1), with whose turn
    it is prefetched, and what the reader may do now: computed once per request."""
    dispute = get_object_or_404(party_dispute_pages(request.user), pk=pk)
    open_requests = dispute.open_requests  # turn_prefetch's to_attr
    return dispute, available_actions(dispute, request.user, information_requests=open_requests)


class DisputeActionView(View):
    """One action on a dispute: its own page (GET), and the target of the dispute page's forms (POST).

    Offered only when ``available_actions`` lists ``action`` for this reader; anything else is
    refused with the reason of the check that failed and a redirect back to the dispute. Bad input
    re-renders the form with what was typed and says what to do.
    """

    action: ClassVar[str] = ""
    also_allowed_by: ClassVar[tuple[str, ...]] = ()
    form_class: ClassVar[type[django_forms.Form]] = forms.EscalateForm  # no fields; each action sets its own
    request: AuthenticatedRequest  # behind login_required
    template_name = "arbitration/dispute_action.html"
    title: ClassVar[str | Promise] = ""  # "": the transition's own label
    intro: ClassVar[str | Promise] = ""

    @classmethod
    def offered(cls, actions: list[str]) -> bool:
        return bool({cls.action, *cls.also_allowed_by} & set(actions))

    @classmethod
    def form_kwargs(cls, dispute: Dispute) -> dict[str, Any]:
        """What the form needs from the dispute (initial values, the seller's return address)."""
        return {}

    @classmethod
    def make_form(
        cls, dispute: Dispute, data=None, files=None, *, remaining: int | None = None, **kwargs: Any
    ) -> django_forms.Form:
        """The action's form, here and inline on the dispute page. An evidence form is told how many
        files the dispute can still take (R-EVD-2): ``remaining`` when the caller counted them."""
        kwargs.update(cls.form_kwargs(dispute))
        if issubclass(cls.form_class, forms.EvidenceFormMixin):
            kwargs.update(dispute=dispute, remaining=remaining)
        return cls.form_class(data, files, **kwargs)

    @method_decorator(login_required)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.dispute, self.availability = reader_dispute(self.request, kwargs["pk"])
        if not self.offered(self.availability.actions):
            messages.error(request, self.availability.why_not(self.action).message)
            return redirect("dispute-detail", self.dispute.pk)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(self.make_form(self.dispute))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(self.dispute, request.POST, request.FILES)
        if form.is_valid():
            if self.effects() and request.POST.get(CONFIRMED) != "yes":
                return self.render(form)  # the confirmation step first: what happens, then the button
            try:
                done = self.perform(form.cleaned_data)
            except DomainError as exc:
                forms.form_refused(form, exc)
            else:
                if isinstance(done, HttpResponse):
                    return done
                messages.success(request, done)
                return redirect("dispute-detail", self.dispute.pk)
        return self.render(form)

    def perform(self, data: dict[str, Any]) -> str | HttpResponse:
        raise NotImplementedError

    def effects(self) -> list[str]:
        """What the action does that can't be undone, said before it is confirmed; [] for none."""
        return []

    def get_title(self) -> str:
        return str(self.title or action_label(self.action))

    def get_context(self, form: django_forms.Form) -> dict[str, Any]:
        return {
            "dispute": self.dispute,
            "order": self.dispute.order,
            "role": self.availability.role,
            "availability": self.availability,
            "form": form,
            "title": self.get_title(),
            "intro": self.intro,
            "action_url": self.request.path,
            "submit_label": self.submit_label(),
            "effects": self.effects(),
            "confirmed_field": CONFIRMED,
        }

    def submit_label(self) -> str:
        return self.get_title()

    def render(self, form: django_forms.Form) -> HttpResponse:
        return render(self.request, self.template_name, self.get_context(form))
