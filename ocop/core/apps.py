from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def session_settings(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Each new PostgreSQL connection without JIT compilation (settings.PG_JIT): it compiled
    statements for longer than they ran (national data: the public provinces page built in 446 ms,
    137 without; the public catalogue's "?q=gao" 104 → 49 ms). A ``SET`` rather than a startup
    option, which connection poolers refuse."""
    if connection.vendor == "postgresql" and not getattr(settings, "PG_JIT", False):
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


class CoreConfig(AppConfig):
    name = "ocop.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from django.db.models import fields

        # The empty choice of every <select> built from a model field (choices or foreign key):
        # Django 6.1's "- Select an option -" is English in the Vietnamese pages. The dash is what
        # the registry's forms (registry.forms.BLANK) and every list filter already show.
        fields.BLANK_CHOICE_LABEL = "---------"
        connection_created.connect(session_settings, dispatch_uid="ocop.core.session_settings")
