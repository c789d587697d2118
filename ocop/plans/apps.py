from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The most queries `progress.on_track_share_by_province` takes: plans and targets, then two
# grouped queries per indicator in use, whatever the number of plans (test_map_metric).
ON_TRACK_QUERIES = 2 + 2 * 16


class PlansConfig(AppConfig):
    name = "ocop.plans"
    label = "plans"
    verbose_name = _("Kế hoạch, chỉ tiêu và báo cáo định kỳ")

    def ready(self) -> None:
        from ocop.reports import extensions

        from . import progress

        # The province map's "on track" shading: the share of each province's targets on track.
        extensions.map_metrics.register(
            extensions.MapMetric(
                "on_track",
                _("Tỷ lệ chỉ tiêu đúng tiến độ"),
                "%",
                lambda day, user: progress.on_track_share_by_province(day),
                decimals=1,
                queries=ON_TRACK_QUERIES,
            )
        )
