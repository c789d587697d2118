"""The plans and inspections tables (django-tables2, rendered by ocop.core.tables.Table)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.db.models import Count
from django.urls import NoReverseMatch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display
from ocop.core.formatting import format_date
from ocop.core.tables import Table
from ocop.registry.tables import TABLE_ATTRS

from ..models import InspectedProduct, Inspection, InspectionPlan, InspectionStatus, Outcome, PlanStatus

PLAN_STATUS_COLOURS = {
    PlanStatus.DRAFT: "secondary",
    PlanStatus.ACTIVE: "primary",
    PlanStatus.CLOSED: "success",
}
INSPECTION_STATUS_COLOURS = {
    InspectionStatus.PLANNED: "warning",
    InspectionStatus.DONE: "success",
    InspectionStatus.CANCELLED: "secondary",
}
OUTCOME_COLOURS = {
    Outcome.COMPLIANT: "success",
    Outcome.WARNING: "warning",
    Outcome.REVOCATION: "danger",
    Outcome.REMOVAL: "dark",
}


def badge(colour: str, text: Any) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, text)


def plan_status_badge(plan: InspectionPlan) -> str:
    return badge(PLAN_STATUS_COLOURS.get(plan.status, "secondary"), display(plan, "status"))


def inspection_status_badge(inspection: Inspection) -> str:
    return badge(INSPECTION_STATUS_COLOURS.get(inspection.status, "secondary"), display(inspection, "status"))


def conclusion_badge(inspection: Inspection) -> str:
    if not inspection.conclusion:
        return "—"
    return badge(OUTCOME_COLOURS.get(inspection.conclusion, "secondary"), display(inspection, "conclusion"))


def inspection_link(inspection: Inspection, text: Any) -> str:
    """A link to the inspection's page (another part builds it): plain text while it does not exist."""
    try:
        url = inspection.get_absolute_url()
    except NoReverseMatch:
        return format_html("{}", text)
    return format_html('<a href="{}">{}</a>', url, text)


def fraction(done: int, total: int) -> str:
    return format_html('<span class="text-nowrap">{} / {}</span>', done, total)


class PlanTable(Table):
    title = tables.Column(verbose_name=_("Kế hoạch"), order_by=("-year", "-starts_on", "-pk"), linkify=True)
    year = tables.Column(verbose_name=_("Năm"))
    level = tables.Column(verbose_name=_("Cấp"), accessor="kind", orderable=False)
    province = tables.Column(
        verbose_name=_("Tỉnh/thành phố"), accessor="pk", order_by=("province__sort_key",)
    )
    period = tables.Column(verbose_name=_("Thời gian"), accessor="pk", order_by=("starts_on", "pk"))
    producers = tables.Column(
        verbose_name=_("Chủ thể: đã kiểm tra / kế hoạch"),
        accessor="producers_planned",
        attrs={"td": {"class": "text-end"}},
    )
    products = tables.Column(
        verbose_name=_("Sản phẩm: đã kiểm tra / kế hoạch"),
        accessor="products_planned",
        attrs={"td": {"class": "text-end"}},
    )
    status = tables.Column(verbose_name=_("Trạng thái"))

    class Meta:
        model = InspectionPlan
        fields = ["title", "year", "level", "province", "period", "producers", "products", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("Chưa có kế hoạch kiểm tra nào.")

    def render_title(self, record: InspectionPlan) -> str:
        if record.number:
            return format_html(
                '{} <span class="text-body-secondary small">({})</span>', record.title, record.number
            )
        return record.title

    def render_level(self, record: InspectionPlan) -> str:
        return f"{display(record, 'level')} · {display(record, 'kind')}"

    def render_province(self, record: InspectionPlan) -> str:
        return record.province.name if record.province_id else str(_("Cả nước"))

    def render_period(self, record: InspectionPlan) -> str:
        return f"{format_date(record.starts_on)} – {format_date(record.ends_on)}"

    def render_producers(self, record: InspectionPlan) -> str:
        return fraction(record.producers_inspected, record.producers_planned)

    def render_products(self, record: InspectionPlan) -> str:
        return fraction(record.products_inspected, record.products_planned)

    def render_status(self, record: InspectionPlan) -> str:
        return plan_status_badge(record)


class InspectionTable(Table):
    producer = tables.Column(verbose_name=_("Chủ thể"), order_by=("producer__sort_key", "pk"))
    location = tables.Column(
        verbose_name=_("Địa bàn"), accessor="pk", order_by=("producer__province__sort_key", "pk")
    )
    plan = tables.Column(verbose_name=_("Kế hoạch"), order_by=("plan__year", "plan__pk"), linkify=True)
    product_count = tables.Column(
        verbose_name=_("Số sản phẩm"), accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}}
    )
    day = tables.Column(
        verbose_name=_("Ngày"), accessor="pk", order_by=("inspected_on", "scheduled_on", "pk")
    )
    status = tables.Column(verbose_name=_("Trạng thái"))
    conclusion = tables.Column(verbose_name=_("Kết luận"))

    class Meta:
        model = Inspection
        fields = ["producer", "location", "plan", "product_count", "day", "status", "conclusion"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có cuộc kiểm tra nào.")

    def prepare_records(self, records: list[Inspection]) -> None:
        # The page's product counts in one query (not one per row).
        counts = dict(
            InspectedProduct.objects.filter(inspection_id__in=[record.pk for record in records])
            .order_by()
            .values("inspection_id")
            .annotate(n=Count("pk"))
            .values_list("inspection_id", "n")
        )
        for record in records:
            record.product_count = counts.get(record.pk, 0)

    def render_product_count(self, record: Inspection) -> str:
        return str(record.product_count)

    def render_producer(self, record: Inspection) -> str:
        return inspection_link(record, record.producer.name)

    def render_location(self, record: Inspection) -> str:
        producer = record.producer
        if producer.commune_id is not None:
            return f"{producer.commune.short_name}, {producer.province.short_name}"
        return producer.province.short_name

    def render_plan(self, record: Inspection) -> str:
        return record.plan.title

    def render_day(self, record: Inspection) -> str:
        day = record.inspected_on or record.scheduled_on
        return format_date(day) if day else "—"

    def render_status(self, record: Inspection) -> str:
        return inspection_status_badge(record)

    def render_conclusion(self, record: Inspection) -> str:
        return conclusion_badge(record)
