import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.accounts.models import User
from ocop.core.scoping import CHANGE, can
from ocop.core.tables import Table


class UserTable(Table):
    username = tables.Column(verbose_name=_("Tên đăng nhập"))
    full_name = tables.Column(verbose_name=_("Họ và tên"))
    email = tables.EmailColumn(verbose_name=_("Thư điện tử"))
    role = tables.Column(verbose_name=_("Vai trò"))
    scope_unit = tables.Column(
        verbose_name=_("Phạm vi"), default=_("Toàn quốc"), order_by=("scope_unit__sort_key",)
    )
    is_active = tables.BooleanColumn(verbose_name=_("Hoạt động"))
    last_login = tables.DateTimeColumn(verbose_name=_("Đăng nhập lần cuối"), short=True)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "role", "scope_unit", "is_active", "last_login"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("Không có tài khoản nào.")

    def render_username(self, value: str, record: User) -> str:
        # Link only where the viewer may edit: the same rule the edit page enforces.
        request = getattr(self, "request", None)
        if request is not None and can(request.user, CHANGE, record):
            return format_html('<a href="{}">{}</a>', reverse("accounts:user_edit", args=[record.pk]), value)
        return value
