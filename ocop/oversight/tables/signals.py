"""The scan signals list: rule, product, certificate or typed code, the reason in a sentence."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.formatting import format_date
from ocop.core.tables import Table

from ..models import ScanSignal
from ..signals import reason

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
STATUS_CLASS = {"open": "text-bg-warning", "planned": "text-bg-info", "dismissed": "text-bg-light border"}


class SignalTable(Table):
    rule = tables.Column(verbose_name=_("Dấu hiệu"), linkify=True, order_by=("rule", "pk"))
    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "product__pk"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    code = tables.Column(verbose_name=_("Giấy chứng nhận / mã"), empty_values=(), orderable=False)
    reason = tables.Column(verbose_name=_("Lý do"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("Trạng thái"))
    last_day = tables.Column(verbose_name=_("Đến ngày"))

    class Meta:
        model = ScanSignal
        fields = ["rule", "product", "code", "reason", "status", "last_day"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có dấu hiệu nào.")

    def render_rule(self, record: ScanSignal) -> str:
        return record.get_rule_display()

    def render_code(self, record: ScanSignal) -> str:
        if record.code:
            return format_html("<code>{}</code>", record.code)
        if record.certificate_id:
            return format_html("<code>{}</code>", record.certificate.code)
        return "—"

    def render_reason(self, record: ScanSignal) -> str:
        return reason(record)

    def render_status(self, record: ScanSignal) -> str:
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_CLASS.get(record.status, ""),
            record.get_status_display(),
        )

    def render_last_day(self, value) -> str:
        return format_date(value)
