from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ocop.registry"
    label = "registry"
    verbose_name = _("Chủ thể và sản phẩm")

    def ready(self) -> None:
        from functools import partial

        from django.db.models.signals import post_migrate

        from ocop.core.notifications import register_kind
        from ocop.core.scoping import COMMUNE, PRODUCER, PROVINCE

        from . import extensions, queues
        from . import io as registry_io
        from .models import Producer, Product

        register_kind("change_request", _("Đề nghị thay đổi thông tin sản phẩm"), {COMMUNE, PROVINCE}, 200)
        register_kind(
            "change_request_decided", _("Kết quả đề nghị thay đổi thông tin sản phẩm"), {PRODUCER}, 201
        )
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
        queues.register()  # the home page's "Việc cần làm" (ocop.core.queues)
        post_migrate.connect(_ensure_search_index, sender=self, dispatch_uid="registry-search-index")


def _ensure_search_index(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """Puts back the SQLite FTS triggers a table remake dropped (each index once the migration
    that made it is applied: 0008 the records', 0013 the units')."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from .search import ensure_fts

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    applied = MigrationRecorder(connection).applied_migrations()
    tables = []
    if ("registry", "0008_search_fts") in applied:
        tables += ["registry_product", "registry_producer"]
    if ("registry", "0013_unit_place_fts") in applied:
        tables.append("geo_unit")
    if tables:
        ensure_fts(connection, tables)
