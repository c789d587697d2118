"""A page of an ordered queryset in two steps: the page's keys first, then those rows.

A list sorted by relevance or by a column must order every match before it can take 50: with the
rows' joins (units, producer) and annotations in the same statement, the database joins all
matches (1,565 for "gao") to keep 50. Reading the 50 keys alone first, then the rows of those keys,
joins 50 rows instead; the order and the rows are the same.

With ``count_with_keys`` (lists with a search) the keys come with the number of matches
(`keys_with_count`), so the page costs one evaluation of the filters, not two (a COUNT, then
the keys): a search's conditions are most of such a list's SQL. Without a search the COUNT stays:
it reads an index, and the keys query stops after 50 rows of the sorted index, which a window
count would not let it do (national data, SQLite: 29 ms a page against 47). A page past the end
has no row to carry the number: then a COUNT(*) as before.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F, OrderBy, QuerySet, Window
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode

TOTAL = "paging_total"


def _two_step(queryset: Any, joined: bool = False) -> bool:
    """Whether a page is better read keys first: ``joined``, its rows will join other tables."""
    query = getattr(queryset, "query", None)
    return (
        isinstance(queryset, QuerySet)
        and queryset.ordered
        and (joined or bool(query.select_related))  # only joined rows cost more than their keys
        and not query.distinct
        and not query.combinator
        and not query.is_sliced
        and issubclass(queryset._iterable_class, ModelIterable)
    )


def keys_with_count(queryset: QuerySet, start: int, stop: int) -> tuple[list[Any], int | None]:
    """The keys of ``queryset[start:stop]`` and the number of all its rows, in one statement; the
    number is None when no row is there to carry it.

    PostgreSQL: ``COUNT(*) OVER ()`` beside each key. SQLite kept every match through that window
    before sorting all of them, so there the matches are taken once into a common table, then
    counted and sorted: ``WITH m AS (keys and sort values of the matches) SELECT key, (SELECT
    COUNT(*) FROM m) FROM m ORDER BY … LIMIT`` (national data: "gao" 26.9 → 22.2 ms a page,
    "ca" 51.7 → 45.9 ms, the API 17.4 → 15.9 ms). PostgreSQL's plans were no faster that way
    (±5 %). An ordering the common table cannot restate (random, NULLS FIRST/LAST, a relation's
    own ordering) keeps the window.
    """
    ordering = _ordering(queryset) if connections[queryset.db].vendor == "sqlite" else None
    if ordering is None:
        found = list(queryset.annotate(**{TOTAL: Window(Count("*"))}).values_list("pk", TOTAL)[start:stop])
    else:
        names = [f"paging_o{index}" for index in range(len(ordering))]
        inner = (
            queryset.order_by()
            .annotate(
                **{name: expression for name, (expression, _descending) in zip(names, ordering, strict=True)}
            )
            .values_list("pk", *names)
        )
        connection = connections[queryset.db]
        try:
            sql, params = inner.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:  # nothing can match: the COUNT(*) says 0
            return [], None
        qn = connection.ops.quote_name
        columns = ", ".join(qn(name) for name in ["paging_key", *names])
        order = ", ".join(
            f"{qn(name)} {'DESC' if descending else 'ASC'}"
            for name, (_expression, descending) in zip(names, ordering, strict=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH paging_matches ({columns}) AS ({sql}) "
                f"SELECT {qn('paging_key')}, (SELECT COUNT(*) FROM paging_matches) FROM paging_matches "
                f"ORDER BY {order} {connection.ops.limit_offset_sql(start, stop)}",
                params,
            )
            found = cursor.fetchall()
        pk = queryset.model._meta.pk
        for converter in pk.get_db_converters(connection):  # as values_list("pk") would (UUIDs…)
            found = [(converter(key, pk, connection), total) for key, total in found]
    return [key for key, _total in found], (found[0][1] if found else None)


def _ordering(queryset: QuerySet) -> list[tuple[Any, bool]] | None:
    """The queryset's ordering as (expression, descending) pairs, None when it holds something the
    common table's sort cannot repeat as is (random order, NULLS FIRST/LAST, extra())."""
    query = queryset.query
    items = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    if not items or query.extra_order_by or query.extra:
        return None
    ordering = []
    for item in items:
        if isinstance(item, str):
            name = item.removeprefix("-")
            if name not in query.annotations and name != "pk":
                # A column of the model itself; a relation sorts by its model's ordering instead.
                try:
                    field = query.get_meta().get_field(name)
                except FieldDoesNotExist:
                    return None
                if field.is_relation or not field.concrete:
                    return None
            ordering.append((F(name), item.startswith("-")))
        elif isinstance(item, OrderBy):
            if item.nulls_first or item.nulls_last:
                return None
            ordering.append((item.expression, item.descending))
        elif hasattr(item, "resolve_expression"):
            ordering.append((item, False))
        else:
            return None
    return ordering


