from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "ocop.evaluation"
    label = "evaluation"
    verbose_name = _("Đánh giá, phân hạng và chứng nhận")

    def ready(self) -> None:
        from ocop.registry import import_kinds

        # `ocop import history FILE`: star ratings given under earlier rules (decisions, certificates).
        import_kinds.register("history", "ocop.evaluation.io.import_file")
