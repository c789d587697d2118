"""The FilterSet of consumers' reports, shared by the triage list and the API (/api/v1/oversight/reports)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.registry import search
from ocop.registry.filtersets import UnitChoiceFilter

from ..forms.reports import current_provinces, normal_receipt
from ..models import ConsumerReport, ReportKind, ReportStatus

NO_PROVINCE = "none"


class ReportFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_("Mã tiếp nhận, mã trên sản phẩm, tên sản phẩm, nội dung; không cần dấu"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=ReportStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Loại phản ánh"), choices=ReportKind.choices)
    province = UnitChoiceFilter(label=_("Tỉnh xử lý"), queryset=current_provinces(), field_name="province")
    routed = django_filters.ChoiceFilter(
        label=_("Tỉnh xử lý chưa xác định"),
        choices=[(NO_PROVINCE, _("Chưa xác định tỉnh (Trung ương xử lý)"))],
        method="without_province",
    )
    created_after = django_filters.DateFilter(
        label=_("Gửi từ ngày"), field_name="created__date", lookup_expr="gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Gửi đến ngày"), field_name="created__date", lookup_expr="lte"
    )

    class Meta:
        model = ConsumerReport
        fields = ["q", "status", "kind", "province", "routed", "created_after", "created_before"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None) if self.request is not None else None
        provinces = current_provinces()
        if (
            user is not None
            and getattr(user, "scope_province_id", None)
            and not getattr(user, "is_national", True)
        ):
            provinces = provinces.filter(pk=user.scope_province_id)
        self.filters["province"].queryset = provinces
        self.form.fields["province"].queryset = provinces

    def search(self, queryset: QuerySet[ConsumerReport], name: str, value: str) -> QuerySet[ConsumerReport]:
        text = value.strip()
        if not text:
            return queryset
        exact = Q(code__iexact=text) | Q(description__icontains=text) | Q(where_bought__icontains=text)
        if receipt := normal_receipt(text):
            exact |= Q(receipt_code=receipt)
        products = search.product_condition(text, path="product__", producer_numbers=False, using=queryset.db)
        return queryset.filter(exact | (Q(product__isnull=False) & products))

    def without_province(
        self, queryset: QuerySet[ConsumerReport], name: str, value: str
    ) -> QuerySet[ConsumerReport]:
        return queryset.filter(province__isnull=True) if value == NO_PROVINCE else queryset
