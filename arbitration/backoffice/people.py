"""People in the back office: the user admin with each party's dispute record — a seller's
penalties, disputes, loss rate and solicitation flags (R-ARB-5), a buyer's past disputes and
outcomes (R-ARB-3). It extends the money core's user admin (``marketplace.backoffice.users``)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from arbitration.models import Dispute
from arbitration.selectors import buyer_record, seller_record
from marketplace.backoffice.users import UserAdmin
from marketplace.models import LedgerEntry, User
from marketplace.presentation import badge


def _count(queryset, group_by: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


admin.site.unregister(User)


@admin.register(User)
class ArbitrationUserAdmin(UserAdmin):
    """A seller's page shows penalties, dispute count, loss rate and solicitation flags (R-ARB-5);
    a buyer's, their past disputes and outcomes (R-ARB-3)."""

    list_display = (
        "username",
        "get_full_name",
        "email",
        "is_staff",
        "as_seller",
        "as_buyer",
        "flags",
        "date_joined",
    )
    readonly_fields = (*UserAdmin.readonly_fields, "dispute_record")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not self.has_change_permission(request, obj):
            # Readers (arbiters, finance) get no password hash and no "reset password" button.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets
            ]
        return ((_("Disputes and penalties"), {"fields": ("dispute_record",)}), *fieldsets)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                seller_disputes=_count(Dispute.objects.filter(seller=OuterRef("pk")), "seller"),
                buyer_disputes=_count(Dispute.objects.filter(buyer=OuterRef("pk")), "buyer"),
                seller_flags=Coalesce(
                    Subquery(
                        Dispute.objects.filter(seller=OuterRef("pk"))
                        .order_by()
                        .values("seller")
                        .annotate(n=Sum("solicitation_flags"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    Value(0),
                ),
            )
        )

    @admin.display(description=_("disputes as seller"), ordering="seller_disputes")
    def as_seller(self, obj: User):
        return obj.seller_disputes or ""

    @admin.display(description=_("disputes as buyer"), ordering="buyer_disputes")
    def as_buyer(self, obj: User):
        return obj.buyer_disputes or ""

    @admin.display(description=_("flags"), ordering="seller_flags")
    def flags(self, obj: User):
        return badge(f"⚑ {obj.seller_flags}", "flag") if obj.seller_flags else ""

    @admin.display(description=_("record"))
    def dispute_record(self, obj: User):
        penalties = (
            LedgerEntry.objects.filter(party=obj, kind=LedgerEntry.Kind.PENALTY)
            .select_related("order", "actor")
            .order_by("-created_at")[:20]
        )
        as_seller = Dispute.objects.filter(seller=obj).select_related("order").order_by("-opened_at")[:10]
        return render_to_string(
            "admin/arbitration/includes/user_record.html",
            {
                "seller": seller_record(obj),
                "buyer": buyer_record(obj),
                "penalties": list(penalties),
                "as_seller": list(as_seller),
            },
        )
