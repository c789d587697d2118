from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ocop.registry"
    label = "registry"
    verbose_name = _("Chủ thể và sản phẩm")

    def ready(self) -> None:
        from functools import partial

        from . import extensions
        from . import io as registry_io
        from .models import Producer, Product

        # The import wizard's and `ocop import`'s kinds; higher apps add theirs (certification: history).
        for key, model, label, url, spec, order in (
            ("producers", Producer, _("Chủ thể"), "registry:producer_list", registry_io.PRODUCER_SPEC, 10),
            ("products", Product, _("Sản phẩm"), "registry:product_list", registry_io.PRODUCT_SPEC, 20),
        ):
            extensions.import_kinds.register(
                extensions.ImportKind(
                    key,
                    model,
                    label,
                    url,
                    spec,
                    run=partial(registry_io.import_file, key),
                    template=partial(registry_io.write_template, key),
                    order=order,
                )
            )
