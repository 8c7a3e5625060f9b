"""Webhooks in the admin (R-API-5): endpoints with their delivery log, the event log.

Supervisors (``marketplace.manage_webhooks``) subscribe endpoints, change them, disable and
enable them, rotate their secret and send events again; other staff with the view permissions
read. Every change goes through ``marketplace.webhooks.services``. Secrets are shown once, in the
message after a subscription or a rotation, never on a page. Nothing here is ever deleted.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.errors import DomainError
from marketplace.events import EVENT_TYPES
from marketplace.models import DomainEvent, WebhookDelivery, WebhookEndpoint
from marketplace.presentation import admin_url, badge, format_when
from marketplace.webhooks import services

MANAGE = "marketplace.manage_webhooks"
LOG_ROWS = 50
STATUS_STYLE = {"pending": "state-pending", "succeeded": "state-completed", "failed": "state-failed"}


def can_manage(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.has_perm(MANAGE)


def status_badge(delivery: WebhookDelivery):
    return badge(delivery.get_status_display(), STATUS_STYLE[delivery.status])


class EndpointForm(forms.ModelForm):
    """The URL and the event filter, checked by the services' own rules."""

    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=[(name, name) for name in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event of the client's account."),
    )
    url = forms.CharField(label=_("URL"), max_length=2000)

    class Meta:
        model = WebhookEndpoint
        fields = ["client", "url", "event_types", "description"]

    def clean_url(self) -> str:
        return services.checked_url(self.cleaned_data["url"])

    def clean_event_types(self) -> list[str]:
        return services.checked_event_types(self.cleaned_data["event_types"])


