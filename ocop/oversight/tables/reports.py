"""The triage list of consumers' reports (never the reporter's contact)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ocop.core.tables import Table

from ..models import ConsumerReport

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}


class ReportTable(Table):
    receipt_code = tables.Column(verbose_name=_("Mã tiếp nhận"), linkify=True)
    created = tables.DateTimeColumn(verbose_name=_("Gửi lúc"))
    kind = tables.Column(verbose_name=_("Loại phản ánh"))
    subject = tables.Column(
        verbose_name=_("Sản phẩm / mã"),
        accessor="code",
        order_by=("product__sort_key", "code"),
        empty_values=(),
    )
    province = tables.Column(verbose_name=_("Tỉnh xử lý"), order_by=("province__sort_key",), empty_values=())
    status = tables.Column(verbose_name=_("Trạng thái"))

    class Meta:
        model = ConsumerReport
        fields = ["receipt_code", "created", "kind", "subject", "province", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có phản ánh nào.")

    def render_subject(self, record: ConsumerReport) -> str:
        if record.product_id is not None:
            return f"{record.product.name} ({record.code})" if record.code else record.product.name
        unknown = _("mã không có trong hệ thống")
        return f"{record.code} ({unknown})" if record.code else "—"

    def render_province(self, record: ConsumerReport) -> str:
        if record.province_id is None:
            return str(_("Trung ương"))
        return record.province.name
