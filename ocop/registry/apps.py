from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ocop.registry"
    label = "registry"
    verbose_name = _("Chủ thể và sản phẩm")

    def ready(self) -> None:
        from . import imports_views  # noqa: F401  (registers the producers and products import kinds)
