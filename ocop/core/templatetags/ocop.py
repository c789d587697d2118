"""OCOP template filters and tags: `{% load ocop %}`.

{{ amount|vnd }}              1.234.567 ₫
{{ ratio|vn_number:2 }}       1.234,50
{{ some_date|dmy }}           25/12/2025 (datetimes in local time)
{{ some_datetime|dmy_hm }}    14:30 25/12/2025
{% url_or_none "geo:unit_list" as units_url %}   None when the URL name does not resolve
"""

from datetime import date, datetime
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ocop.core.formatting import format_date, format_datetime, format_number, format_vnd

register = template.Library()


@register.filter
def vnd(value: Any) -> str:
    """Money in đồng: 1234567 → '1.234.567 ₫'; '' for None or a non-number."""
    return format_vnd(value)


@register.filter
def vn_number(value: Any, decimals: Any = None) -> str:
    """A number with Vietnamese separators: 1234.5 → '1.234,5'; `|vn_number:2` → '1.234,50'."""
    try:
        places = None if decimals in (None, "") else int(decimals)
    except (TypeError, ValueError):
        places = None
    return format_number(value, places)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def dmy(value: Any) -> Any:
    """A date as dd/mm/yyyy whatever the interface language; other values pass through."""
    if isinstance(value, datetime):
        return format_date(_local(value))
    if isinstance(value, date):
        return format_date(value)
    return "" if value is None else value


@register.filter
def dmy_hm(value: Any) -> Any:
    """A datetime as 'HH:MM dd/mm/yyyy' in local time; a plain date as dd/mm/yyyy."""
    if isinstance(value, datetime):
        return format_datetime(_local(value))
    return dmy(value)


@register.simple_tag
def url_or_none(name: str, *args: Any, **kwargs: Any) -> str | None:
    """reverse() that gives None instead of raising, for links to modules that may not exist yet."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
