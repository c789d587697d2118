"""The tabs of the plans pages: each part's page, shown once it exists and the user may see it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from ocop.core.context_processors import resolve_url_name

register = template.Library()

# (key, label, URL name); every officer role that reaches /plans/ sees them (the pages check).
TABS = (
    ("plans", _("Kế hoạch và chỉ tiêu"), "plans:plan_list"),
    ("manual", _("Số liệu nhập tay"), "plans:manual_value_list"),
    ("indicators", _("Danh mục chỉ tiêu"), "plans:indicator_list"),
)


@register.inclusion_tag("plans/includes/nav.html")
def plans_nav(current: str = "") -> dict[str, Any]:
    tabs = [
        {"key": key, "label": label, "url": url, "active": key == current}
        for key, label, name in TABS
        if (url := resolve_url_name(name)) is not None
    ]
    return {"tabs": tabs}


@register.filter
def number(value: Any, decimals: int = 2) -> str:
    """A figure as shown on the plans pages: up to two decimals, none when whole; "—" when unknown."""
    from ocop.core.formatting import format_number

    if value is None or value == "":
        return "—"
    text = format_number(value, decimals=decimals)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text
