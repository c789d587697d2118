"""The base of every list table: django-tables2's columns, sorting, pagination, linkify and
empty text, with the table body rendered in Python.

django-tables2 renders each cell through its template (a dozen template nodes per cell) and calls
``inspect.signature`` on the render method and the link callable of every cell; on a 50-row list
that is most of the page's time. `Table` renders the same ``<tbody>`` once per page: what a column
needs (its render method's arguments, its ``<td>`` attributes, its choice labels) is worked out
once per column, then each cell is a few attribute reads and the column's render method.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_tables2.columns.datecolumn import DateColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.columns.templatecolumn import TemplateColumn
from django_tables2.rows import BoundRows
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import A, AttributeDict, computed_values
from django_tables2.utils import signature as _read_signature

from ocop.core.choices import field_labels
from ocop.core.paging import KeysFirstPaginator
from ocop.core.renderers import escape

TEMPLATE = "core/table.html"
CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})

# (argument names, takes **kwargs) per function, read once: bound methods by their function.
_BOUND: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLAIN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def signature(fn: Callable) -> tuple[tuple[str, ...], bool]:
    """django_tables2.utils.signature(fn), computed once per function (not once per cell)."""
    func = getattr(fn, "__func__", None)
    cache, key = (_BOUND, func) if func is not None else (_PLAIN, fn)
    try:
        return cache[key]
    except (KeyError, TypeError):
        pass
    args, catch_all = _read_signature(fn)
    result = (tuple(args), catch_all is not None)
    with contextlib.suppress(TypeError):  # not weakly referenceable: read again next time
        cache[key] = result
    return result


def call_with_appropriate(fn: Callable, kwargs: dict[str, Any]) -> Any:
    """django_tables2.utils.call_with_appropriate, with the signature cached."""
    args, catch_all = signature(fn)
    if catch_all:
        return fn(**kwargs)
    if any(arg not in kwargs for arg in args):
        return None
    return fn(**{arg: kwargs[arg] for arg in args})


def _has_callable(attrs: Any) -> bool:
    if callable(attrs):
        return True
    if isinstance(attrs, dict):
        return any(_has_callable(value) for value in attrs.values())
    return False


@lru_cache(maxsize=256)
def _template(code: str) -> Template:
    return Template(code)


def _template_column_render(column: TemplateColumn) -> Callable[..., Any]:
    """TemplateColumn.render (DateColumn, DateTimeColumn…) with its template compiled once, not per cell."""

    def render(record: Any, table: Any, value: Any, bound_column: Any, **kwargs: Any) -> Any:
        parent_context = getattr(table, "context", None) or Context()
        context = column.get_context_data(
            record=record, table=table, value=value, bound_column=bound_column, **kwargs
        )
        with parent_context.update(context):
            parent_context["request"] = getattr(table, "request", None)
            return _template(column.template_code).render(parent_context)

    return render


_DATE_TEMPLATE = re.compile(r'\{\{ value\|date:"([^"{}|]+)"\|default:default \}\}')


def _date_column_render(column: DateColumn, fallback: Callable[..., Any]) -> Callable[..., Any] | None:
    """DateColumn's ``{{ value|date:"FORMAT"|default:default }}`` for a date, without a template:
    what the ``date`` filter does (formats.date_format) and autoescape; anything else (a datetime,
    a string) goes through the template as before."""
    match = _DATE_TEMPLATE.fullmatch(column.template_code or "")
    if type(column) is not DateColumn or match is None:
        return None
    date_format = match.group(1)

    def render(value: Any, **kwargs: Any) -> Any:
        if type(value) is dt.date:
            text = formats.date_format(value, date_format)
            return mark_safe(escape(text)) if text else fallback(value=value, **kwargs)  # noqa: S308
        return fallback(value=value, **kwargs)

    return render


_CONTEXT = Context()  # autoescape on, localisation and time zone as the settings say: like {{ cell }}
_UNSET = object()


class _Column:
    """What rendering one column's cells needs, worked out once per page."""

    def __init__(self, table: Table, bound_column: Any) -> None:
        column = bound_column.column
        self.table = table
        self.bound_column = bound_column
        self.column = column
        self.accessor = A(bound_column.accessor)
        self.single = len(self.accessor.bits) == 1
        self.default = bound_column.default
        self.empty_values = column.empty_values
        self.m2m = isinstance(column, ManyToManyColumn)
        self.link_text_column = isinstance(column, BaseLinkColumn) and column.text is not None
        self.localize = bound_column.localize
        self.render = bound_column.render
        args, self.catch_all = signature(self.render)
        if isinstance(column, TemplateColumn) and column.template_code and self.render == column.render:
            template_render = _template_column_render(column)
            self.render = _date_column_render(column, template_render) or template_render
            args, self.catch_all = (), True
        self.args = args
        self.callable_render = self.catch_all or all(arg in CELL_ARGUMENTS for arg in args)
        self.link = bound_column.link
        self.link_attrs = None
        if self.link is not None and not _has_callable(self.link.attrs or {}):
            self.link_attrs = dict(self.link.attrs or {})
        table_attrs, column_attrs = table.attrs, column.attrs
        self.td = None
        if not _has_callable(table_attrs.get("td", table_attrs.get("cell", {}))) and not _has_callable(
            column_attrs.get("td", column_attrs.get("cell", {}))
        ):
            self.td = bound_column.attrs["td"].as_html()
        self.choice_field: Any = _UNSET  # the model field whose label is shown, found on the first row

    def _choice_field(self, record: models.Model) -> models.Field | None:
        name = self.accessor.bits[0]
        try:
            field = record._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if getattr(field, "choices", ()) and hasattr(record, f"get_{name}_display"):
            return field
        return None

    def _render(self, value: Any, record: Any, row: Any) -> Any:
        if self.catch_all or self.link is not None:
            kwargs = {
                "value": value,
                "record": record,
                "column": self.column,
                "bound_column": self.bound_column,
                "bound_row": row,
                "table": self.table,
            }
            content = (
                self.render(**kwargs)
                if self.catch_all
                else (self.render(**{a: kwargs[a] for a in self.args}) if self.callable_render else None)
            )
            return self._linkify(content, kwargs) if self.link is not None else content
        if not self.callable_render:
            return None
        kwargs = {}
        for arg in self.args:
            if arg == "value":
                kwargs[arg] = value
            elif arg == "record":
                kwargs[arg] = record
            elif arg == "bound_row":
                kwargs[arg] = row
            elif arg == "table":
                kwargs[arg] = self.table
            elif arg == "column":
                kwargs[arg] = self.column
            else:
                kwargs[arg] = self.bound_column
        return self.render(**kwargs)

    def _linkify(self, content: Any, kwargs: dict[str, Any]) -> Any:
        link = self.link
        if link.url and callable(link.url):
            href = call_with_appropriate(link.url, kwargs)
        else:
            href = link.compose_url(**kwargs)
        if href is None:
            return content
        if self.link_attrs is not None:
            attrs = AttributeDict(self.link_attrs)
        else:
            attrs = AttributeDict(computed_values(link.attrs or {}, kwargs=kwargs))
        attrs["href"] = href
        # AttributeDict.as_html() and format_html(), without their per-call lazy-string checks.
        return mark_safe(f"<a {_attrs_html(attrs)}>{escape(content)}</a>")  # noqa: S308 (escaped)

    def _by_bound_row(self, row: Any) -> Any:
        # The general case (a path through relations, a non-model record): django-tables2's own
        # lookup, with this column's cached render.
        def render(bound_column: Any, value: Any = None) -> Any:
            return self._render(value, row.record, row)

        return row._get_and_render_with(self.bound_column, render_func=render, default=self.default)

    def cell(self, row: Any) -> Any:
        record = row.record
        if not (self.single and isinstance(record, models.Model)):
            return self._by_bound_row(row)
        if self.choice_field is _UNSET:
            self.choice_field = self._choice_field(record)
        field = self.choice_field
        if field is not None:
            # get_FOO_display(), from labels built once per language (ocop.core.choices).
            value = getattr(record, field.attname)
            with contextlib.suppress(TypeError):  # unhashable: no label, as get_FOO_display() says
                value = field_labels(field).get(make_hashable(value), value)
        else:
            try:
                value = self.accessor.resolve(record)
            except Exception:
                if self.link_text_column:
                    return self._render(None, record, row)
                value = None
        if value in self.empty_values or (self.m2m and not value.exists()):
            return self.default
        return self._render(value, record, row)

    def td_html(self, row: Any, content: Any) -> str:
        if self.localize is not None:
            content = formats.localize(content, use_l10n=self.localize)
        if type(content) is SafeString:  # most cells: a link or markup, already escaped
            html = content
        elif type(content) is str:
            html = escape(content)
        else:  # numbers, dates, lazy strings…: as {{ cell }} would render them
            html = render_value_in_context(content, _CONTEXT)
        td = self.td
        if td is None:
            bound_column = self.bound_column
            bound_column.current_record, bound_column.current_value = row.record, content
            td = bound_column.attrs["td"].as_html()
        return f"<td {td}>{html}</td>"


