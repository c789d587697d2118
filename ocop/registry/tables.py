"""List tables for producers and products (django-tables2); names sort in Vietnamese order."""

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import django_tables2 as tables
from django.db.models import Count, QuerySet
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display, enum_labels, field_labels
from ocop.core.renderers import escape
from ocop.core.tables import Table
from ocop.geo.models import place_names
from ocop.geo.sources import short_name

from .classification import ProductStatus
from .models import ChangeRequest, Producer, Product

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
NUMBER_CONTEXT = Context()  # a number as {{ cell }} writes it (localised, autoescaped)


def _unit_label(record) -> str:
    state = record.__dict__
    if "place_province" in state:  # annotated by geo.models.place_names(): no Unit objects
        commune, province, unit = state["place_commune"], state["place_province"], state["place_unit"]
    else:
        commune = record.commune.name if record.commune is not None else None
        province, unit = record.province.name, None
    if commune is not None:
        return f"{short_name(commune)}, {short_name(province)}"
    # A former unit that split: only its province is known for sure.
    former = _("đơn vị cũ")  # outside the f-string, where makemessages (xgettext) finds it
    return f"{unit if unit is not None else record.unit.name} ({former}), {short_name(province)}"


def _count_html(count: Any, empty: str) -> str:
    """A count as {{ cell }} writes it: below 1,000 an int has no thousands separator to localise."""
    if type(count) is int and 0 <= count < 1000:
        return str(count)
    return empty if count in ("", None) else render_value_in_context(count, NUMBER_CONTEXT)


