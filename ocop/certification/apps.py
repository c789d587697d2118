from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "ocop.certification"
    label = "certification"
    verbose_name = _("Quyết định và giấy chứng nhận OCOP")

    def ready(self) -> None:
        from ocop.registry import extensions

        from . import io, notices, product_status, queues
        from .models import Certificate

        queues.register()  # the home page's "Việc cần làm" (ocop.core.queues)
        notices.register()  # the notification kinds of decisions, revocations and reminders
        # The registry asks; it never imports this app (docs/architecture.md).
        extensions.certificates.register(product_status.Certificates())
        extensions.product_tabs.register(
            extensions.Tab(
                "certificates",
                _("Giấy chứng nhận"),
                product_status.product_tab_count,
                product_status.product_tab_render,
                order=30,
            )
        )
        # Star ratings given under earlier rules become decisions and certificates.
        extensions.import_kinds.register(
            extensions.ImportKind(
                "history",
                Certificate,
                _("Lịch sử công nhận"),
                "certification:certificate_list",
                io.HISTORY_SPEC,
                io.import_file,
                io.write_template,
                order=30,
                export=io.export_queryset,
            )
        )
