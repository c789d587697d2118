"""Sign-in pages (Django's auth views with our templates) and account management, scoped by role."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, UpdateView
from django_filters.views import FilterView

from ocop.accounts import forms
from ocop.accounts.filtersets import UserFilterSet
from ocop.accounts.forms import UserForm
from ocop.accounts.models import User
from ocop.accounts.tables import UserTable
from ocop.core.generic import TableListMixin, VersionedUpdateMixin
from ocop.core.scoping import ADD, CHANGE, RestrictedViewMixin, role_can

# --- authentication ---


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    # POST only (Django's LogoutView refuses GET): a link cannot sign anybody out.
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = forms.PasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- account management ---


class UserListView(LoginRequiredMixin, RestrictedViewMixin, TableListMixin, FilterView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[User]:
        return super().get_queryset().select_related("scope_unit")

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["core/includes/object_list_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Tài khoản người dùng")
        context["can_add"] = role_can(self.request.user, ADD, User)
        return context


class UserFormMixin(LoginRequiredMixin, RestrictedViewMixin):
    model = User
    form_class = UserForm
    template_name = "accounts/user_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def get_success_url(self) -> str:
        return reverse("accounts:user_list")


class UserCreateView(UserFormMixin, CreateView):
    restrict_action = ADD

    def form_valid(self, form: UserForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã tạo tài khoản “%(name)s”.") % {"name": self.object.username})
        return response


class UserUpdateView(VersionedUpdateMixin, UserFormMixin, UpdateView):
    # The object comes from restrict(user, "change"): out-of-scope accounts are a 404.
    restrict_action = CHANGE

    def form_valid(self, form: UserForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã lưu tài khoản “%(name)s”.") % {"name": self.object.username})
        return response
