"""Filters of the plans and manual values lists, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.registry.filtersets import AreaFilterMixin

from . import indicators
from .models import ManualValue, Plan, PlanLevel


class PlanFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_("Tên kế hoạch, số văn bản hoặc cơ quan ban hành"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    level = django_filters.ChoiceFilter(label=_("Cấp"), choices=PlanLevel.choices)
    year = django_filters.NumberFilter(
        label=_("Đang thực hiện năm"), method="active_in", min_value=2000, max_value=2100
    )

    class Meta:
        model = Plan
        fields = ["q", "level", "year", "province", "commune"]

    def search(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        # Plans are few per unit: each typed word in the title, the document's number or its issuer.
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(document_number__icontains=word)
                | Q(document_issuer__icontains=word)
            )
        return queryset

    def active_in(self, queryset: QuerySet[Plan], name: str, value: Any) -> QuerySet[Plan]:
        year = int(value)
        return queryset.filter(start_year__lte=year, end_year__gte=year)


class ManualValueFilterSet(AreaFilterMixin):
    indicator = django_filters.ChoiceFilter(label=_("Chỉ tiêu"), choices=indicators.manual_choices)
    level = django_filters.ChoiceFilter(label=_("Cấp"), choices=PlanLevel.choices)
    year = django_filters.NumberFilter(label=_("Năm"), method="in_year", min_value=2000, max_value=2100)

    class Meta:
        model = ManualValue
        fields = ["indicator", "level", "year", "province", "commune"]

    def in_year(self, queryset: QuerySet[ManualValue], name: str, value: Any) -> QuerySet[ManualValue]:
        year = int(value)
        return queryset.filter(period_start__year__lte=year, period_end__year__gte=year)
