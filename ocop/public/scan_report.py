"""Lượt quét (/scans/): officers see how often the public opened their products and certificates.

Counts come from ``ScanCount`` (written by ``ocop.public.scans.flush``), restricted with
``core.scoping`` for the acting user: a province officer sees the products of their province, a
commune officer their commune's, a producer its own products, national roles everything. Figures
per day (chart and table), per current province and the most scanned products, split by source
(QR, web, API). A fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.core.scoping import NATIONAL_ROLES, VIEW, restrict, role_required
from ocop.geo.models import Level, Structure, Unit
from ocop.registry.models import Product

from . import published
from .models import ScanCount, ScanSource

PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30
TOP_PRODUCTS = 20
SOURCES = (ScanSource.QR, ScanSource.WEB, ScanSource.API)


def _sums() -> dict[str, Sum]:
    sums = {source.value: Sum("count", filter=Q(source=source.value), default=0) for source in SOURCES}
    return {**sums, "total": Sum("count", default=0)}


class ScanFilterSet(django_filters.FilterSet):
    days = django_filters.ChoiceFilter(
        label=gettext_lazy("Khoảng thời gian"),
        choices=lambda: [(str(n), _("%(n)s ngày qua") % {"n": n}) for n in PERIODS],
        method="in_period",
        empty_label=None,
    )
    province = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Tỉnh/thành phố"),
        queryset=Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).only(
            "id", "code", "name"
        ),
        to_field_name="code",
        field_name="product__province",
        empty_label=gettext_lazy("Cả nước"),
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Nguồn"), choices=ScanSource.choices, empty_label=gettext_lazy("Mọi nguồn")
    )
    product = django_filters.NumberFilter(field_name="product_id", widget=forms.HiddenInput)

    class Meta:
        model = ScanCount
        fields = ["days", "province", "source", "product"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(user, "role", None) not in NATIONAL_ROLES:
            del self.filters["province"]  # a scoped user has one province (or less) anyway
        for name, form_field in self.form.fields.items():
            if name != "product":
                form_field.widget.attrs["class"] = "form-select"

    @property
    def period(self) -> int:
        value = self.form.cleaned_data.get("days") if self.form.is_valid() else None
        return int(value) if value else DEFAULT_PERIOD

    def in_period(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # applied in build(): the period is always set, defaulting to 30 days

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        today = published.today()
        return queryset.filter(day__gt=today - dt.timedelta(days=self.period), day__lte=today)


@dataclass
class Report:
    first: dt.date
    last: dt.date
    by_day: list[dict[str, Any]] = field(default_factory=list)
    by_province: list[dict[str, Any]] = field(default_factory=list)
    top_products: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def source_totals(self) -> list[tuple[str, str, int]]:
        return [(source.value, str(source.label), self.totals.get(source.value, 0)) for source in SOURCES]

    def chart_data(self) -> dict[str, Any]:
        return {
            "labels": [f"{row['day']:%d/%m}" for row in self.by_day],
            "series": [
                {
                    "key": source.value,
                    "label": str(source.label),
                    "values": [row[source.value] for row in self.by_day],
                }
                for source in SOURCES
            ],
        }


def build(queryset: QuerySet[ScanCount], period: int) -> Report:
    """Per day (every day of the period, zeros included), per province and the top products."""
    last = published.today()
    first = last - dt.timedelta(days=period - 1)
    empty = {source.value: 0 for source in SOURCES} | {"total": 0}
    days = {row["day"]: row for row in queryset.order_by().values("day").annotate(**_sums())}
    by_day = [
        {**empty, **days.get(first + dt.timedelta(days=i), {}), "day": first + dt.timedelta(days=i)}
        for i in range(period)
    ]
    by_province = list(
        queryset.order_by()
        .values("product__province__code", "product__province__name")
        .annotate(**_sums())
        .order_by("-total", "product__province__code")
    )
    top = list(
        queryset.order_by()
        .values("product_id", "product__name", "product__code")
        .annotate(**_sums())
        .order_by("-total", "product_id")[:TOP_PRODUCTS]
    )
    totals = {key: sum(row[key] for row in by_day) for key in empty}
    return Report(first, last, by_day, by_province, top, totals)


@role_required(ScanCount)
def scan_report(request: HttpRequest) -> HttpResponse:
    """/scans/: scans per day, per province and per product for the user's scope."""
    user = request.user
    visible = restrict(ScanCount.objects.all(), user, VIEW)
    data = request.GET.copy()
    data.setdefault("days", str(DEFAULT_PERIOD))  # bound with a period: it always applies
    filterset = ScanFilterSet(data, queryset=visible, user=user)
    product = None
    if filterset.form.is_valid() and (product_id := filterset.form.cleaned_data.get("product")):
        product = (
            restrict(Product.objects.only("id", "name", "code"), user, VIEW).filter(pk=product_id).first()
        )
        if product is None:
            raise Http404
    report = build(filterset.qs, filterset.period)
    context = {
        "title": _("Lượt quét mã QR và truy cập trang công khai"),
        "filter": filterset,
        "report": report,
        "product": product,
        "chart_data": report.chart_data(),
        "sources": SOURCES,
    }
    response = render(request, "public/scan_report.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def product_scan_total(product: Product, user: Any, days: int = DEFAULT_PERIOD) -> dict[str, int] | None:
    """The product's scans over the last ``days`` days (all, QR) for the officer's product page;
    None when the user may not see its counters."""
    visible = restrict(ScanCount.objects.filter(product=product), user, VIEW)
    if not visible.query.is_empty():
        today = published.today()
        return visible.filter(day__gt=today - dt.timedelta(days=days), day__lte=today).aggregate(**_sums())
    return None
