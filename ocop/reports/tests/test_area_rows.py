"""The dashboard's area rows written in Python (`{% area_rows %}`) are the template loop's rows."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from ocop.reports.statistics.levels import UnitRow
from ocop.reports.templatetags.dashboard_tags import area_rows

LOOP = Template(
    "{% load ocop %}{% for row in rows %}"
    '<tr><th scope="row">{{ row.name }}</th>'
    '{% for value in row.cells %}<td class="text-end">{{ value|vn_number }}</td>{% endfor %}</tr>\n'
    "{% endfor %}"
)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_area_rows_are_the_template_loops_rows(language) -> None:
    rows = [
        UnitRow("29954", "Phường An Bình", three=1, four=2, potential=1, five=0, revoked=1, none=4),
        UnitRow("00001", 'Xã "Đắk" <Lắk> & Co', three=1234, five=98765),
        UnitRow("?", "Chưa rõ xã", none=1_000_000),
    ]
    with translation.override(language):
        written = str(area_rows(rows))
        assert written == LOOP.render(Context({"rows": rows}))
    assert "&lt;Lắk&gt; &amp; Co" in written and '<td class="text-end">1.000.000</td>' in written
    assert str(area_rows([])) == ""
