"""Plans in the admin: scoped like the app, read-only. Every write goes through the app's pages and
API, which check who may write which unit's plan and record why in the history."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ocop.core.admin import ScopedAdmin

from .models import ManualValue, PeriodicReport, Plan, Target


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["indicator", "value", "deadline", "baseline", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "province", "commune", "start_year", "end_year", "document_number"]
    list_filter = ["level", "start_year", "end_year"]
    search_fields = ["title", "document_number", "document_issuer"]
    list_select_related = ["province", "commune"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "plan", "value", "deadline", "baseline"]
    list_filter = ["indicator"]
    search_fields = ["indicator", "plan__title"]
    list_select_related = ["plan"]


@admin.register(ManualValue)
class ManualValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "level", "province", "commune", "period_start", "period_end", "value"]
    list_filter = ["indicator", "level"]
    search_fields = ["indicator", "source"]
    list_select_related = ["province", "commune"]


@admin.register(PeriodicReport)
class PeriodicReportAdmin(ReadOnlyAdmin):
    # Read-only: a report is made, refreshed and filed only through its steps (plans.periodic.steps).
    list_display = ["kind", "year", "level", "province", "commune", "status", "filed_at", "filed_by"]
    list_filter = ["kind", "status", "level", "year"]
    search_fields = ["narrative", "province__name", "commune__name"]
    list_select_related = ["province", "commune", "filed_by"]
    exclude = ["figures"]  # the frozen figures are read on the report's page, its XLSX and PDF
