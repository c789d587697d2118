"""System check accounts.W001: e-mail addresses shared by several accounts (from before the rule).

New accounts cannot share an address (``User.validate_unique``), but there is no database
constraint: an installation may hold duplicates from before, and a unique index would make
``ocop migrate`` — and the restore of such a backup — fail. This check names them instead, on
``ocop migrate`` and ``ocop check --database default``; password reset sends nothing to a shared
address until it is fixed.
"""

from django.core import checks
from django.db import DatabaseError
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils.translation import gettext as _


@checks.register(checks.Tags.database)
def shared_email_addresses(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    from ocop.accounts.models import User

    found = []
    for alias in databases or ():
        try:
            shared = list(
                User._base_manager.using(alias)
                .exclude(email="")
                .annotate(address=Lower("email"))
                .values("address")
                .annotate(accounts=Count("pk"))
                .filter(accounts__gt=1)
                .order_by("address")
                .values_list("address", flat=True)
            )
        except DatabaseError:  # not migrated yet
            continue
        if shared:
            addresses = ", ".join(shared[:10]) + (" …" if len(shared) > 10 else "")
            found.append(
                checks.Warning(
                    _("%(count)s địa chỉ thư điện tử được nhiều tài khoản dùng chung: %(addresses)s.")
                    % {"count": len(shared), "addresses": addresses},
                    hint=_(
                        "Sửa để mỗi địa chỉ chỉ thuộc một tài khoản (/accounts/users/ hoặc trang quản trị); "
                        "cho đến khi đó, đặt lại mật khẩu qua thư không gửi tới các địa chỉ này."
                    ),
                    id="accounts.W001",
                )
            )
    return found
