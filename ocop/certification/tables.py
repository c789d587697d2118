"""The certificate tables (django-tables2): the list, and the certificates about to expire."""

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import enum_labels
from ocop.core.formatting import format_date
from ocop.core.renderers import escape
from ocop.core.tables import Table
from ocop.registry.classification import LegalBasis
from ocop.registry.tables import TABLE_ATTRS

from . import extensions, reminders
from .models import Certificate, CertificateStatus

# Cells are f-strings of escaped values, not format_html(): the same markup without its per-call
# lazy-string checks (a list renders these hundreds of times).


def status_badge(certificate: Certificate, labels: Mapping[Any, str] | None = None) -> SafeString:
    """The live status in colour and words (the colour is never the only signal); ``labels``: the
    statuses' labels in the page's language, read once for a list."""
    if labels is None or certificate.is_extended:
        label = certificate.status_label
    else:
        label = labels.get(certificate.status, certificate.status)
    colour, label = escape(certificate.status_colour), escape(label)
    return mark_safe(f'<span class="badge text-bg-{colour}">{label}</span>')  # noqa: S308 (escaped)


def star_text(certificate: Certificate) -> SafeString:
    star = int(certificate.star)
    stars = f'<span aria-label="{star} sao">{"★" * star}</span>'
    if certificate.potential_5_star:
        potential = escape(_("tiềm năng 5 sao"))
        return mark_safe(f'{stars} <span class="small text-body-secondary">({potential})</span>')  # noqa: S308
    return mark_safe(stars)  # noqa: S308 (a number)


def decision_html(certificate: Certificate) -> SafeString:
    """The decision's number and date; read from CertificateTable.row_annotations when there."""
    state = certificate.__dict__
    if "decision_number" in state:
        number, day = state["decision_number"], state["decision_date"]
    else:
        number, day = certificate.decision.number, certificate.decision.date
    return mark_safe(  # noqa: S308 (escaped)
        f'{escape(number)} <span class="small text-body-secondary">({day:%d/%m/%Y})</span>'
    )


class CertificateTable(Table):
    code = tables.Column(verbose_name=_("Mã giấy chứng nhận"), linkify=True)
    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "product__pk"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    star = tables.Column(verbose_name=_("Hạng sao"))
    decision = tables.Column(verbose_name=_("Quyết định"), order_by=("decision__date", "decision__number"))
    issue_date = tables.DateColumn(verbose_name=_("Ngày cấp"), format="d/m/Y", order_by=("issue_date", "pk"))
    expiry = tables.DateColumn(verbose_name=_("Hiệu lực đến"), format="d/m/Y")
    status = tables.Column(verbose_name=_("Tình trạng"), empty_values=(), orderable=False)
    legal_basis = tables.Column(verbose_name=_("Căn cứ pháp lý"))
    province = tables.Column(
        verbose_name=_("Tỉnh/thành phố"),
        accessor="product__province",
        order_by=("product__province__sort_key",),
    )

    # What the cells read (the status is annotated by with_status), not every column of the
    # tables joined (the product's description, the units' place names…); the relations are
    # named for querysets that select them (the list itself reads the decision as columns:
    # row_annotations). PostgreSQL, national data: a page's rows 7.1 → 4.8 ms.
    row_fields = (
        *("code", "star", "potential_5_star", "issue_date", "expiry", "extended_until", "revoked_on"),
        *("legal_basis", "superseded_by__issue_date", "decision__number", "decision__date"),
        *("product__name", "product__province__name", "product__commune__name"),
    )

    class Meta:
        model = Certificate
        fields = ["code", "product", "star", "decision", "issue_date", "expiry", "status", "legal_basis"]
        sequence = (*fields, "province")
        attrs = TABLE_ATTRS
        empty_text = _("Không có giấy chứng nhận nào.")
        order_by = ("-issue_date",)

    fast_columns = (
        "code", "product", "star", "decision", "issue_date", "expiry", "status", "legal_basis", "province"
    )  # fmt: skip

    @cached_property
    def _labels(self) -> tuple[Mapping[Any, str], Mapping[Any, str]]:
        """The statuses' and legal bases' labels in the page's language (read once a page)."""
        return enum_labels(CertificateStatus), enum_labels(LegalBasis)

    def cells_html(self, record: Certificate) -> list[str]:
        """The row as the columns below write it (test_tables holds the two equal), in one call."""
        empty = escape(self.columns["code"].default)
        status_labels, basis_labels = self._labels
        product = record.product
        province = product.province
        code = record.code
        return [
            f'<a href="{escape(record.get_absolute_url())}">{escape(code)}</a>' if code else empty,
            f'<a href="{escape(product.get_absolute_url())}">{escape(product)}</a>',
            star_text(record),
            decision_html(record),
            # format_date writes d/m/Y as the columns' date filter does, without its look-ups a call.
            format_date(record.issue_date) if record.issue_date else empty,
            format_date(record.expiry) if record.expiry else empty,
            status_badge(record, status_labels),
            escape(basis_labels.get(record.legal_basis, record.legal_basis)) if record.legal_basis else empty,
            escape(province.short_name) if province is not None else empty,
        ]

    def render_star(self, record: Certificate) -> str:
        return star_text(record)

    def row_annotations(self) -> dict[str, Any]:
        # The decision's number and date as columns of the page's rows, not Decision objects.
        return {"decision_number": F("decision__number"), "decision_date": F("decision__date")}

    def render_decision(self, record: Certificate) -> str:
        return decision_html(record)

    def render_status(self, record: Certificate) -> str:
        return status_badge(record)

    def render_legal_basis(self, record: Certificate) -> str:
        return mark_safe(escape(record.legal_basis_label))  # noqa: S308 (escaped)

    def render_province(self, value) -> str:
        return value.short_name


