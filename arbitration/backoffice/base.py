"""The frame every page of the arbiter back office shares: who may act, ids in URLs, the page
itself, and how people and waiting times read in the queues."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.admin import ModelAdmin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arbitration.models import Complaint, Dispute
from marketplace.models import User
from marketplace.presentation import badge
from marketplace.text import is_plain_number

ARBITRATE = "arbitration.arbitrate"
SUPERVISE = "arbitration.supervise"

# The arbitration queue: cases waiting for an arbiter, then those in review (R-ARB-1).
QUEUE_STATES = (Dispute.State.ESCALATED, Dispute.State.UNDER_REVIEW)
COMPLAINT_QUEUE_STATES = (Complaint.State.OPEN, Complaint.State.UNDER_REVIEW)

# A dispute state in a word or two, for tables ("In review" rather than the full sentence).
SHORT_STATES = {
    "open": _("Open"),
    "escalated": _("Escalated"),
    "under_review": _("In review"),
    "awaiting_return": _("Awaiting return"),
    "return_in_transit": _("Return in transit"),
    "closed": _("Closed"),
}


def has_arbitrate(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm(ARBITRATE)


def require(request: HttpRequest, permission: str) -> None:
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm(permission)):
        raise PermissionDenied


def post_only(view: Callable) -> Callable:
    """Views that change something answer POST only (a link can't take a case)."""

    @functools.wraps(view)
    def wrapper(model_admin, request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(model_admin, request, *args, **kwargs)

    return wrapper


def url_pk(object_id: str) -> int:
    """The primary key in an admin change-page URL (Django routes any text there): a page that
    doesn't exist for anything but a number, as Django's own change pages answer."""
    if not is_plain_number(str(object_id)):
        raise Http404
    return int(object_id)


def case_url(dispute: Dispute | int) -> str:
    """The case page of a dispute (or of a dispute's id)."""
    return reverse("admin:arbitration_dispute_change", args=[getattr(dispute, "pk", dispute)])


def related(obj, name: str):
    """A reverse one-to-one that may be missing (no shipment yet, no return)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def render_page(
    model_admin: ModelAdmin, request: HttpRequest, template: str, title: str, **context
) -> HttpResponse:
    """One of the back office's own pages, in the admin's frame."""
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


def age(since, now=None) -> str:
    """'3 d 4 h' since a moment: how long a case has waited."""
    if since is None:
        return "—"
    delta = (now or timezone.now()) - since
    days, hours = delta.days, delta.seconds // 3600
    return f"{days} d {hours} h" if days else f"{hours} h {delta.seconds % 3600 // 60} min"


def person(user: User | None, request: HttpRequest | None = None):
    """The arbiter of a case in a queue: their name, "you", or "unassigned"."""
    if user is None:
        return badge(_("unassigned"), "muted")
    name = user.get_full_name() or user.username
    if request is not None and user.pk == request.user.pk:
        return badge(_("you"), "mine", title=name)
    return name