class EndpointActionForm(ActionForm):
    since = forms.DateTimeField(
        label=_("since"),
        required=False,
        widget=forms.DateTimeInput(attrs={"placeholder": "2025-03-03 09:00"}),
        help_text=_("For “Send every event since …”."),
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    action_form = EndpointActionForm
    list_display = ("url", "client", "account", "types", "active", "secret_state", "updated_at")
    list_filter = ("is_active", "client")
    list_select_related = ("client",)
    search_fields = ("url", "description")
    actions = ["disable", "enable", "rotate_secret", "replay_since"]
    readonly_fields = ("active", "secret_state", "created_at", "updated_at", "delivery_log")

    def get_fields(self, request, obj=None):
        editable = ["client", "url", "event_types", "description"]
        if obj is None:
            return editable
        return [*editable, "active", "secret_state", "created_at", "updated_at", "delivery_log"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["client"] if obj is not None else []
        if not self.has_change_permission(request, obj):
            return [*fixed, "url", "event_types", "description", *self.readonly_fields]
        return [*fixed, *self.readonly_fields]

    # Supervisors manage; the view permission reads.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # disable instead: the delivery log keeps pointing at it

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    def get_actions(self, request):
        return super().get_actions(request) if can_manage(request) else {}

    def save_model(self, request, obj: WebhookEndpoint, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.webhook_endpoint_update(
                endpoint=obj,
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
            )
            return
        endpoint, secret = services.webhook_endpoint_create(
            client=data["client"],
            url=data["url"],
            event_types=data["event_types"],
            description=data["description"],
        )
        obj.pk, obj.secrets, obj._state.adding = endpoint.pk, endpoint.secrets, False
        self._show_secret(request, endpoint, secret)

    def _show_secret(self, request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> None:
        self.message_user(
            request,
            format_html(
                _("Signing secret of {url}, shown only now — give it to the receiver: {secret}"),
                url=endpoint.url,
                secret=format_html('<code class="ax-mono">{}</code>', secret),
            ),
            messages.WARNING,
        )

    # Columns
    @admin.display(description=_("marketplace account"))
    def account(self, obj: WebhookEndpoint) -> str:
        return obj.client.account or "—"

    @admin.display(description=_("event types"))
    def types(self, obj: WebhookEndpoint) -> str:
        if not obj.event_types:
            return _("all")
        return ", ".join(obj.event_types[:3]) + (" …" if len(obj.event_types) > 3 else "")

    @admin.display(description=_("enabled"), boolean=True, ordering="is_active")
    def active(self, obj: WebhookEndpoint) -> bool:
        return obj.is_active

    @admin.display(description=_("signing secret"))
    def secret_state(self, obj: WebhookEndpoint) -> str:
        ends = obj.rotation_ends_at()
        if ends is None:
            return _("one secret")
        return _("rotating: the previous secret also signs until %(when)s") % {"when": format_when(ends)}

    @admin.display(description=_("delivery log"))
    def delivery_log(self, obj: WebhookEndpoint):
        rows = obj.deliveries.select_related("event").order_by("-created_at", "-pk")[:LOG_ROWS]
        body = format_html_join(
            "",
            "<tr><td>{}</td><td><a href='{}'>{}</a></td><td>{}</td><td class='ax-num'>{}</td>"
            "<td class='ax-num'>{}</td><td class='ax-num'>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    format_when(d.created_at),
                    admin_url(d),
                    d.event.type,
                    status_badge(d),
                    d.attempts,
                    d.last_response_code or "—",
                    f"{d.last_response_ms} ms" if d.last_response_ms is not None else "—",
                    d.last_error or "",
                    format_when(d.next_attempt_at) if d.status == WebhookDelivery.Status.PENDING else "",
                )
                for d in rows
            ),
        )
        full = reverse("admin:marketplace_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table><p><a href='{}'>{}</a></p>",
            _("created"),
            _("event"),
            _("status"),
            _("attempts"),
            _("response code"),
            _("response time"),
            _("last error"),
            _("next attempt"),
            body,
            full,
            _("Every delivery of this endpoint"),
        )

    # Actions: short loops over the services
    @admin.action(description=_("Disable the selected endpoints"), permissions=["manage"])
    def disable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_set_active(endpoint=endpoint, active=False)
        self.message_user(request, _("Disabled: no new deliveries; pending ones wait until enabled."))

    @admin.action(description=_("Enable the selected endpoints"), permissions=["manage"])
    def enable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_set_active(endpoint=endpoint, active=True)
        self.message_user(
            request, _("Enabled. Events from while it was off can be sent with “Send every event since …”.")
        )

    @admin.action(description=_("Rotate the signing secret"), permissions=["manage"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            self._show_secret(request, endpoint, services.webhook_secret_rotate(endpoint=endpoint))

    @admin.action(description=_("Send every event since … again"), permissions=["manage"])
    def replay_since(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            since = EndpointActionForm.base_fields["since"].clean(request.POST.get("since", ""))
        except forms.ValidationError:
            since = None
        if since is None:
            self.message_user(request, _("Enter the time to send events from."), messages.ERROR)
            return
        for endpoint in queryset:
            try:
                count = services.webhook_replay(endpoint=endpoint, since=since)
            except DomainError as exc:
                self.message_user(request, f"{endpoint}: {exc.message_text}", messages.ERROR)
                continue
            self.message_user(
                request,
                ngettext(
                    "%(url)s: %(count)d event queued again.",
                    "%(url)s: %(count)d events queued again.",
                    count,
                )
                % {"url": endpoint.url, "count": count},
            )


class DeliveryStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return WebhookDelivery.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every delivery: response code, time and error of its last attempt; sent again on request."""

    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "status_display",
        "attempts",
        "last_response_code",
        "response_time",
        "last_error",
        "next_attempt_at",
        "is_replay",
    )
    list_filter = (DeliveryStatusFilter, "endpoint")
    list_select_related = ("event", "endpoint")
    show_full_result_count = False
    ordering = ("-pk",)
    actions = ["send_again"]
    fields = (
        ("event", "endpoint"),
        ("status", "is_replay", "attempts"),
        ("created_at", "last_attempt_at", "next_attempt_at", "delivered_at"),
        ("last_response_code", "last_response_ms"),
        "last_error",
    )
    readonly_fields = [name for line in fields for name in (line if isinstance(line, tuple) else [line])]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    @admin.display(description=_("event"), ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: WebhookDelivery):
        return status_badge(obj)

    @admin.display(description=_("response time"), ordering="last_response_ms")
    def response_time(self, obj: WebhookDelivery) -> str:
        return f"{obj.last_response_ms} ms" if obj.last_response_ms is not None else "—"

    @admin.action(description=_("Send again (same webhook-id)"), permissions=["manage"])
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        sent = 0
        for delivery in queryset.select_related("event", "endpoint"):
            try:
                sent += services.webhook_replay(endpoint=delivery.endpoint, event=delivery.event)
            except DomainError as exc:
                self.message_user(request, f"{delivery}: {exc.message_text}", messages.ERROR)
        if sent:
            self.message_user(
                request,
                ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", sent)
                % {"count": sent},
            )


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    """The outbox: every event as it was recorded (never edited), with its deliveries."""

    list_display = ("created_at", "type", "uid", "account", "order")
    list_select_related = ("order",)
    search_fields = ("=uid", "=type")
    show_full_result_count = False
    ordering = ("-pk",)
    fields = (("uid", "type"), ("account", "order", "created_at"), "payload", "deliveries_of")
    readonly_fields = ["uid", "type", "account", "order", "created_at", "payload", "deliveries_of"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("data"))
    def payload(self, obj: DomainEvent):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))

    @admin.display(description=_("deliveries"))
    def deliveries_of(self, obj: DomainEvent):
        rows = obj.deliveries.select_related("endpoint").order_by("pk")
        return format_html_join(
            "",
            "<div><a href='{}'>{}</a> {} {}</div>",
            ((admin_url(d), d.endpoint.url, status_badge(d), format_when(d.delivered_at)) for d in rows),
        ) or _("None: no endpoint of this account wanted it when it happened.")
