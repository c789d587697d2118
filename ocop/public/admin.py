"""Admin for the scan counters: read-only, with the app's scoping (rows are written by the flush)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ocop.core.scoping import VIEW, can, restrict, role_can

from .models import ScanCount


@admin.register(ScanCount)
class ScanCountAdmin(admin.ModelAdmin):
    list_display = ["day", "product", "kind", "object_id", "source", "count"]
    list_filter = ["kind", "source", "day"]
    search_fields = ["product__name", "product__code"]
    date_hierarchy = "day"
    list_select_related = ["product"]
    raw_id_fields = ("product",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScanCount]:
        return restrict(super().get_queryset(request), request.user, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, VIEW, obj) if obj is not None else role_can(request.user, VIEW, ScanCount)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
