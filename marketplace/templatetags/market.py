"""Template helpers for the buyer and seller pages: money and deadlines in the reader's language."""

from __future__ import annotations

import functools
from datetime import datetime

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, json_script
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from marketplace.presentation import format_day, format_money, format_when
from marketplace.presentation import refund_status as refund_status_text
from marketplace.text import without_bidi_controls

register = template.Library()


@register.filter(needs_autoescape=True)
def isolated(value, autoescape: bool = True) -> str:
    """A person's text (a message, a name, a file name) as its own bidirectional island:
    ``{{ message.body|isolated }}`` → ``<bdi>…</bdi>``, escaped, without direction controls
    (``marketplace.text``). Right-to-left text then cannot reorder the page's words around it.
    After ``linebreaksbr`` (already escaped) it keeps the line breaks. Not for attributes."""
    if value is None or value == "":
        return ""
    text = without_bidi_controls(str(value))
    if autoescape:
        text = conditional_escape(text) if not isinstance(value, SafeData) else text
    return mark_safe(f"<bdi>{text}</bdi>")  # escaped above; removing controls adds no markup


@register.filter
def money(amount, currency: str = "") -> str:
    """``{{ refund.amount|money:refund.currency }}`` → "$1,490.00" (en) or "1 490,00 $" (ru)."""
    return "" if amount is None or amount == "" else format_money(amount, currency)


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the reader's language, with its time zone, as a machine-readable <time>."""
    if not value:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', timezone.localtime(value).isoformat(), format_when(value)
    )


@register.filter
def day(value: datetime | None) -> str:
    if not value:
        return ""
    moment = timezone.localtime(value).isoformat()
    return format_html('<time datetime="{}">{}</time>', moment, format_day(value))


def time_left_text(deadline: datetime, now: datetime | None = None) -> str:
    """ "12 days left", "5 hours left", "less than an hour left", or "ended"."""
    seconds = (deadline - (now or timezone.now())).total_seconds()
    if seconds <= 0:
        return _("ended")
    # Whole days, rounded down (a deadline is never closer than it reads); the last minute is
    # ignored so a 60-day protection reads "60 days left" right after shipping.
    days = int((seconds + 60) // 86400)
    if days >= 1:
        return ngettext("%(count)d day left", "%(count)d days left", days) % {"count": days}
    hours = int(seconds // 3600)
    if hours >= 1:
        return ngettext("%(count)d hour left", "%(count)d hours left", hours) % {"count": hours}
    return _("less than an hour left")


@register.filter
def time_left(deadline: datetime | None) -> str:
    """A countdown to ``deadline``; the page's script ticks it in the last day (progressive)."""
    if not deadline:
        return ""
    seconds = (deadline - timezone.now()).total_seconds()
    css = "countdown urgent" if seconds < 3 * 86400 else "countdown"
    return format_html(
        '<span class="{}" data-deadline="{}">{}</span>', css, deadline.isoformat(), time_left_text(deadline)
    )


@register.simple_tag
def evidence_url(evidence, thumbnail: bool = False) -> str:
    """The permission-checked URL of an evidence file (R-EVD-3), or "" while serving is unavailable."""
    name = "evidence-thumbnail" if thumbnail else "evidence-file"
    try:
        return reverse(name, args=[evidence.pk])
    except NoReverseMatch:
        return ""


@register.filter
def refund_status(refund) -> str:
    """Where a refund is, with its dates (``marketplace.presentation.refund_status``)."""
    return refund_status_text(refund)


@register.simple_tag
def site_text() -> str:
    """The few sentences the page's script shows (upload progress, file checks, countdowns), in the
    reader's language. The file messages are the server's own (``arbitration.evidence``), word for word.
    The same on every page: written once per language and process (issue 15)."""
    return _site_text(get_language())


@functools.lru_cache(maxsize=16)
def _site_text(language: str | None) -> str:  # in ``language``, the active one
    return json_script(
        {
            "uploading": _("Uploading…"),
            "processing": _("Uploaded. Checking the files…"),
            "failed": _("The upload failed. Check your connection and send again."),
            "tooLarge": _("“%(name)s” is too large (%(size)s)."),
            "limits": {
                "image": _("Photos can be up to %(limit)s MB."),
                "video": _("Videos can be up to %(limit)s MB."),
                "pdf": _("PDF documents can be up to %(limit)s MB."),
            },
            "badType": _(
                "“%(name)s” is not a photo, video or PDF, so it can't be added. Accepted: JPEG, PNG, WebP "
                "and GIF photos, MP4, WebM and MOV videos, and PDF documents."
            ),
            "left": _("%(time)s left"),
            "ended": _("ended"),
            "selected": _("Selected:"),
            "chars": _("%(count)s of %(max)s characters"),
            "charsOver": _("%(over)s characters too many: shorten the text. Nothing is cut."),
        },
        "site-text",
    )


@register.filter
def show_when(form, field_name: str) -> str:
    """A form's ``show_when = {"amount": "kind=partial_refund"}``: the script hides the field otherwise."""
    return getattr(form, "show_when", {}).get(field_name, "")


def with_html(text: str, **values) -> str:
    """A translated sentence with HTML values (e.g. a <time>) put in: the sentence is escaped, the
    values keep their markup (or are escaped if they are plain text)."""
    return mark_safe(conditional_escape(text) % {k: conditional_escape(v) for k, v in values.items()})


@register.filter
def protection(order) -> str:
    """The order's buyer protection in a few words, with its countdown (R-PRT-1, R-PRT-2).

    A filter rather than an included template: it is shown on every row of the order lists."""
    if order.is_protected:
        return format_html(
            '{}<br><span class="small muted">{}</span>',
            time_left(order.protection_deadline),
            with_html(_("until %(date)s"), date=day(order.protection_deadline)),
        )
    if order.state == "paid":
        return format_html('<span class="muted">{}</span>', _("Starts when the order ships"))
    if order.dispute_window_open:
        return format_html(
            '{}<br><span class="small muted">{}</span>',
            time_left(order.dispute_deadline),
            with_html(_("to open a dispute, until %(date)s"), date=day(order.dispute_deadline)),
        )
    if order.state == "disputed":
        return format_html("<span>{}</span>", _("In dispute: the payment is on hold"))
    return format_html('<span class="muted">{}</span>', _("Ended"))
