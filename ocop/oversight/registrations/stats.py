"""stats: the "Kiểm tra, giám sát" card of the home page (ocop.reports.extensions) and the history
import of past inspections (ocop.registry.extensions.import_kinds)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# The card's figures: stats.figures without the findings and the province list.
DASHBOARD_QUERIES = 5


def dashboard_card(user: Any) -> dict[str, Any] | None:
    """This year's oversight figures of the user's scope, or None for roles that do not read them."""
    from ocop.certification.models import RevocationGround

    from .. import stats

    if stats.area_of(user) == "none":
        return None
    figures = stats.figures(user, with_findings=False, with_breakdown=False)
    by_ground = figures["revocations"]["by_ground"]
    return {
        "figures": figures,
        "grounds": [
            {"code": ground.value, "label": ground.label, "count": by_ground.get(ground.value, 0)}
            for ground in RevocationGround
            if by_ground.get(ground.value)
        ],
    }


def register() -> None:
    from ocop.registry import extensions as registry_extensions
    from ocop.reports import extensions as report_extensions

    from .. import io
    from ..models import Inspection

    report_extensions.sections.register(
        report_extensions.Section(
            "oversight",
            50,
            dashboard_card,
            "oversight/stats_dashboard.html",
            queries=DASHBOARD_QUERIES,
        )
    )
    registry_extensions.import_kinds.register(
        registry_extensions.ImportKind(
            "inspections",
            Inspection,
            _("Lịch sử kiểm tra, giám sát"),
            "oversight:inspection_list",
            io.INSPECTION_SPEC,
            io.import_file,
            io.write_template,
            order=40,
        )
    )
