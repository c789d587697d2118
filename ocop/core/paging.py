"""A page of an ordered queryset in two steps: the page's keys first, then those rows.

A list sorted by relevance or by a column must order every match before it can take 50: with the
rows' joins (units, producer) and annotations in the same statement, the database joins all
matches (1,565 for "gao") to keep 50. Reading the 50 keys alone first, then the rows of those keys,
joins 50 rows instead; the order and the rows are the same.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable


def _two_step(queryset: Any) -> bool:
    query = getattr(queryset, "query", None)
    return (
        isinstance(queryset, QuerySet)
        and queryset.ordered
        and bool(query.select_related)  # only joined rows cost more than their keys
        and not query.distinct
        and not query.combinator
        and not query.is_sliced
        and issubclass(queryset._iterable_class, ModelIterable)
    )


def page_slice(queryset: Any, start: int, stop: int) -> Any:
    """queryset[start:stop], as a list of the same objects in the same order."""
    if not _two_step(queryset):
        return queryset[start:stop]
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    if not keys:
        return []
    rows = {row.pk: row for row in queryset.filter(pk__in=keys).order_by()}
    return [rows[key] for key in keys if key in rows]


class KeysFirstPaginator(Paginator):
    """django-tables2's pages through `page_slice` (its rows wrap a queryset in `.data.data`)."""

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        data = getattr(rows, "data", None)
        queryset = getattr(data, "data", None)
        if not _two_step(queryset) or getattr(rows, "pinned_data", None):
            return super().page(number)
        from django_tables2.rows import BoundRows

        records = page_slice(queryset, bottom, top)
        return self._get_page(BoundRows(data=records, table=rows.table), number, self)
