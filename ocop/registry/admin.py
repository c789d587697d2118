"""Django admin for the registry, with the same scoping as the app pages and audit history."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ocop.core.admin import ScopedAdmin

from .forms import ProductImageForm
from .models import ChangeRequest, ImportJob, Producer, Product, ProductCodeCounter, ProductImage


class LocatedAdmin(ScopedAdmin):
    raw_id_fields = ("unit",)
    readonly_fields = ("province", "commune")


@admin.register(Producer)
class ProducerAdmin(LocatedAdmin):
    list_display = ["name", "producer_type", "tax_code", "province", "commune", "status"]
    list_filter = ["producer_type", "status"]
    search_fields = ["name", "search_text", "tax_code"]
    list_select_related = ["province", "commune"]
    readonly_fields = ("province", "commune", "created", "updated")


class ProductImageInline(admin.TabularInline):
    # The app's form: admin uploads get the same decoded-image checks.
    model = ProductImage
    form = ProductImageForm
    extra = 0
    fields = ("image", "caption", "position", "format", "width", "height")
    readonly_fields = ("format", "width", "height")


@admin.register(Product)
class ProductAdmin(LocatedAdmin):
    inlines = [ProductImageInline]
    list_display = [
        "name",
        "code",
        "producer",
        "classification_set",
        "province",
        "commune",
        "current_status",
        "status",
    ]
    list_filter = ["classification_set", "status"]
    search_fields = ["name", "search_text", "code", "legacy_code", "gtin"]
    list_select_related = ["producer", "province", "commune"]
    raw_id_fields = ("unit", "producer")
    readonly_fields = ("code", "code_sequence", "code_year", "province", "commune", "created", "updated")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).with_programme_status()

    @admin.display(description=_("Tình trạng hiện tại (theo giấy chứng nhận)"), ordering="programme_status")
    def current_status(self, obj: Product) -> str:
        return obj.programme_status_label


@admin.register(ProductCodeCounter)
class ProductCodeCounterAdmin(admin.ModelAdmin):
    list_display = ["commune", "last"]
    raw_id_fields = ("commune",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The import wizard's jobs, to follow them (read only: the tasks write them)."""

    list_display = ["created", "user", "kind", "filename", "phase", "rows_total", "error_count", "finished"]
    list_filter = ["phase", "kind"]
    search_fields = ["filename", "user__username"]
    list_select_related = ["user"]
    exclude = ["token"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ScopedAdmin):
    """Change requests as asked and decided (read only: deciding goes through the app's rules)."""

    list_display = [
        "__str__",
        "product",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["product__name", "product__code", "reason"]
    list_select_related = ["product", "requested_by", "decided_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