def _location(product) -> str:
    if product.commune is not None:
        return f"{product.commune.short_name}, {product.province.short_name}"
    return product.province.short_name


class ExpiringCertificateTable(Table):
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

    row_fields = (
        *("code", "star", "potential_5_star", "expiry"),
        *("product__name", "product__producer__name", "product__province__name", "product__commune__name"),
    )
    fast_columns = (
        *("product", "code", "producer", "location", "star", "expiry"),
        *("days_left", "window", "state", "dossier"),
    )

    def __init__(self, *args, today=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    @cached_property
    def _words(self) -> tuple[dict[str, str], str]:
        """The window states' badges and "Chưa có" in the page's language (read once a page)."""
        labels = reminders.WindowState.LABELS
        badges = {
            state: f'<span class="badge text-bg-{escape(colour)}">{escape(labels[state])}</span>'
            for state, colour in reminders.WindowState.COLOURS.items()
        }
        return badges, f'<span class="text-body-secondary">{escape(_("Chưa có"))}</span>'

    def cells_html(self, record: Certificate) -> list[str]:
        """The row as the render_* methods below write it (a test holds the two equal), in one call."""
        badges, no_dossier = self._words
        product, today, expiry = record.product, self.today, record.expiry
        code = record.code
        opens, closes = reminders.window(expiry, today)
        status = getattr(record, "reevaluation_status", None)
        if status:
            label = escape(extensions.filing_status_label(status))
            url = extensions.filing_url(record.reevaluation_dossier)
            dossier = f'<a href="{escape(url)}">{label}</a>' if url else label
        else:
            dossier = no_dossier
        return [
            f'<a href="{escape(product.get_absolute_url())}">{escape(product)}</a>',
            f'<a href="{escape(record.get_absolute_url())}">{escape(code)}</a>'
            if code
            else escape(self.columns["code"].default),
            escape(product.producer.name),
            escape(_location(product)),
            star_text(record),
            format_date(expiry),
            str((expiry - today).days),
            f"{format_date(opens)} – {format_date(closes)}",
            badges[reminders.window_state(expiry, today)],
            dossier,
        ]

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
        opens, closes = reminders.window(record.expiry, self.today)
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
        label = extensions.filing_status_label(status)
        url = extensions.filing_url(record.reevaluation_dossier)
        return format_html('<a href="{}">{}</a>', url, label) if url else label
