from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def session_settings(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Each new PostgreSQL connection without JIT compilation (settings.PG_JIT): it compiled
    statements for longer than they ran (national data: the public provinces page built in 446 ms,
    137 without; the public catalogue's "?q=gao" 104 → 49 ms); and with the cost of a random page
    of data on SSD or in memory (settings.PG_RANDOM_PAGE_COST, 1.1). ``SET`` rather than startup
    options, which connection poolers refuse."""
    if connection.vendor != "postgresql":
        return
    cost = getattr(settings, "PG_RANDOM_PAGE_COST", None)
    with connection.cursor() as cursor:
        if not getattr(settings, "PG_JIT", False):
            cursor.execute("SET jit = off")
        if cost is not None:
            cursor.execute(f"SET random_page_cost = {float(cost)}")  # a float, checked by settings


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