def _attrs_html(attrs: AttributeDict) -> str:
    """AttributeDict.as_html(): callables called, blacklisted keys and None values left out."""
    parts = []
    for key, raw in attrs.items():
        value = raw() if callable(raw) else raw
        if key not in AttributeDict.blacklist and value is not None:
            parts.append(f'{escape(key)}="{escape(value)}"')
    return " ".join(parts)


class Table(tables.Table):
    """A django-tables2 table whose body is rendered by `tbody_html` (template core/table.html).

    ``row_fields``: the fields the cells read (``QuerySet.only()`` names, every select_related
    relation included); a page's rows are read with these alone (ocop.core.paging). None: all.
    """

    row_fields: tuple[str, ...] | None = None
    # A table may write its rows itself (`cells_html`) when its columns are exactly these, in
    # this order: one function call a row instead of the generic column machinery per cell.
    fast_columns: tuple[str, ...] = ()

    def cells_html(self, record: Any) -> list[str]:
        """The escaped content of each cell of ``record``, in `fast_columns` order."""
        raise NotImplementedError

    def row_annotations(self) -> dict[str, Any]:
        """Annotations of a page's rows alone (read with `row_fields`), not of the statement of
        its keys and count: e.g. names from joined tables, as columns instead of related objects."""
        return {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("template_name") is None and self._meta.template_name == getattr(
            settings, "DJANGO_TABLES2_TEMPLATE", None
        ):
            kwargs["template_name"] = TEMPLATE
        super().__init__(*args, **kwargs)

    def paginate(self, *args: Any, **kwargs: Any) -> None:
        if not args:  # the page's keys first, then its rows (ocop.core.paging)
            kwargs.setdefault("paginator_class", KeysFirstPaginator)
        super().paginate(*args, **kwargs)
        self._prepared = False  # a table paginated again (a request, then a RequestConfig) has new rows
        self._prepare()

    def prepare_records(self, records: list[Any]) -> None:
        """Add to the shown records what their cells need (e.g. counts): one query for the page."""

    def _prepare(self) -> None:
        if getattr(self, "_prepared", False):
            return
        self._prepared = True
        rows = self.paginated_rows
        # The records, not BoundRow objects: each BoundRow takes a number from the odd/even counter.
        records = list(getattr(rows, "data", rows))
        if hasattr(self, "page") and not isinstance(getattr(rows, "data", None), list):
            # A page of a queryset slice would be read again, as new objects, when the body is
            # written: keep the records prepared here (KeysFirstPaginator's pages are lists).
            self.page.object_list = BoundRows(data=records, table=self)
        self.prepare_records(records)

    @property
    def fast_body(self) -> bool:
        """Pinned rows keep django-tables2's own body template."""
        return not (self.get_top_pinned_data() or self.get_bottom_pinned_data())

    def _query(self, key: str, value: Any) -> str:
        """django-tables2's ``{% querystring_replace key=value %}``: this page's query with one key set."""
        params = dict(self.request.GET)
        params[key] = value
        return escape("?" + urlencode(params, doseq=True))

    def thead_html(self) -> SafeString:
        """<thead>…</thead> as django-tables2's bootstrap template writes it (sort links included)."""
        field = self.prefixed_order_by_field
        parts = [f"<thead {self.attrs['thead'].as_html()}><tr>"]
        for column in self.columns:
            header = conditional_escape(column.header)
            if column.orderable:
                header = f'<a href="{self._query(field, column.order_by_alias.next)}">{header}</a>'
            parts.append(f'<th {column.attrs["th"].as_html()} scope="col">{header}</th>')
        parts.append("</tr></thead>")
        return mark_safe("".join(parts))  # noqa: S308 (headers escaped, attributes by as_html)

    def _pager_end(self, side: str, number: int, inner: str) -> str:
        href = self._query(self.prefixed_page_field, number)
        return f'<li class="{side} page-item"><a href="{href}" class="page-link">{inner}</a></li>'

    def pagination_html(self) -> SafeString:
        """The pager of django-tables2's bootstrap template (previous, the page range, next), its
        words in the user's language (django-tables2 has no Vietnamese: its pager said "next")."""
        page, paginator = getattr(self, "page", None), getattr(self, "paginator", None)
        if not page or paginator.num_pages <= 1:
            return mark_safe("")
        field = self.prefixed_page_field
        parts = [
            f'<nav aria-label="{escape(_("Phân trang"))}"><ul class="pagination justify-content-center">'
        ]
        if page.has_previous():
            back = f'<span aria-hidden="true">&laquo;</span> {escape(_("Trang trước"))}'
            parts.append(self._pager_end("previous", page.previous_page_number(), back))
        if page.has_previous() or page.has_next():
            for number in table_page_range(page, paginator):
                active = " active" if page.number == number else ""
                href = f' href="{self._query(field, number)}"' if number != "..." else ""
                parts.append(
                    f'<li class="page-item{active}"><a class="page-link"{href}>{escape(number)}</a></li>'
                )
        if page.has_next():
            onward = f'{escape(_("Trang sau"))} <span aria-hidden="true">&raquo;</span>'
            parts.append(self._pager_end("next", page.next_page_number(), onward))
        parts.append("</ul></nav>")
        return mark_safe("".join(parts))  # noqa: S308 (every value escaped)

    def tbody_html(self) -> SafeString:
        """<tbody>…</tbody> as django-tables2's bootstrap template writes it."""
        self._prepare()
        columns = [_Column(self, bound_column) for bound_column in self.columns]
        parts = [f"<tbody {self.attrs['tbody'].as_html()}>"]
        static_row = not self.row_attrs
        fast = (
            bool(self.fast_columns)
            and tuple(column.bound_column.name for column in columns) == self.fast_columns
            and all(column.td is not None and column.localize is None for column in columns)
        )
        tds = [f"<td {column.td}>" for column in columns]
        for row in self.paginated_rows:
            row_attrs = f'class="{row.get_even_odd_css_class()}"' if static_row else row.attrs.as_html()
            parts.append(f"<tr {row_attrs}>")
            if fast:
                parts.extend(
                    f"{td}{cell}</td>" for td, cell in zip(tds, self.cells_html(row.record), strict=True)
                )
            else:
                parts.extend(column.td_html(row, column.cell(row)) for column in columns)
            parts.append("</tr>")
        if len(parts) == 1 and self.empty_text:
            parts.append(f'<tr><td colspan="{len(columns)}">{conditional_escape(self.empty_text)}</td></tr>')
        parts.append("</tbody>")
        return mark_safe("".join(parts))  # noqa: S308 (every cell escaped by render_value_in_context)
