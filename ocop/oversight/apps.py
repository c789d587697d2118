from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "ocop.oversight"
    label = "oversight"
    verbose_name = _("Kiểm tra, giám sát")

    def ready(self) -> None:
        from .registrations import consequences, inspections, plans, reports, signals, stats

        for part in (plans, inspections, consequences, reports, signals, stats):
            part.register()
