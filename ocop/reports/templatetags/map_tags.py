"""`{% load map_tags %}{% dashboard_map dashboard %}`: the province map of the home page's figures.

Drawn from the dashboard's own province rows (ocop.reports.dashboard), so it adds no query and
shows exactly the numbers of the province table beside it.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from .. import map as province_map

register = template.Library()


@register.inclusion_tag("reports/map/figure.html")
def dashboard_map(dashboard: Any) -> dict[str, Any]:
    rows = [
        province_map.MapRow(row.code, row.name, float(row.total), province_map.product_list_url(row.code))
        for row in dashboard.by_province
    ]
    return {
        "map": province_map.choropleth(rows, province_map.PRODUCTS, dom_id="dashboard-map"),
        "more_url": reverse("reports:map"),
        "compact": True,
    }
