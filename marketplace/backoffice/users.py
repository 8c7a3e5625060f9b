"""People and the scheduler in the admin. ``arbitration.backoffice.people`` adds the parties'
dispute records (R-ARB-5) to this page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice.base import FastListMixin, NoDeleteMixin
from marketplace.backoffice.forms import UserChangeForm, UserCreationForm
from marketplace.models import User


@admin.register(User)
class UserAdmin(FastListMixin, NoDeleteMixin, DjangoUserAdmin):
    """Accounts are switched off, never deleted: their money rows and cases point at them."""

    form = UserChangeForm
    add_form = UserCreationForm

    list_display = ("username", "get_full_name", "email", "is_staff", "is_system", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "is_system", "groups")
    search_fields = ("^username", "=email")
    ordering = ("-pk",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Marketplace"), {"fields": ("preferred_language", "return_address", "is_system")}),
    )
    readonly_fields = ("is_system", "last_login", "date_joined")

    def get_search_results(self, request, queryset, search_term):
        """Username prefix (the unique index serves LIKE 'x%' on PostgreSQL) or exact email."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(email__iexact=term), False
        return queryset.filter(username__startswith=term), False

    @admin.display(description=_("name"))
    def get_full_name(self, obj: User) -> str:
        return obj.get_full_name()
