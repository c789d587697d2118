"""The list of periodic reports: its filters (shared by the page and the API) and its table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import F, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display
from ocop.core.formatting import format_date
from ocop.core.tables import Table
from ocop.registry.filtersets import AreaFilterMixin
from ocop.registry.tables import TABLE_ATTRS

from ..models import PeriodicReport, PlanLevel, ReportKind, ReportStatus
from . import rules

STATUS_COLOURS = {ReportStatus.DRAFT: "secondary", ReportStatus.FILED: "success"}


class ReportFilterSet(AreaFilterMixin):
    year = django_filters.NumberFilter(label=_("Năm"), min_value=rules.FIRST_YEAR, max_value=rules.LAST_YEAR)
    kind = django_filters.ChoiceFilter(label=_("Loại báo cáo"), choices=ReportKind.choices)
    level = django_filters.ChoiceFilter(label=_("Cấp"), choices=PlanLevel.choices)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=ReportStatus.choices)

    class Meta:
        model = PeriodicReport
        fields = ["year", "kind", "level", "status", "province", "commune"]


def status_badge(report: PeriodicReport) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_COLOURS.get(report.status, "secondary"),
        display(report, "status"),
    )


def listed(queryset: QuerySet[PeriodicReport]) -> QuerySet[PeriodicReport]:
    """The list's rows: their units, and the day of their figures without the figures themselves."""
    return (
        queryset.select_related("province", "commune")
        .annotate(figures_as_of=KT("figures__as_of"))
        .defer("figures", "narrative")
    )


def in_order(queryset: QuerySet[PeriodicReport]) -> QuerySet[PeriodicReport]:
    """Newest period first; within one, the national report, then each province followed by its communes."""
    return queryset.order_by(
        "-year",
        "-period_end",
        F("province__sort_key").asc(nulls_first=True),
        F("commune__sort_key").asc(nulls_first=True),
        "pk",
    )


def as_of_text(report: PeriodicReport) -> str:
    day = getattr(report, "figures_as_of", None)
    try:
        return format_date(dt.date.fromisoformat(str(day)[:10])) if day else "—"
    except ValueError:
        return "—"


class ReportTable(Table):
    report = tables.Column(
        verbose_name=_("Báo cáo"), accessor="pk", order_by=("-year", "-period_end", "pk"), linkify=False
    )
    unit = tables.Column(
        verbose_name=_("Đơn vị"), accessor="pk", order_by=("level", "province__sort_key", "commune__sort_key")
    )
    period = tables.Column(
        verbose_name=_("Kỳ báo cáo"), accessor="pk", order_by=("period_start", "period_end")
    )
    as_of = tables.Column(verbose_name=_("Số liệu đến ngày"), accessor="pk", orderable=False)
    status = tables.Column(verbose_name=_("Trạng thái"))
    filed_at = tables.Column(verbose_name=_("Ngày nộp"), accessor="filed_at")

    class Meta:
        model = PeriodicReport
        fields = ["report", "unit", "period", "as_of", "status", "filed_at"]
        attrs = TABLE_ATTRS
        empty_text = _("Chưa có báo cáo định kỳ nào.")

    def render_report(self, record: PeriodicReport) -> str:
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.period_label)

    def render_unit(self, record: PeriodicReport) -> str:
        return record.unit_name

    def render_period(self, record: PeriodicReport) -> str:
        return f"{format_date(record.period_start)} – {format_date(record.period_end)}"

    def render_as_of(self, record: PeriodicReport) -> str:
        return as_of_text(record)

    def render_status(self, record: PeriodicReport) -> str:
        return status_badge(record)

    def render_filed_at(self, record: PeriodicReport) -> Any:
        return format_date(timezone.localtime(record.filed_at).date()) if record.filed_at else "—"
