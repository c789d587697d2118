from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ocop.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from ocop.accounts import checks  # noqa: F401 - registers accounts.W001
