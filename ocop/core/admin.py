"""Admin base shared by every app: the same scoping as the app pages, with audit history."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ocop.core.models import Notification
from ocop.core.scoping import ADD, CHANGE, DELETE, VIEW, can, restrict, role_can


class ScopedAdmin(SimpleHistoryAdmin):
    """The admin with exactly the app's scoping: querysets restricted, permissions from can()."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return restrict(super().get_queryset(request), request.user, VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, VIEW, obj) if obj is not None else role_can(request.user, VIEW, self.model)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return role_can(request.user, ADD, self.model)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            can(request.user, CHANGE, obj) if obj is not None else role_can(request.user, CHANGE, self.model)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            can(request.user, DELETE, obj) if obj is not None else role_can(request.user, DELETE, self.model)
        )


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    """Notifications as sent (read-only): the recipient sees their own; the system administrator all."""

    list_display = ["user", "kind", "shown_title", "created", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name", "kind"]
    date_hierarchy = "created"
    list_select_related = ["user"]
    raw_id_fields = ("user",)
    readonly_fields = (
        "user",
        "kind",
        "subject",
        "message",
        "params",
        "url",
        "created",
        "read_at",
        "emailed_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("tiêu đề"))
    def shown_title(self, obj: Notification) -> str:
        return obj.title
