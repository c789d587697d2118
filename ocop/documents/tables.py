"""The expiring-evidence table: what expires when, for which producer, in which unit."""

from __future__ import annotations

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display
from ocop.core.tables import Table

from .models import EvidenceDocument

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}


class ExpiringTable(Table):
    expiry_date = tables.Column(verbose_name=_("Ngày hết hạn"), order_by=("expiry_date", "pk"))
    title = tables.Column(verbose_name=_("Giấy tờ"), linkify=True, order_by=("title", "pk"))
    doc_type = tables.Column(verbose_name=_("Loại"))
    number = tables.Column(verbose_name=_("Số hiệu"), default="—")
    producer = tables.Column(
        verbose_name=_("Chủ thể"),
        order_by=("producer__sort_key", "producer__pk"),
        linkify=lambda record: record.producer.get_absolute_url(),
    )
    product = tables.Column(verbose_name=_("Áp dụng cho"), orderable=False, empty_values=())
    location = tables.Column(
        verbose_name=_("Địa bàn"),
        accessor="producer__province",
        order_by=("producer__province__sort_key", "producer__commune__sort_key"),
    )
    download = tables.Column(verbose_name=_("Tệp"), orderable=False, empty_values=())

    class Meta:
        model = EvidenceDocument
        fields = ["expiry_date", "title", "doc_type", "number", "producer", "product", "location", "download"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có giấy tờ nào sắp hết hạn trong khoảng này.")
        order_by = ("expiry_date",)

    def render_expiry_date(self, record: EvidenceDocument) -> str:
        return render_to_string("documents/_expiry.html", {"document": record})

    def render_doc_type(self, record: EvidenceDocument) -> str:
        return display(record, "doc_type")

    def render_product(self, record: EvidenceDocument) -> str:
        if record.product is None:
            return _("Mọi sản phẩm")
        return record.product.name

    def render_location(self, record: EvidenceDocument) -> str:
        producer = record.producer
        if producer.commune is not None:
            return f"{producer.commune.short_name}, {producer.province.short_name}"
        return producer.province.short_name

    def render_download(self, record: EvidenceDocument) -> str:
        return format_html(
            '<a href="{}" download><i class="bi bi-download" aria-hidden="true"></i> {}</a>',
            record.get_download_url(),
            _("Tải về"),
        )
