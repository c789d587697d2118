"""Filters of the plans and inspections lists, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core.api import MAX_ID
from ocop.core.forms import DateInput
from ocop.core.text import fold_terms
from ocop.geo.models import Level
from ocop.registry.filtersets import AreaFilterMixin, UnitChoiceFilter, _current
from ocop.registry.search import producer_condition

from ..models import Inspection as InspectionModel
from ..models import (
    InspectionPlan,
    InspectionStatus,
    Outcome,
    PlanKind,
    PlanLevel,
    PlanStatus,
)


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_("Tên hoặc số kế hoạch; không cần dấu"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    year = django_filters.NumberFilter(label=_("Năm"), min_value=2018, max_value=2100)
    level = django_filters.ChoiceFilter(label=_("Cấp"), choices=PlanLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("Loại kiểm tra"), choices=PlanKind.choices)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=PlanStatus.choices)
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current(Level.PROVINCE), field_name="province"
    )

    class Meta:
        model = InspectionPlan
        fields = ["q", "year", "level", "kind", "status", "province"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None) if self.request is not None else None
        if user is not None and getattr(user, "scope_province_id", None):
            provinces = _current(Level.PROVINCE).filter(pk=user.scope_province_id)
            self.filters["province"].queryset = provinces
            self.form.fields["province"].queryset = provinces

    def search(self, queryset: QuerySet[InspectionPlan], name: str, value: str) -> QuerySet[InspectionPlan]:
        # Titles are few per province: a plain case-insensitive match on each typed word, with and
        # without diacritics (the title as typed, and its number).
        words = [word for word in value.split() if word]
        for word in words:
            queryset = queryset.filter(Q(title__icontains=word) | Q(number__icontains=word))
        return queryset


class InspectionFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm chủ thể"),
        max_length=100,
        help_text=_("Tên, mã số thuế hoặc địa danh của chủ thể; không cần dấu"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    plan = django_filters.NumberFilter(
        label=_("Kế hoạch"), field_name="plan_id", min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=InspectionStatus.choices)
    conclusion = django_filters.ChoiceFilter(label=_("Kết luận"), choices=Outcome.choices)
    plan_status = django_filters.ChoiceFilter(
        label=_("Trạng thái kế hoạch"), choices=PlanStatus.choices, field_name="plan__status"
    )
    producer = django_filters.NumberFilter(
        label=_("Chủ thể"), field_name="producer_id", min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    date_from = django_filters.DateFilter(label=_("Từ ngày"), method="on_or_after", widget=DateInput())
    date_to = django_filters.DateFilter(label=_("Đến ngày"), method="on_or_before", widget=DateInput())

    class Meta:
        model = InspectionModel
        fields = [
            "q",
            "plan",
            "status",
            "conclusion",
            "plan_status",
            "province",
            "commune",
            "producer",
            "date_from",
            "date_to",
        ]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        # The area filters read the producer's place.
        self.filters["province"].field_name = "producer__province"
        self.filters["commune"].field_name = "producer__commune"

    @staticmethod
    def _day() -> Any:
        from django.db.models.functions import Coalesce

        return Coalesce("inspected_on", "scheduled_on", "plan__starts_on")

    def on_or_after(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.alias(day=self._day()).filter(day__gte=value)

    def on_or_before(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.alias(day=self._day()).filter(day__lte=value)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not fold_terms(value):
            return queryset
        from ocop.registry.models import Producer

        return queryset.filter(
            producer__in=Producer.objects.filter(producer_condition(value, using=queryset.db))
        )
