"""The tabs of the oversight pages: each part's list, shown once its page exists and the user may see it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from ocop.core.context_processors import resolve_url_name

register = template.Library()

# (key, label, URL name, roles; None = every officer role that reaches /oversight/)
TABS = (
    ("plans", _("Kế hoạch kiểm tra"), "oversight:plan_list", None),
    ("inspections", _("Cuộc kiểm tra"), "oversight:inspection_list", None),
    ("warnings", _("Cảnh báo, khắc phục"), "oversight:warning_list", None),
    (
        "reports",
        _("Phản ánh của người tiêu dùng"),
        "oversight:report_list",
        frozenset({"admin", "central", "province", "viewer"}),
    ),
    ("signals", _("Dấu hiệu từ lượt quét"), "oversight:signal_list", None),
    ("stats", _("Số liệu"), "oversight:stats", None),
)


@register.inclusion_tag("oversight/includes/nav.html", takes_context=True)
def oversight_nav(context: dict[str, Any], current: str = "") -> dict[str, Any]:
    user = context["request"].user
    tabs = [
        {"key": key, "label": label, "url": url, "active": key == current}
        for key, label, name, roles in TABS
        if (roles is None or user.is_superuser or getattr(user, "role", None) in roles)
        and (url := resolve_url_name(name)) is not None
    ]
    return {"tabs": tabs}
