"""The plans and manual values tables (django-tables2, rendered by ocop.core.tables.Table)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display
from ocop.core.formatting import format_date, format_number, format_vnd
from ocop.core.scoping import CHANGE, can
from ocop.core.tables import Table
from ocop.registry.tables import TABLE_ATTRS

from . import indicators
from .models import ManualValue, Plan


def unit_label(record: Plan | ManualValue) -> str:
    """The unit of a plan or manual value, with its province for a commune (select_related both)."""
    if record.commune_id is not None:
        return f"{record.commune.name}, {record.province.short_name}"
    if record.province_id is not None:
        return record.province.name
    return str(_("Toàn quốc"))


def indicator_name(code: str) -> str:
    indicator = indicators.find(code)
    return str(indicator.name) if indicator is not None else code


class PlanTable(Table):
    title = tables.Column(verbose_name=_("Kế hoạch"), order_by=("title", "pk"), linkify=True)
    unit = tables.Column(
        verbose_name=_("Địa bàn"),
        accessor="pk",
        order_by=("level", "province__sort_key", "commune__sort_key"),
    )
    period = tables.Column(
        verbose_name=_("Thời gian"), accessor="pk", order_by=("start_year", "end_year", "pk")
    )
    document = tables.Column(verbose_name=_("Văn bản"), accessor="pk", order_by=("document_date", "pk"))
    budget = tables.Column(verbose_name=_("Kinh phí"), attrs={"td": {"class": "text-end text-nowrap"}})
    target_count = tables.Column(
        verbose_name=_("Số chỉ tiêu"), attrs={"td": {"class": "text-end"}}, order_by=("target_count", "pk")
    )

    class Meta:
        model = Plan
        fields = ["title", "unit", "period", "document", "budget", "target_count"]
        attrs = TABLE_ATTRS
        empty_text = _("Chưa có kế hoạch nào.")

    def render_unit(self, record: Plan) -> str:
        return format_html(
            '{} <span class="text-body-secondary small">({})</span>',
            unit_label(record),
            display(record, "level"),
        )

    def render_period(self, record: Plan) -> str:
        return record.period_label

    def render_document(self, record: Plan) -> str:
        parts = [part for part in (record.document_number, format_date(record.document_date)) if part]
        if not parts:
            return "—"
        issuer = record.document_issuer
        text = " · ".join(parts)
        if issuer:
            return format_html('{}<br><span class="text-body-secondary small">{}</span>', text, issuer)
        return text

    def render_budget(self, record: Plan) -> str:
        return format_vnd(record.budget) if record.budget is not None else "—"

    def render_target_count(self, record: Plan) -> str:
        return str(record.target_count)


class ManualValueTable(Table):
    indicator = tables.Column(verbose_name=_("Chỉ tiêu"), order_by=("indicator", "-period_end", "pk"))
    unit = tables.Column(
        verbose_name=_("Địa bàn"),
        accessor="pk",
        order_by=("level", "province__sort_key", "commune__sort_key"),
    )
    period = tables.Column(verbose_name=_("Kỳ"), accessor="pk", order_by=("period_end", "period_start", "pk"))
    value = tables.Column(verbose_name=_("Giá trị"), attrs={"td": {"class": "text-end text-nowrap"}})
    source = tables.Column(verbose_name=_("Nguồn số liệu"))
    entered_by = tables.Column(verbose_name=_("Người nhập"), orderable=False)
    actions = tables.Column(
        verbose_name="", accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = ManualValue
        fields = ["indicator", "unit", "period", "value", "source", "entered_by", "actions"]
        attrs = TABLE_ATTRS
        empty_text = _("Chưa có số liệu nhập tay nào.")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user  # may the user change a row: can() reads the row's own ids, no query

    def render_indicator(self, record: ManualValue) -> str:
        return indicator_name(record.indicator)

    def render_unit(self, record: ManualValue) -> str:
        return unit_label(record)

    def render_period(self, record: ManualValue) -> str:
        return f"{format_date(record.period_start)} – {format_date(record.period_end)}"

    def render_value(self, record: ManualValue) -> str:
        indicator = indicators.find(record.indicator)
        unit = str(indicator.unit) if indicator is not None else ""
        return f"{format_number(record.value.normalize())} {unit}".strip()

    def render_source(self, record: ManualValue) -> str:
        return record.source or "—"

    def render_entered_by(self, record: ManualValue) -> str:
        user = record.entered_by
        if user is None:
            return "—"
        return user.get_full_name() or user.get_username()

    def render_actions(self, record: ManualValue) -> str:
        if self.user is not None and can(self.user, CHANGE, record):
            return format_html(
                '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
                record.get_absolute_url(),
                _("Sửa"),
            )
        return ""
