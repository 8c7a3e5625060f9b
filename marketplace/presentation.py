"""How money, moments, states and history read — the one place for display, used by both apps'
pages, the admin, emails and the texts of refusals.

Nothing here changes anything; it turns values into words and small bits of HTML.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import formats, numberformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from marketplace.fsm import transition_label
from marketplace.models import Order, Refund, User
from marketplace.selectors import OrderHistory

# --- Money and moments ------------------------------------------------------------------------

SYMBOLS = {"USD": "$", "EUR": "€", "RUB": "₽"}
# Where the currency sign goes, per language: "$1,490.00" in English, "1 490,00 $" in Russian.
PATTERNS = {"en": "{sign}{symbol}{number}", "ru": "{sign}{number}\u00a0{symbol}"}


@functools.cache
def _number_format(language: str) -> tuple[Any, ...]:
    """The language's decimal separator, grouping and thousands separator (read once per language)."""
    return tuple(
        formats.get_format(name, lang=language)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )


def format_money(amount: Decimal | int | float | str | None, currency: str = "") -> str:
    """The one money formatter: "$1,490.00" (en) or "1 490,00 $" (ru), every cent shown, grouped
    by thousands with the reader's separators; "—" for no amount."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(amount)
    language = (get_language() or "en").split("-")[0]
    decimal_sep, grouping, thousand_sep = _number_format(language)
    number = numberformat.format(
        abs(value),
        decimal_sep,
        decimal_pos=2,
        grouping=grouping,
        thousand_sep=thousand_sep,
        force_grouping=True,
        use_l10n=True,
    )
    pattern = PATTERNS.get(language, PATTERNS["en"])
    return pattern.format(
        sign="-" if value < 0 else "", symbol=SYMBOLS.get(currency, currency), number=number
    )


# How the reader sees the person who acted: a name for staff, a role for the parties.
Actor = Callable[[User | None], str]


def format_when(moment: datetime | None, *, zone: bool = True) -> str:
    """A moment in the reader's language and time zone ("4 April 2025, 09:00 UTC")."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    text = formats.date_format(local, "DATETIME_FORMAT")
    return f"{text} {local.tzname()}" if zone else text


@functools.lru_cache(maxsize=4096)
def _calendar_day(day: date, language: str | None) -> str:
    return formats.date_format(day, "DATE_FORMAT")  # in ``language``, the active one


def format_day(moment: datetime) -> str:
    """A moment's day in the reader's language and time zone ("4 April 2025"). A day's text never
    changes, so each day is formatted once per language and process (issue 15: a row of "my
    orders" shows two, and Django's date formatting costs ~40 µs each)."""
    return _calendar_day(timezone.localtime(moment).date(), get_language())


