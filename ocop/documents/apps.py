from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "ocop.documents"
    label = "documents"
    verbose_name = _("Hồ sơ minh chứng")

    def ready(self) -> None:
        from ocop.registry import extensions

        from .templatetags import evidence

        extensions.product_tabs.register(
            extensions.ProductTab(
                "evidence",
                _("Hồ sơ minh chứng"),
                evidence.product_tab_count,
                evidence.product_tab_render,
                order=10,
            )
        )
