"""Filters of the expiring-evidence page: the day window, the producer's unit and the document type."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import Level, Structure, Unit
from ocop.registry.filtersets import AreaFilterMixin, UnitChoiceFilter

from .models import EvidenceDocument, EvidenceType
from .rules import EXPIRING_WINDOW_DAYS, MAX_WINDOW_DAYS, window_end


def _current(level: str) -> QuerySet[Unit]:
    return Unit.objects.filter(structure=Structure.CURRENT, level=level)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _unchanged(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    return queryset  # applied together in ExpiringFilterSet.filter_queryset


class ExpiringFilterSet(AreaFilterMixin):
    """Documents whose expiry date falls within `days` from today (optionally also those already expired).

    The unit filters follow the producer's current province/commune (scope is the producer's too).
    """

    days = IntegerFilter(
        label=_("Hết hạn trong vòng (ngày)"),
        method=_unchanged,
        min_value=1,
        max_value=MAX_WINDOW_DAYS,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_WINDOW_DAYS, "step": 1}),
    )
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current(Level.PROVINCE), field_name="producer__province"
    )
    commune = UnitChoiceFilter(
        label=_("Xã/phường/đặc khu"), queryset=_current(Level.COMMUNE), field_name="producer__commune"
    )
    type = django_filters.ChoiceFilter(
        label=_("Loại giấy tờ"), field_name="doc_type", choices=EvidenceType.choices
    )
    expired = django_filters.BooleanFilter(
        label=_("Gồm cả giấy tờ đã hết hạn"), method=_unchanged, widget=forms.CheckboxInput
    )

    class Meta:
        model = EvidenceDocument
        fields = ["days", "province", "commune", "type", "expired"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        days = self.form.cleaned_data.get("days") or EXPIRING_WINDOW_DAYS
        today = timezone.localdate()
        queryset = queryset.filter(expiry_date__lte=window_end(today, days))
        if not self.form.cleaned_data.get("expired"):
            queryset = queryset.filter(expiry_date__gte=today)
        return queryset
