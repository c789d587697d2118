"""Django admin for decisions and certificates, scoped like the app pages, with audit history."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ocop.core.admin import ScopedAdmin

from .models import Certificate, CertificateCodeCounter, CertificateReminder, Decision


class CertificateInline(admin.TabularInline):
    model = Certificate
    fk_name = "decision"
    fields = ("code", "product", "star", "potential_5_star", "number", "issue_date", "expiry", "legal_basis")
    readonly_fields = ("code", "expiry")
    raw_id_fields = ("product",)
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ScopedAdmin):
    list_display = ["number", "date", "kind", "authority", "authority_level", "legal_basis"]
    list_filter = ["kind", "authority_level", "legal_basis"]
    search_fields = ["number", "authority", "signer"]
    date_hierarchy = "date"
    raw_id_fields = ("province",)
    readonly_fields = ("created", "updated")
    inlines = [CertificateInline]


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = ["code", "product", "star", "issue_date", "expiry", "status_label", "legal_basis"]
    list_filter = ["star", "legal_basis", "revocation_ground"]
    search_fields = ["code", "number", "product__name", "product__code", "decision__number"]
    date_hierarchy = "issue_date"
    list_select_related = ["product", "superseded_by"]
    raw_id_fields = ("product", "decision", "revocation_decision", "superseded_by")
    readonly_fields = ("code", "expiry", "created", "updated")

    @admin.display(description=_("Tình trạng"))
    def status_label(self, obj: Certificate) -> str:
        return obj.status_label


@admin.register(CertificateCodeCounter)
class CertificateCodeCounterAdmin(admin.ModelAdmin):
    list_display = ["province_code", "year", "last"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CertificateReminder)
class CertificateReminderAdmin(ScopedAdmin):
    """What `ocop remind` sent; deleting a row lets that reminder go out again on the next run."""

    list_display = ["certificate", "kind", "due_on", "recipients", "created"]
    list_filter = ["kind"]
    search_fields = ["certificate__code", "certificate__product__name"]
    date_hierarchy = "due_on"
    list_select_related = ["certificate"]
    raw_id_fields = ("certificate",)
    readonly_fields = ("certificate", "kind", "due_on", "recipients", "created")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
