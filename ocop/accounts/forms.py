"""Account management forms: whoever fills them in can only hand out roles and units inside their scope."""

import logging
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from ocop.accounts.filtersets import scope_units
from ocop.accounts.models import Role, User
from ocop.core.forms import BootstrapFormMixin
from ocop.core.scoping import ADD, CHANGE, can

logger = logging.getLogger(__name__)


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    def get_users(self, email: str):
        """Django's choice, except that an address held by several accounts gets no link at all.

        New accounts cannot share an address (``User.validate_unique``); one shared from before that
        rule would otherwise receive a reset link for each account, handing them all to whoever reads
        the mailbox. The page says the same as for any address (no hint), the log says why.
        """
        shared = User._base_manager.filter(email__iexact=email).count()
        if shared > 1:
            logger.warning("password reset not sent: %d accounts share the address asked for", shared)
            return iter(())
        return super().get_users(email)


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


class UserForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit an account on behalf of `actor` (the logged-in user)."""

    password1 = forms.CharField(
        label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "role", "scope_unit", "is_active"]
        field_classes = {"scope_unit": UnitChoiceField}
        labels = {
            "username": _("Tên đăng nhập"),
            "email": _("Thư điện tử"),
            "is_active": _("Đang hoạt động"),
        }
        help_texts = {
            "username": _("Tối đa 150 ký tự: chữ, số và @ . + - _"),
            "scope_unit": _(
                "Để trống với vai trò quản trị, cơ quan trung ương và thành viên hội đồng cấp trung ương"
                " (phạm vi toàn quốc)."
            ),
            "is_active": _("Bỏ chọn để khoá tài khoản thay vì xoá."),
        }

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.creating = self.instance._state.adding
        roles = set(actor.assignable_roles())
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        units = scope_units(actor).select_related("current_province")
        self.fields["scope_unit"].queryset = units
        self.fields["scope_unit"].required = False
        if not self.creating:
            # Passwords are changed by their owner or reset by e-mail, never typed in by a manager.
            del self.fields["password1"]
            del self.fields["password2"]

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("Hai mật khẩu không khớp."))
        return second

    def _post_clean(self) -> None:
        super()._post_clean()  # model validation: User.clean() checks the role ↔ unit rules
        password = self.cleaned_data.get("password2")
        if self.creating and password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password2", error)
        if not self.errors and not can(self.actor, ADD if self.creating else CHANGE, self.instance):
            self.add_error(None, _("Bạn không có quyền quản lý tài khoản trong phạm vi này."))

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.is_superuser = user.role == Role.ADMIN
        if user.role == Role.ADMIN:
            user.is_staff = True
        if self.creating:
            user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user
