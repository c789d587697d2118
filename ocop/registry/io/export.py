"""The export of producers and products with the template's columns (so an export imports back
unchanged); products add their status from the certificates (`product_export_spec`), which the
import ignores.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from ocop.core.tabular import Column, Spec
from ocop.geo.models import Structure, Unit

from ..classification import ProductStatus
from ..models import Producer, Product
from .common import _format, _unit_label
from .specs import PRODUCER_SPEC, PRODUCT_SPEC, _spec

# --- export ----------------------------------------------------------------------------------------


# Coded columns written as their labels in the active language (the import reads a label in any
# of the platform's languages, or the code); the set code "B07" is the classification's own name.
_CODED_AS_CODE = {"classification_set"}


def _labels(spec: Spec) -> dict[str, dict[str, str]]:
    return {c.key: dict(c.choices) for c in spec.columns if c.choices and c.key not in _CODED_AS_CODE}


def _labelled(values: dict[str, str], labels: dict[str, dict[str, str]]) -> dict[str, str]:
    for key, names in labels.items():
        if values.get(key):
            values[key] = names.get(values[key], values[key])
    return values


def _producer_row(producer: Producer, labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    values = {
        c.key: _format(getattr(producer, c.key, ""))
        for c in PRODUCER_SPEC.columns
        if hasattr(producer, c.key)
    }
    values["id"] = str(producer.pk)
    values.update(_unit_columns(producer.unit))
    return _labelled(values, labels or {})


def _unit_columns(unit: Unit) -> dict[str, str]:
    if unit.structure == Structure.CURRENT:
        return {"unit_code": unit.code, "former_unit_code": ""}
    return {"unit_code": "", "former_unit_code": unit.code}


def _product_row(product: Product, labels: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    values = {
        c.key: _format(getattr(product, c.key, "")) for c in PRODUCT_SPEC.columns if hasattr(product, c.key)
    }
    values["code"] = product.code or ""
    values["programme_status"] = product.programme_status
    values["producer_tax_code"] = product.producer.tax_code
    values["producer_name"] = product.producer.name
    values["place"] = _unit_label(product.unit)
    values.update(_unit_columns(product.unit))
    return _labelled(values, labels or {})


def export_queryset(kind: str, queryset: models.QuerySet, stream: IO[bytes], fmt: str = "xlsx") -> None:
    """Write the queryset (already restricted by the caller) with the template's columns.

    Personal data is part of the producer export: callers restrict to users who may view it.
    The file is in the platform's language whatever the user's (headers and labels), as the
    import template is: it is the file format that imports back.
    """
    with translation.override(settings.LANGUAGE_CODE):
        _export(kind, queryset, stream, fmt)


def _export(kind: str, queryset: models.QuerySet, stream: IO[bytes], fmt: str) -> None:
    spec = _spec(kind)
    if kind == "producers":
        labels = _labels(spec)
        rows = (_producer_row(p, labels) for p in queryset.select_related("unit").iterator(chunk_size=2000))
    else:
        queryset = queryset.select_related("producer", "unit__parent__parent", "unit__current_province")
        if "programme_status" not in queryset.query.annotations:
            queryset = queryset.with_programme_status()
        spec = product_export_spec()
        labels = _labels(spec)
        rows = (_product_row(p, labels) for p in queryset.iterator(chunk_size=2000))
    spec.write_rows(rows, stream, fmt)


def product_export_spec() -> Spec:
    """The import template's columns, then the status from the certificates (import ignores it).

    The template's "status" column keeps the stored stage, so an export imports back as it was.
    """
    current = Column(
        _("Tình trạng hiện tại (theo giấy chứng nhận)"),
        "programme_status",
        choices=[(str(code), str(label)) for code, label in ProductStatus.choices()],
        help=_("Chỉ để xem: tính từ giấy chứng nhận vào ngày xuất tệp; khi nhập tệp, cột này được bỏ qua."),
        width=16,
    )
    return Spec(columns=[*PRODUCT_SPEC.columns, current])
