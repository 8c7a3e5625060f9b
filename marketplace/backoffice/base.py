"""What every admin list of both apps shares (STYLE #8): fast lists on big tables, rows that
are never deleted or edited from the admin, and a list's rows as CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from marketplace.text import is_plain_number


class CappedCountPaginator(Paginator):
    """Counts at most ``CAP`` rows: ``SELECT COUNT(*) FROM (SELECT id … LIMIT CAP+1)``.

    A full COUNT over a million orders costs more than the page itself and tells an operator
    nothing they act on; "10,000+" does. Filtered lists below the cap show the exact count.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by().values("pk")[: self.CAP + 1].count()
        self.capped = counted > self.CAP
        return min(counted, self.CAP)

    capped = False


class FastListMixin:
    """List settings every big table shares (STYLE #8)."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are one COUNT per filter choice
    list_per_page = 50

    def action_checkbox(self, obj):
        # Django renders each row's checkbox through the form-widget templates: a third of a
        # 50-row page's time. The same HTML, written directly.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def response_action(self, request: HttpRequest, queryset):
        # The checkboxes carry primary keys; a hand-made POST with anything else is "nothing
        # selected" (as Django answers an empty selection), not a database error.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_plain_number(pk) for pk in selected):
            self.message_user(
                request,
                _("Items must be selected in order to perform actions on them. No items have been changed."),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)


class NoDeleteMixin:
    """Money, evidence and case history are never deleted (R-ESC-2, R-EVD-3, R-DSP-7)."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Rows that change only through services: viewable, never added or edited in the admin."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class _Echo:
    """The file-like object ``csv.writer`` writes a row to: it hands the line back."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str:
    """One cell: dates as ISO, money as a plain decimal; text a spreadsheet would run as a
    formula (an item title starting with "=") is kept as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


class CsvExportMixin:
    """A list's rows as CSV, with the filters, the search and the order now on the page
    (the link carries the page's query string); streamed, so a big export holds one chunk of
    rows in memory at a time. ``csv_columns``: (header, function of a row) pairs;
    ``csv_related``: the joins those functions read."""

    csv_columns: Sequence[tuple[str, Callable]] = ()
    csv_related: Sequence[str] = ()
    csv_name = "export"

    def get_urls(self):
        opts = self.model._meta  # type: ignore[attr-defined]
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.csv_view),  # type: ignore[attr-defined]
                name=f"{opts.app_label}_{opts.model_name}_export",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def csv_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)  # type: ignore[attr-defined]
        rows = changelist.queryset.select_related(*self.csv_related)
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"  # spreadsheets read the file as UTF-8 (names in Cyrillic)
            yield writer.writerow([str(header) for header, _value in self.csv_columns])
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow([csv_cell(value(row)) for _header, value in self.csv_columns])

        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{self.csv_name}-{stamp}.csv"'},
        )
