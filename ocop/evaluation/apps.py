from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "ocop.evaluation"
    label = "evaluation"
    verbose_name = _("Đánh giá, phân hạng")

    def ready(self) -> None:
        from ocop.registry import extensions

        from . import certification_hooks, notices, queues, scoring
        from .templatetags import dossiers

        scoring.unmet_wording = _unmet_wording  # the engine's message, in the user's language

        certification_hooks.register()  # re-evaluation filings of certificates
        queues.register()  # the home page's "Việc cần làm" (ocop.core.queues)
        notices.register()  # the procedure's notification kinds

        extensions.product_tabs.register(
            extensions.Tab(
                "dossiers",
                _("Hồ sơ đánh giá"),
                dossiers.product_tab_count,
                dossiers.product_tab_render,
                order=20,
            )
        )


def _unmet_wording(criterion: str, star: int) -> str:
    from django.utils.translation import gettext

    return gettext("Tiêu chí %(criterion)s chưa đạt mức tối thiểu cho hạng %(star)s sao") % {
        "criterion": criterion,
        "star": star,
    }
