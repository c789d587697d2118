"""The warnings FilterSet (/oversight/warnings/): open, closed or overdue; province; deadline."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.forms import DateInput
from ocop.geo.models import Level
from ocop.registry.filtersets import UnitChoiceFilter, _current

from ..models import InspectedProduct

OPEN, CLOSED, OVERDUE = "open", "closed", "overdue"
STATE_CHOICES = [
    (OPEN, _("Chưa khắc phục")),
    (OVERDUE, _("Quá hạn khắc phục")),
    (CLOSED, _("Đã khắc phục")),
]


def state_condition(state: str, today: Any) -> Q:
    if state == OPEN:
        return Q(resolved_on__isnull=True)
    if state == OVERDUE:
        return Q(resolved_on__isnull=True, deadline__lt=today)
    if state == CLOSED:
        return Q(resolved_on__isnull=False)
    return Q()


class WarningFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=STATE_CHOICES, method="with_state")
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"),
        queryset=_current(Level.PROVINCE),
        field_name="inspection__producer__province",
    )
    deadline_from = django_filters.DateFilter(
        label=_("Hạn khắc phục từ ngày"), field_name="deadline", lookup_expr="gte", widget=DateInput()
    )
    deadline_to = django_filters.DateFilter(
        label=_("Hạn khắc phục đến ngày"), field_name="deadline", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = InspectedProduct
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None) if self.request is not None else None
        if user is not None and user.is_authenticated and not getattr(user, "is_national", True):
            province_id = user.scope_province_id
            provinces = _current(Level.PROVINCE)
            self.filters["province"].queryset = (
                provinces.filter(pk=province_id) if province_id else provinces.none()
            )

    def with_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(state_condition(value, clock.today())) if value else queryset