class ProducerTable(Table):
    name = tables.Column(verbose_name=_("Tên chủ thể"), order_by=("sort_key", "pk"), linkify=True)
    producer_type = tables.Column(verbose_name=_("Loại hình"))
    tax_code = tables.Column(verbose_name=_("Mã số thuế"))
    location = tables.Column(
        verbose_name=_("Địa bàn"), accessor="province", order_by=("province__sort_key", "commune__sort_key")
    )
    product_count = tables.Column(verbose_name=_("Số sản phẩm"), attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name=_("Tình trạng"))

    row_fields = (
        *("name", "producer_type", "tax_code", "status"),
        *("unit__name", "province__name", "commune__name"),
    )

    class Meta:
        model = Producer
        fields = ["name", "producer_type", "tax_code", "location", "product_count", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có chủ thể nào.")
        order_by = ("name",)

    fast_columns = ("name", "producer_type", "tax_code", "location", "product_count", "status")

    @cached_property
    def _labels(self) -> tuple[Mapping[Any, str], Mapping[Any, str]]:
        """The producer types' and statuses' labels in the page's language (read once a page)."""
        field = Producer._meta.get_field
        return field_labels(field("producer_type")), field_labels(field("status"))

    def cells_html(self, record: Producer) -> list[str]:
        """The row as the columns below write it (test_tables holds the two equal), in one call."""
        empty = escape(self.columns["tax_code"].default)
        type_labels, status_labels = self._labels
        kind, status, count = record.producer_type, record.status, getattr(record, "product_count", None)
        return [
            f'<a href="{escape(record.get_absolute_url())}">{escape(record.name)}</a>'
            if record.name not in ("", None)
            else empty,
            escape(type_labels.get(kind, kind)) if kind not in ("", None) else empty,
            escape(record.tax_code) if record.tax_code not in ("", None) else empty,
            escape(_unit_label(record)),
            _count_html(count, empty),
            escape(status_labels.get(status, status)) if status not in ("", None) else empty,
        ]

    def row_annotations(self) -> dict[str, Any]:
        return place_names()  # the place's names as three columns, no Unit objects (_unit_label)

    def render_location(self, record: Producer) -> str:
        return _unit_label(record)

    def order_product_count(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        # Only a sort by the count counts every producer's products; otherwise the page's rows are
        # counted after pagination (prepare_records).
        order = "-product_count" if is_descending else "product_count"
        return queryset.annotate(product_count=Count("products", distinct=True)).order_by(
            order, "sort_key", "pk"
        ), True

    def prepare_records(self, records: list[Producer]) -> None:
        missing = [record.pk for record in records if "product_count" not in record.__dict__]
        if not missing:
            return
        counts = dict(
            Product.objects.filter(producer_id__in=missing)
            .order_by()
            .values("producer_id")
            .annotate(n=Count("pk"))
            .values_list("producer_id", "n")
        )
        for record in records:
            if "product_count" not in record.__dict__:
                record.product_count = counts.get(record.pk, 0)

    def render_producer_type(self, record: Producer) -> str:
        return display(record, "producer_type")


class ProductTable(Table):
    name = tables.Column(verbose_name=_("Tên sản phẩm"), order_by=("sort_key", "pk"), linkify=True)
    code = tables.Column(
        verbose_name=_("Mã sản phẩm"),
        default="—",
        # By number, not as text: "…-2-2026" before "…-10-2026".
        order_by=("province__code", "commune__code", "code_year", "code_sequence"),
    )
    producer = tables.Column(
        verbose_name=_("Chủ thể"),
        order_by=("producer__sort_key", "producer__pk"),
        linkify=lambda record: record.producer.get_absolute_url(),
    )
    classification_set = tables.Column(verbose_name=_("Bộ sản phẩm"), default="—")
    location = tables.Column(
        verbose_name=_("Nơi sản xuất"),
        accessor="province",
        order_by=("province__sort_key", "commune__sort_key"),
    )
    star = tables.Column(verbose_name=_("Hạng sao"), accessor="current_star", orderable=False, default="—")
    # From the certificates (ProductQuerySet.with_programme_status), not the stored stage.
    status = tables.Column(verbose_name=_("Tình trạng"), accessor="programme_status")

    row_fields = (
        *("name", "code", "status", "classification_set", "classification_version", "legacy_classification"),
        *("unit__name", "province__name", "commune__name", "producer__name"),
    )

    class Meta:
        model = Product
        fields = ["name", "code", "producer", "classification_set", "location", "star", "status"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có sản phẩm nào.")
        order_by = ("name",)

    fast_columns = ("name", "code", "producer", "classification_set", "location", "star", "status")

    @cached_property
    def _labels(self) -> tuple[Mapping[Any, str], Mapping[Any, str]]:
        """The product sets' and statuses' labels in the page's language (read once a page)."""
        return field_labels(Product._meta.get_field("classification_set")), enum_labels(ProductStatus)

    def cells_html(self, record: Product) -> list[str]:
        """The row as the columns below write it (test_tables holds the two equal), in one call."""
        empty = escape(self.columns["code"].default)
        producer = record.producer
        set_labels, status_labels = self._labels
        status = record.programme_status
        return [
            f'<a href="{escape(record.get_absolute_url())}">{escape(record.name)}</a>'
            if record.name not in ("", None)
            else empty,
            escape(record.code) if record.code not in ("", None) else empty,
            f'<a href="{escape(producer.get_absolute_url())}">{escape(producer)}</a>',
            self._classification_set_html(record, set_labels) if record.classification_set else empty,
            escape(_unit_label(record)),
            self.render_star(record.current_star) if record.current_star not in ("", None) else empty,
            escape(status_labels.get(status, status)) if status not in ("", None) else empty,
        ]

    @staticmethod
    def _classification_set_html(record: Product, labels: Mapping[Any, str]) -> SafeString:
        # f-strings with escape(), not format_html(): the same markup without its per-call checks.
        code = record.classification_set
        title = escape(labels.get(code, code))
        return mark_safe(f'<span title="{title}">{escape(code)}</span>')  # noqa: S308 (escaped)

    def row_annotations(self) -> dict[str, Any]:
        return place_names()  # the place's names as three columns, no Unit objects (_unit_label)

    def render_location(self, record: Product) -> str:
        return _unit_label(record)

    def render_classification_set(self, record: Product) -> SafeString:
        return self._classification_set_html(record, self._labels[0])

    def render_status(self, record: Product) -> str:
        return record.programme_status_label

    def render_star(self, value: int) -> SafeString:
        return mark_safe(f'<span aria-label="{int(value)} sao">{"★" * int(value)}</span>')  # noqa: S308


class ChangeRequestTable(Table):
    id = tables.Column(verbose_name=_("Số"), linkify=True)
    product = tables.Column(
        verbose_name=_("Sản phẩm"),
        order_by=("product__sort_key", "product__pk"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    fields = tables.Column(verbose_name=_("Nội dung"), accessor="changes", orderable=False)
    status = tables.Column(verbose_name=_("Tình trạng"))
    requested_at = tables.DateTimeColumn(verbose_name=_("Gửi lúc"))

    class Meta:
        model = ChangeRequest
        fields = ["id", "product", "fields", "status", "requested_at"]
        attrs = TABLE_ATTRS
        empty_text = _("Không có đề nghị thay đổi nào.")
        order_by = ("-requested_at",)

    def render_id(self, value: int) -> str:
        return f"#{value}"

    def render_fields(self, record: ChangeRequest) -> str:
        return record.field_labels
