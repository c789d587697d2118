from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "ocop.documents"
    label = "documents"
    verbose_name = _("Hồ sơ minh chứng")

    def ready(self) -> None:
        from ocop.registry import extensions

        from .templatetags import evidence

        # The same tab on product and producer pages: a product's documents (plus its producer's
        # general ones), or all of a producer's.
        tab = extensions.Tab(
            "evidence",
            _("Hồ sơ minh chứng"),
            evidence.tab_count,
            evidence.tab_render,
            order=10,
        )
        extensions.product_tabs.register(tab)
        extensions.producer_tabs.register(tab)
