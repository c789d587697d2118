"""The certificates table (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.registry.tables import TABLE_ATTRS

from .models import Certificate


def status_badge(certificate: Certificate) -> str:
    """The live status in colour and words (the colour is never the only signal)."""
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', certificate.status_colour, certificate.status_label
    )


def star_text(certificate: Certificate) -> str:
    stars = format_html('<span aria-label="{} sao">{}</span>', certificate.star, "★" * certificate.star)
    if certificate.potential_5_star:
        return format_html(
            '{} <span class="small text-body-secondary">({})</span>', stars, _("tiềm năng 5 sao")
        )
    return stars


class CertificateTable(tables.Table):
    code = tables.Column(verbose_name=_("Mã giấy chứng nhận"), linkify=True)
    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "product__pk"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    star = tables.Column(verbose_name=_("Hạng sao"))
    decision = tables.Column(verbose_name=_("Quyết định"), order_by=("decision__date", "decision__number"))
    issue_date = tables.DateColumn(verbose_name=_("Ngày cấp"), format="d/m/Y")
    expiry = tables.DateColumn(verbose_name=_("Hiệu lực đến"), format="d/m/Y")
    status = tables.Column(verbose_name=_("Tình trạng"), empty_values=(), orderable=False)
    legal_basis = tables.Column(verbose_name=_("Căn cứ pháp lý"))
    province = tables.Column(
        verbose_name=_("Tỉnh/thành phố"),
        accessor="product__province",
        order_by=("product__province__sort_key",),
    )

    class Meta:
        model = Certificate
        fields = ["code", "product", "star", "decision", "issue_date", "expiry", "status", "legal_basis"]
        sequence = (*fields, "province")
        attrs = TABLE_ATTRS
        empty_text = _("Không có giấy chứng nhận nào.")
        order_by = ("-issue_date",)

    def render_star(self, record: Certificate) -> str:
        return star_text(record)

    def render_decision(self, record: Certificate) -> str:
        decision = record.decision
        return format_html(
            '{} <span class="small text-body-secondary">({})</span>',
            decision.number,
            f"{decision.date:%d/%m/%Y}",
        )

    def render_status(self, record: Certificate) -> str:
        return status_badge(record)

    def render_legal_basis(self, record: Certificate) -> str:
        return format_html('<span title="{}">{}</span>', record.legal_basis_label, record.legal_basis)

    def render_province(self, value) -> str:
        return value.short_name
