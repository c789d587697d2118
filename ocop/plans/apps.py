from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "ocop.plans"
    label = "plans"
    verbose_name = _("Kế hoạch, chỉ tiêu và báo cáo định kỳ")
