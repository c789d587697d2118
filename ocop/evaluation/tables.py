"""The certificates and rounds tables (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ocop.core.formatting import format_date
from ocop.registry.tables import TABLE_ATTRS

from . import criteria, reminders
from .models import Certificate, Dossier, DossierStatus, Round


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


class RoundTable(tables.Table):
    """The rounds list: dates of Art. 5 and how many dossiers each council has before it."""

    name = tables.Column(
        verbose_name=_("Đợt đánh giá"), accessor="pk", order_by=("-year", "-number"), linkify=True
    )
    level = tables.Column(verbose_name=_("Cấp"))
    province = tables.Column(verbose_name=_("Tỉnh/thành phố"), order_by=("province__sort_key",))
    proposals_by = tables.DateColumn(verbose_name=_("Nhận hồ sơ đến"), format="d/m/Y")
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
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, dossier.get_status_display())


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


class DossierTable(tables.Table):
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
        return record.get_kind_display()

    def render_sheet(self, record: Dossier) -> str:
        return format_html('<span title="{}">{}</span>', sheet_title(record), record.sheet)

    def render_status(self, record: Dossier) -> str:
        return dossier_status_badge(record)

    def render_commune_deadline(self, record: Dossier) -> str:
        return commune_deadline_text(record)


def _location(product) -> str:
    if product.commune is not None:
        return f"{product.commune.short_name}, {product.province.short_name}"
    return product.province.short_name


class ExpiringCertificateTable(tables.Table):
    """Certificates about to expire, with the re-evaluation window (Art. 7.6.a) and any dossier."""

    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "product__pk"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    code = tables.Column(verbose_name=_("Giấy chứng nhận"), linkify=True)
    producer = tables.Column(
        verbose_name=_("Chủ thể"), accessor="product__producer", order_by=("product__producer__sort_key",)
    )
    location = tables.Column(
        verbose_name=_("Xã/phường, tỉnh/thành phố"),
        accessor="product__province",
        order_by=("product__province__sort_key", "product__commune__sort_key"),
    )
    star = tables.Column(verbose_name=_("Hạng sao"))
    expiry = tables.Column(verbose_name=_("Hiệu lực đến hết ngày"), order_by=("expiry", "pk"))
    days_left = tables.Column(
        verbose_name=_("Còn (ngày)"),
        accessor="expiry",
        order_by=("expiry", "pk"),
        attrs={"td": {"class": "text-end"}},
    )
    window = tables.Column(
        verbose_name=_("Thời hạn nộp hồ sơ đánh giá lại"), accessor="expiry", orderable=False
    )
    state = tables.Column(verbose_name=_("Tình trạng nộp hồ sơ"), accessor="expiry", orderable=False)
    dossier = tables.Column(
        verbose_name=_("Hồ sơ đánh giá lại"), accessor="reevaluation_status", orderable=False, empty_values=()
    )

    class Meta:
        model = Certificate
        fields = ["product", "code", "producer", "location", "star", "expiry"]
        sequence = (*fields, "days_left", "window", "state", "dossier")
        attrs = TABLE_ATTRS
        empty_text = _("Không có giấy chứng nhận nào sắp hết hiệu lực trong khoảng này.")
        order_by = ("expiry",)

    def __init__(self, *args, today=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def render_producer(self, record: Certificate) -> str:
        return record.product.producer.name

    def render_location(self, record: Certificate) -> str:
        return _location(record.product)

    def render_star(self, record: Certificate) -> str:
        return star_text(record)

    def render_expiry(self, record: Certificate) -> str:
        return format_date(record.expiry)

    def render_days_left(self, record: Certificate) -> str:
        return str((record.expiry - self.today).days)

    def render_window(self, record: Certificate) -> str:
        opens, closes = reminders.window(record.expiry)
        return format_html("{} – {}", format_date(opens), format_date(closes))

    def render_state(self, record: Certificate) -> str:
        state = reminders.window_state(record.expiry, self.today)
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            reminders.WindowState.COLOURS[state],
            reminders.WindowState.LABELS[state],
        )

    def render_dossier(self, record: Certificate) -> str:
        status = getattr(record, "reevaluation_status", None)
        if not status:
            return format_html('<span class="text-body-secondary">{}</span>', _("Chưa có"))
        url = reverse("evaluation:dossier_detail", args=[record.reevaluation_dossier])
        return format_html('<a href="{}">{}</a>', url, DossierStatus(status).label)
