"""The rounds and dossiers tables (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display
from ocop.core.formatting import format_date
from ocop.core.tables import Table
from ocop.registry.tables import TABLE_ATTRS

from . import criteria
from .models import Dossier, DossierStatus, Round


class RoundTable(Table):
    """The rounds list: dates of Art. 5 and how many dossiers each council has before it."""

    name = tables.Column(
        verbose_name=_("Đợt đánh giá"), accessor="pk", order_by=("-year", "-number"), linkify=True
    )
    level = tables.Column(verbose_name=_("Cấp"))
    province = tables.Column(verbose_name=_("Tỉnh/thành phố"), order_by=("province__sort_key",))
    proposals_by = tables.DateColumn(verbose_name=_("Nhận đề nghị trước"), format="d/m/Y")
    closes_by = tables.DateColumn(verbose_name=_("Hoàn thành trước"), format="d/m/Y")
    evaluation_count = tables.Column(verbose_name=_("Số hồ sơ"), attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name=_("Trạng thái"))

    class Meta:
        model = Round
        fields = ["name", "level", "province", "proposals_by", "closes_by", "evaluation_count", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("Chưa có đợt đánh giá nào.")

    def render_name(self, record: Round) -> str:
        return str(record)

    def render_province(self, value) -> str:
        return value.short_name


# --- dossiers ---

DOSSIER_STATUS_COLOURS = {
    DossierStatus.DRAFT: "secondary",
    DossierStatus.SUBMITTED: "primary",
    DossierStatus.COMMUNE_REVIEW: "info",
    DossierStatus.FORWARDED: "primary",
    DossierStatus.RETURNED: "warning",
    DossierStatus.IN_ROUND: "info",
    DossierStatus.SCORED: "primary",
    DossierStatus.CENTRAL: "info",
    DossierStatus.RECOGNISED: "success",
    DossierStatus.NOT_RECOGNISED: "danger",
    DossierStatus.WITHDRAWN: "secondary",
}


def dossier_status_badge(dossier: Dossier) -> str:
    """The status in words on a colour (text-bg-* keeps the contrast; the words carry the meaning)."""
    colour = DOSSIER_STATUS_COLOURS.get(dossier.status, "secondary")
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, display(dossier, "status"))


def commune_deadline_text(dossier: Dossier) -> str:
    """dd/mm/yyyy, in red with "quá hạn" once the commune's 15 working days have passed."""
    if dossier.commune_deadline is None:
        return "—"
    day = format_date(dossier.commune_deadline)
    if dossier.commune_overdue:
        return format_html(
            '<span class="text-danger fw-semibold">{}</span> <span class="badge text-bg-danger">{}</span>',
            day,
            _("quá hạn"),
        )
    return day


def sheet_title(dossier: Dossier) -> str:
    try:
        return dossier.get_sheet().title
    except criteria.CriteriaError:
        return ""


class DossierTable(Table):
    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "pk"),
        linkify=lambda record: record.get_absolute_url(),
    )
    producer = tables.Column(
        verbose_name=_("Chủ thể"), accessor="product__producer", order_by=("product__producer__sort_key",)
    )
    kind = tables.Column(verbose_name=_("Loại hồ sơ"))
    sheet = tables.Column(verbose_name=_("Phiếu"))
    status = tables.Column(verbose_name=_("Trạng thái"))
    submitted_on = tables.DateColumn(verbose_name=_("Ngày nộp"), format="d/m/Y")
    received_on = tables.DateColumn(verbose_name=_("Xã tiếp nhận"), format="d/m/Y")
    commune_deadline = tables.Column(verbose_name=_("Hạn xã xử lý"))
    round = tables.Column(verbose_name=_("Đợt đánh giá"), order_by=("round__year", "round__number"))

    class Meta:
        model = Dossier
        fields = [
            "product",
            "producer",
            "kind",
            "sheet",
            "status",
            "submitted_on",
            "received_on",
            "commune_deadline",
            "round",
        ]
        attrs = TABLE_ATTRS
        empty_text = _("Không có hồ sơ nào.")

    def render_product(self, record: Dossier) -> str:
        product = record.product
        if product.code:
            return format_html(
                '{} <span class="d-block small text-body-secondary">{}</span>', product.name, product.code
            )
        return product.name

    def render_producer(self, value) -> str:
        return value.name

    def render_kind(self, record: Dossier) -> str:
        return display(record, "kind")

    def render_sheet(self, record: Dossier) -> str:
        return format_html('<span title="{}">{}</span>', sheet_title(record), record.sheet)

    def render_status(self, record: Dossier) -> str:
        return dossier_status_badge(record)

    def render_commune_deadline(self, record: Dossier) -> str:
        return commune_deadline_text(record)
