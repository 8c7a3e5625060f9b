"""The marketplace's machine clients and their API keys in the admin (R-API-1).

Supervisors (``marketplace.change_apiclient``) add clients, choose their scopes and rate limit,
issue keys and revoke them. A key's secret is shown once, in the message after "Issue a new key";
only its prefix and hash are kept. Keys are never deleted or edited: revoked, with the time.
Every key change goes through ``marketplace.services.clients``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.backoffice.base import FastListMixin, NoDeleteMixin, ReadOnlyMixin
from marketplace.errors import DomainError
from marketplace.models import ApiClient, ApiKey, IdempotencyRecord, Scope
from marketplace.presentation import format_when
from marketplace.services.clients import api_key_issue, api_key_revoke

MANAGE = "marketplace.change_apiclient"


def can_manage(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm(MANAGE)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name", "account", "scopes", "is_active", "rate_limit_per_minute"]


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "account_name", "scope_list", "is_active", "rate_limit_per_minute", "keys")
    list_filter = ("is_active",)
    search_fields = ("name", "account")
    inlines = [ApiKeyInline]
    actions = ["issue_key"]

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    @admin.display(description=_("account"))
    def account_name(self, obj: ApiClient) -> str:
        return obj.account or _("(default)")

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.scopes) or "—"

    @admin.display(description=_("active keys"))
    def keys(self, obj: ApiClient) -> int:
        return sum(1 for key in obj.keys.all() if key.is_active)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiClient]:
        return super().get_queryset(request).prefetch_related("keys")

    @admin.action(description=_("Issue a new key"), permissions=["manage"])
    def issue_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            try:
                key, plaintext = api_key_issue(client=client)
            except DomainError as exc:
                self.message_user(request, f"{client}: {exc.message_text}", messages.ERROR)
                continue
            self.message_user(
                request,
                format_html(
                    _("New key of {client}, shown only now — store it in the client's secrets: {key}"),
                    client=client.name,
                    key=format_html('<code class="ax-mono">{}</code>', plaintext),
                ),
                messages.WARNING,
            )


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("prefix", "client", "created_at", "last_used", "state")
    list_filter = ("client",)
    list_select_related = ("client",)
    search_fields = ("=prefix",)
    fields = ("prefix", "client", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    @admin.display(description=_("last used"))
    def last_used(self, obj: ApiKey) -> str:
        return format_when(obj.last_used_at) if obj.last_used_at else _("never")

    @admin.display(description=_("state"))
    def state(self, obj: ApiKey) -> str:
        if obj.revoked_at is None:
            return str(_("active"))
        if obj.revoked_at > timezone.now():
            return str(_("active until %(when)s") % {"when": format_when(obj.revoked_at)})
        return str(_("revoked"))

    @admin.action(description=_("Revoke the selected keys"), permissions=["manage"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = 0
        for key in queryset:
            api_key_revoke(key=key)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d key revoked: requests with it now answer 401.",
                "%(count)d keys revoked: requests with them now answer 401.",
                count,
            )
            % {"count": count},
        )


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(FastListMixin, ReadOnlyMixin, admin.ModelAdmin):
    """What each Idempotency-Key was used for and answered (R-API-3), for support questions."""

    list_display = ("key", "client", "method", "path", "status_code", "created_at")
    list_filter = ("client",)
    list_select_related = ("client",)
    search_fields = ("=key",)
    fields = ("client", "key", "method", "path", "fingerprint", "status_code", "response_body", "created_at")
    readonly_fields = fields
