from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "ocop.oversight"
    label = "oversight"
    verbose_name = _("Kiểm tra, giám sát")
