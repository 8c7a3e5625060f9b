"""What every admin list of both apps shares (STYLE #8): fast lists on big tables, and rows that
are never deleted or edited from the admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


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
        if not all(pk.isdigit() and len(pk) <= 18 for pk in selected):
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