def _single_valued_joins(query: Any) -> bool:
    """Whether every join of ``query`` follows a foreign key or one-to-one (a row of the queried
    model is never repeated by them)."""
    for join in query.alias_map.values():
        field = getattr(join, "join_field", None)
        if field is None:  # the base table
            continue
        if not (getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)):
            return False
    return True


def rows_queryset(queryset: QuerySet, keys: list[Any]) -> QuerySet:
    """``queryset``'s rows of ``keys`` (found through that queryset's filters), read without those
    filters: a search's conditions (full-text subqueries, place lists) already chose the keys and
    would be compiled and run again for 50 rows. Kept when a join could repeat rows (a filter
    across a to-many relation), where the filters stay."""
    rows = queryset.order_by()
    if _single_valued_joins(rows.query):
        rows.query.where = WhereNode()
    return rows.filter(pk__in=keys)


def _rows_of(queryset: Any, keys: list[Any]) -> list[Any]:
    rows = {row.pk: row for row in rows_queryset(queryset, keys)}
    return [rows[key] for key in keys if key in rows]


def page_slice(queryset: Any, start: int, stop: int) -> Any:
    """queryset[start:stop], as a list of the same objects in the same order."""
    if not _two_step(queryset):
        return queryset[start:stop]
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    return _rows_of(queryset, keys) if keys else []


class KeysFirstPaginator(Paginator):
    """django-tables2's pages through `page_slice` (its rows wrap a queryset in `.data.data`);
    with ``count_with_keys``, the page's keys read with the number of matches."""

    def __init__(self, *args: Any, count_with_keys: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_with_keys = count_with_keys

    def page(self, number: Any) -> Any:
        rows = self.object_list
        data = getattr(rows, "data", None)
        queryset = getattr(data, "data", None)
        # Annotations of the shown rows alone (Table.row_annotations): a join in the statement of
        # the keys and the count would cost every row (the product list's count: 0.01 → 14 ms).
        table = getattr(rows, "table", None)
        extra = table.row_annotations() if hasattr(table, "row_annotations") else {}
        # BoundRows.pinned_data is {"top": None, "bottom": None} without pinned rows: look inside.
        if not _two_step(queryset, joined=bool(extra)) or any(
            (getattr(rows, "pinned_data", None) or {}).values()
        ):
            return super().page(number)
        keys = self._keys_with_count(queryset, data, number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if keys is None:
            keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        # The columns the table shows (Table.row_fields), not every column of five tables.
        fields = getattr(table, "row_fields", None)
        shown = queryset.only(*fields) if fields else queryset
        if extra:
            shown = shown.annotate(**extra)
        records = _rows_of(shown, keys[: top - bottom]) if keys else []
        from django_tables2.rows import BoundRows

        return self._get_page(BoundRows(data=records, table=rows.table), number, self)

    def _keys_with_count(self, queryset: QuerySet, data: Any, number: Any) -> list[Any] | None:
        """The keys from the page's first row on (orphans included), setting the count they carry;
        None when the number is not a page number or no row is there (the count then comes from
        a COUNT(*), and validate_number says what is wrong)."""
        if not self.count_with_keys or "count" in self.__dict__:
            return None
        try:
            number = int(number)
        except (TypeError, ValueError):
            return None
        if number < 1:
            return None
        bottom = (number - 1) * self.per_page
        keys, count = keys_with_count(queryset, bottom, bottom + self.per_page + self.orphans)
        if count is None:
            return None
        self.__dict__["count"] = count  # Paginator.count is a cached_property
        data._length = count  # django-tables2's cached len(table.data), read by templates
        return keys