def url_for_ids(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many ids of one page (a list's rows): the URL is reversed
    once and each id put in its place. For a URL whose only argument is an ``<int:…>``."""
    marker = 2_147_483_647
    prefix, suffix = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{prefix}{int(pk)}{suffix}"


def person_name(user: User | None, viewer: User | None = None) -> str:
    """A person as staff read them: the name, "(you)" for the reader, "Scheduler" for the system."""
    if user is None:
        return "—"
    if user.is_system:
        return _("Scheduler")
    name = user.get_full_name() or user.username
    return _("%(name)s (you)") % {"name": name} if viewer is not None and viewer.pk == user.pk else name


def staff_actor(viewer: User | None) -> Actor:
    """How staff read who acted in a timeline: names, "(you)", "Scheduler"."""
    return lambda user: person_name(user, viewer)


# --- Admin bits (styles in static/admin_ext/admin.css) ------------------------------------------


def badge(text: object, kind: str = "neutral", title: str = "") -> SafeString:
    """A small coloured label."""
    return format_html('<span class="ax-badge ax-{}" title="{}">{}</span>', kind, title, text)


def state_badge(obj: Model, field: str = "state") -> SafeString:
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    return badge(label, f"state-{value}")


def due_badge(due_at: datetime | None, *, done: bool = False, now: datetime | None = None) -> str:
    """'in 3 days' / '2 days overdue' next to a deadline; hours when it is less than a day away."""
    if due_at is None or done:
        return ""
    now = now or timezone.now()
    seconds = abs((due_at - now).total_seconds())
    days, hours = round(seconds / 86400), max(1, round(seconds / 3600))
    if due_at <= now:
        if seconds < 86400:
            return badge(_("%(n)d h overdue") % {"n": hours}, "overdue")
        return badge(ngettext("%(n)d day overdue", "%(n)d days overdue", days) % {"n": days}, "overdue")
    if seconds < 86400:
        return badge(_("in %(n)d h") % {"n": hours}, "due-soon")
    text = ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
    return badge(text, "due-soon" if seconds < 3 * 86400 else "neutral")


def admin_url(obj: Model, action: str = "change") -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=[obj.pk])


# --- The timeline (R-SEC-2, R-ARB-3, R-DSP-10) ------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One step in a case's history: when, what, who; for staff also the subject and state change."""

    at: datetime
    text: str
    who: str = ""
    detail: str = ""
    subject: str = ""
    change: str = ""
    kind: str = ""


def _keep_all(log: StateLog) -> bool:
    return False


def transition_entries(
    objects: Iterable[Model | None],
    *,
    actor: Actor,
    skip: Callable[[StateLog], bool] = _keep_all,
    logs: Iterable[StateLog] | None = None,
) -> list[TimelineEntry]:
    """Every recorded transition of ``objects`` (who, when, from what to what), in one query; or
    from ``logs``, their transitions read already (``selectors.order_history``), oldest first."""
    saved = [obj for obj in objects if obj is not None and obj.pk is not None]
    models = {type(obj) for obj in saved}
    types = ContentType.objects.get_for_models(*models) if models else {}
    condition = Q(pk__in=[])
    for obj in saved:
        condition |= Q(content_type=types[type(obj)], object_id=obj.pk)
    model_of = {ct.pk: model for model, ct in types.items()}
    if logs is None:
        logs = (
            StateLog.objects.filter(condition).select_related("by").order_by("timestamp", "id")
            if saved
            else []
        )
    entries = []
    content_types = {ct.pk: ct for ct in types.values()}
    for log in logs:
        if skip(log):
            continue
        model = model_of[log.content_type_id]
        log.content_type = content_types[log.content_type_id]  # the state labels read it: no query per row
        change = log.get_state_display()
        if log.source_state and log.source_state != log.state:
            change = f"{log.get_source_state_display()} → {change}"
        name = model._meta.model_name or ""
        subject = {"dispute": _("Dispute"), "order": _("Order")}.get(
            name, f"{str(model._meta.verbose_name).capitalize()} #{log.object_id}"
        )
        entries.append(
            TimelineEntry(
                at=log.timestamp,
                text=transition_label(model, log.transition),
                who=actor(log.by) if log.by_id else "—",
                detail=log.description or "",
                subject=subject,
                change=change,
                kind=name,
            )
        )
    return entries


def order_entries(order: Order, *, actor: Actor, history: OrderHistory | None = None) -> list[TimelineEntry]:
    """What happened to an order besides its transitions: paid, carrier events, extension requests
    (read from ``history`` when the page read them already, ``selectors.order_history``)."""
    entries = [TimelineEntry(order.paid_at, _("Paid"), actor(order.buyer), subject=_("Order"), kind="order")]
    shipment = getattr(order, "shipment", None)  # none until shipped
    if shipment is not None:
        for event in history.tracking if history else shipment.events.all():
            entries.append(
                TimelineEntry(
                    event.occurred_at,
                    _("Carrier: %(status)s") % {"status": event.get_status_display()},
                    shipment.carrier,
                    event.location,
                    subject=_("Order"),
                    kind="carrier",
                )
            )
    for request in history.extension_requests if history else order.extension_requests.all():
        entries.append(
            TimelineEntry(
                request.created_at,
                _("Asked for %(days)s more days of protection") % {"days": request.days},
                actor(request.requested_by),
                subject=_("Order"),
                kind="order",
            )
        )
        if request.answered_at and request.status != request.Status.PENDING:
            entries.append(
                TimelineEntry(
                    request.answered_at,
                    request.get_status_display(),
                    actor(request.answered_by),
                    subject=_("Order"),
                    kind="order",
                )
            )
    return entries


def timeline(
    *objects: Model | None,
    actor: Actor,
    order: Order | None = None,
    skip: Callable[[StateLog], bool] = _keep_all,
    history: OrderHistory | None = None,
) -> list[TimelineEntry]:
    """The one timeline: the transitions of ``objects`` and, with ``order``, its other events, oldest
    first. The reader's view of people comes in ``actor`` (names for staff, roles for parties).
    ``history``: ``selectors.order_history(order, objects)``, when the page read it already (the
    transitions, tracking and extension requests in one query)."""
    logs = history.transitions if history else None
    entries = transition_entries(objects, actor=actor, skip=skip, logs=logs)
    if order is not None:
        entries += order_entries(order, actor=actor, history=history)
    return sorted(entries, key=lambda entry: entry.at)


def refund_status(refund: Refund) -> str:
    """Where a refund is, with its dates, in one sentence: the same words on the refund page, the
    order list, the order and dispute pages and the money trail. Only a paid refund is "paid";
    a sent one is "sent, not paid yet"."""
    S = Refund.State
    if refund.state == S.COMPLETED:
        return _("Paid on %(date)s.") % {"date": format_when(refund.completed_at)}
    if refund.state == S.SENT:
        text = _("Sent to the payment provider on %(date)s; not paid yet.") % {
            "date": format_when(refund.sent_at)
        }
    elif refund.state == S.FAILED:
        text = _("The payout failed on %(date)s; finance sends it again.") % {
            "date": format_when(refund.failed_at)
        }
    else:
        text = _("Being prepared; not sent yet.")
    if refund.overdue_flagged_at is not None:
        return (
            text
            + " "
            + _("It was due by %(due)s; a complaint to arbitration was opened for you on %(date)s.")
            % {"due": format_when(refund.due_at), "date": format_when(refund.overdue_flagged_at)}
        )
    if refund.is_overdue:
        return text + " " + _("Overdue: it was due by %(due)s.") % {"due": format_when(refund.due_at)}
    return text + " " + _("Due by %(due)s.") % {"due": format_when(refund.due_at)}
