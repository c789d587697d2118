"""Filters of the scan signals list, shared by the page and GET /api/v1/oversight/signals."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.certification import codes as certificate_codes
from ocop.geo.models import Level, Structure, Unit
from ocop.registry.filtersets import AreaFilterMixin, UnitChoiceFilter
from ocop.registry.models import Product
from ocop.registry.search import product_condition

from ..models import ScanSignal, SignalRule, SignalStatus


def _current(level: str) -> QuerySet[Unit]:
    return Unit.objects.filter(structure=Structure.CURRENT, level=level)


class SignalFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_("Tên hoặc mã sản phẩm, mã giấy chứng nhận, mã được nhập; không cần dấu"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    rule = django_filters.ChoiceFilter(label=_("Dấu hiệu"), choices=SignalRule.choices)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=SignalStatus.choices)
    # The product's place (the signal's own place for scoping).
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current(Level.PROVINCE), field_name="product__province"
    )
    commune = UnitChoiceFilter(
        label=_("Xã/phường/đặc khu"), queryset=_current(Level.COMMUNE), field_name="product__commune"
    )
    product = django_filters.NumberFilter(label=_("Sản phẩm (id)"), widget=forms.HiddenInput)

    class Meta:
        model = ScanSignal
        fields = ["q", "rule", "status", "province", "commune", "product"]

    def search(self, queryset: QuerySet[ScanSignal], name: str, value: str) -> QuerySet[ScanSignal]:
        text = (value or "").strip()
        if not text:
            return queryset
        code = certificate_codes.normalize(text)[:64]
        products = Product.objects.filter(product_condition(text, using=queryset.db)).values("pk")
        return queryset.filter(Q(product__in=products) | Q(code=code) | Q(certificate__code=code))


def filter_signals(queryset: QuerySet[ScanSignal], params: Any, request: Any = None) -> QuerySet[ScanSignal]:
    """The same filters for the API (invalid values are ignored like on the page)."""
    return SignalFilterSet(params, queryset=queryset, request=request).qs
