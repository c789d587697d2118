"""Django admin for accounts: the same role ↔ unit validation and the same scoping as the app pages."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ocop.accounts.filtersets import scope_units
from ocop.accounts.models import LAST_ADMIN_DELETE, ApiToken, Role, User, removes_last_admin
from ocop.core.scoping import ADD, CHANGE, DELETE, VIEW, can, restrict, role_can


@admin.action(permissions=["delete"], description=admin_actions.delete_selected.short_description)
def delete_selected(modeladmin, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
    """Django's "delete selected", refused with a message when it would remove the last active admin."""
    if removes_last_admin(queryset.values_list("pk", flat=True), using=queryset.db):
        modeladmin.message_user(request, LAST_ADMIN_DELETE, messages.ERROR)
        return None
    return admin_actions.delete_selected(modeladmin, request, queryset)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    # Replaces the site-wide action of the same name (User.delete() and the queryset refuse too).
    actions = [delete_selected]
    list_display = ["username", "full_name", "email", "role", "scope_unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "scope_unit__name", "scope_unit__code"]
    list_select_related = ["scope_unit"]
    ordering = ["username"]
    raw_id_fields: list[str] = []
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email")}),
        (_("Vai trò và phạm vi"), {"fields": ("role", "scope_unit")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email")}),
        (_("Vai trò và phạm vi"), {"fields": ("role", "scope_unit")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return restrict(super().get_queryset(request), request.user, VIEW)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only system administrators grant Django permissions; roles do the rest.
            readonly += ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
        return readonly

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "scope_unit":
            kwargs["queryset"] = scope_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "role":
            allowed = set(request.user.assignable_roles())
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        actor, action = request.user, CHANGE if obj is not None else ADD

        class ScopedForm(form_class):
            def _post_clean(self) -> None:
                super()._post_clean()  # User.clean(): the role ↔ unit rules
                if not self.errors and not can(actor, action, self.instance):
                    self.add_error(None, _("Bạn không có quyền quản lý tài khoản trong phạm vi này."))

        return ScopedForm

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        """The last active admin is not offered for deletion: back to its page with the reason."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and removes_last_admin([obj.pk]):
            self.message_user(request, LAST_ADMIN_DELETE, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        obj.is_superuser = obj.role == Role.ADMIN
        super().save_model(request, obj, form, change)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return role_can(request.user, VIEW, User)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return can(request.user, VIEW, obj) if obj is not None else role_can(request.user, VIEW, User)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return role_can(request.user, ADD, User)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return can(request.user, CHANGE, obj) if obj is not None else role_can(request.user, CHANGE, User)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return can(request.user, DELETE, obj) if obj is not None else role_can(request.user, DELETE, User)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created", "last_used", "expires"]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created", "last_used"]
    # Keys are only ever shown once, by the API; the admin can revoke (delete) or shorten them.
    fields = ["user", "name", "prefix", "expires", "created", "last_used"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
