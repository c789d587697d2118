"""One filter set for units, shared by the pages and the API, so both search the same way."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core.text import fold

from .models import Level, Structure, Unit


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Tìm theo tên hoặc mã"), max_length=100)
    structure = django_filters.ChoiceFilter(choices=Structure.choices, label=_("Cấu trúc"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Cấp"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Mã đơn vị cấp trên"), max_length=5)

    class Meta:
        model = Unit
        fields: list[str] = []

    def search(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        # Names are matched on their folded form (no diacritics, đ → d), the same on SQLite and
        # PostgreSQL; `contains` on a lower-case column is what the pg_trgm index serves.
        folded = fold(value)
        if not folded:
            return queryset
        query = Q(name_folded__contains=folded)
        if folded.isdigit():
            query |= Q(code=folded)
        return queryset.filter(query)
