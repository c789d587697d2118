"""Admin base shared by every app: the same scoping as the app pages, with audit history."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

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
