from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ocop.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ocop.accounts import checks  # noqa: F401 - registers accounts.W001
        from ocop.accounts.models import record_login

        # Instead of Django's update_last_login, which saves the user: see record_login.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_login, dispatch_uid="ocop.accounts.record_login")
