"""Oversight in the admin: scoped like the app, read-only. Every write goes through the app's steps
(planning, steps, consequences, triage, signals), which lock rows, send the notices and open the
revocation; an admin form would bypass them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ocop.core.admin import ScopedAdmin
from ocop.core.scoping import CHANGE, can

from .models import (
    Attachment,
    ConsumerReport,
    Finding,
    InspectedProduct,
    Inspection,
    InspectionPlan,
    ScanSignal,
)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "kind", "province", "year", "starts_on", "ends_on", "status"]
    list_filter = ["level", "kind", "status", "year"]
    search_fields = ["title", "number"]
    list_select_related = ["province"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = [
        "producer",
        "plan",
        "status",
        "scheduled_on",
        "inspected_on",
        "conclusion",
        "concluded_on",
    ]
    list_filter = ["status", "conclusion"]
    search_fields = ["producer__name", "plan__title"]
    list_select_related = ["producer", "plan"]


@admin.register(InspectedProduct)
class InspectedProductAdmin(ReadOnlyAdmin):
    list_display = ["product", "inspection", "certificate", "outcome", "ground", "deadline", "resolved_on"]
    list_filter = ["outcome", "ground"]
    search_fields = ["product__name", "inspection__producer__name"]
    list_select_related = ["product", "inspection__producer", "certificate"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["code", "product", "inspection", "kind", "answer"]
    list_filter = ["kind", "answer"]
    search_fields = ["code", "label", "product__name"]
    list_select_related = ["product", "inspection__producer"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "inspection", "content_type", "size", "uploaded_at"]
    list_select_related = ["inspection__producer"]


@admin.register(ConsumerReport)
class ConsumerReportAdmin(ReadOnlyAdmin):
    list_display = ["receipt_code", "kind", "province", "status", "created"]
    list_filter = ["kind", "status"]
    search_fields = ["receipt_code", "code"]
    list_select_related = ["province"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The reporter's contact and photo: only for the officers who handle the report (as in the app).
        if obj is not None and can(request.user, CHANGE, obj):
            return []
        return ["contact_name", "contact", "photo"]


@admin.register(ScanSignal)
class ScanSignalAdmin(ReadOnlyAdmin):
    list_display = ["rule", "product", "certificate", "code", "scans", "last_day", "status"]
    list_filter = ["rule", "status"]
    search_fields = ["code", "product__name"]
    list_select_related = ["product", "certificate"]
