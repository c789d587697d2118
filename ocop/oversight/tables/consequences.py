"""The warnings table (/oversight/warnings/): one row per warned product, with its deadline."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.tables import Table
from ocop.registry.tables import TABLE_ATTRS

from ..consequences import inspection_url
from ..models import InspectedProduct


class WarningTable(Table):
    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "product__pk"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    producer = tables.Column(
        verbose_name=_("Chủ thể"),
        accessor="inspection__producer",
        order_by=("inspection__producer__sort_key",),
    )
    province = tables.Column(
        verbose_name=_("Tỉnh/thành phố"),
        accessor="inspection__producer__province",
        order_by=("inspection__producer__province__sort_key",),
    )
    inspection = tables.Column(
        verbose_name=_("Kiểm tra ngày"),
        accessor="inspection__inspected_on",
        order_by=("inspection__inspected_on",),
    )
    corrective_actions = tables.Column(verbose_name=_("Yêu cầu khắc phục"), orderable=False)
    deadline = tables.Column(verbose_name=_("Hạn khắc phục"), order_by=("deadline", "pk"))
    state = tables.Column(verbose_name=_("Tình trạng"), empty_values=(), orderable=False)
    actions = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = InspectedProduct
        fields = ["product", "producer", "province", "inspection", "corrective_actions", "deadline"]
        sequence = (*fields, "state", "actions")
        attrs = TABLE_ATTRS
        empty_text = _("Không có cảnh báo nào.")
        order_by = ("deadline",)

    def render_province(self, value) -> str:
        return value.short_name

    def render_inspection(self, record: InspectedProduct) -> str:
        day = record.inspection.inspected_on or record.inspection.concluded_on
        text = f"{day:%d/%m/%Y}" if day else "—"
        url = inspection_url(record.inspection)
        return format_html('<a href="{}">{}</a>', url, text) if url else text

    def render_corrective_actions(self, value: str) -> str:
        return value if len(value) <= 160 else f"{value[:157]}…"

    def render_deadline(self, record: InspectedProduct) -> str:
        if record.deadline is None:
            return "—"
        text = f"{record.deadline:%d/%m/%Y}"
        if record.resolved_on is None and record.deadline < clock.today():
            return format_html('<span class="text-danger fw-semibold">{} ({})</span>', text, _("quá hạn"))
        return text

    def render_state(self, record: InspectedProduct) -> str:
        if record.resolved_on is not None:
            return format_html(
                '<span class="badge text-bg-success">{}</span> <span class="small">{}</span>',
                _("Đã khắc phục"),
                f"{record.resolved_on:%d/%m/%Y}",
            )
        if record.deadline is not None and record.deadline < clock.today():
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Quá hạn"))
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Chưa khắc phục"))

    def render_actions(self, record: InspectedProduct) -> str:
        from django.urls import reverse

        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
            reverse("oversight:warning_detail", args=[record.pk]),
            _("Chi tiết"),
        )
