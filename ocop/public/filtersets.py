"""The public catalogue's filters (/san-pham/): search, province, ngành, star, status.

Applied to ``published.published_products()`` (which annotates ``public_star`` and
``public_status``); part 2's open data can reuse the same FilterSet for its lists.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import Level, Structure, Unit
from ocop.registry import classification
from ocop.registry.models import Product

from . import published


def _sector_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code}. {s.name}") for s in classification.sectors()]


class PublicProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm sản phẩm"),
        max_length=100,
        help_text=_(
            "Tên sản phẩm hoặc chủ thể, mô tả, địa danh (xã, tỉnh, cả tên cũ), "
            "mã sản phẩm, mã vạch; không cần gõ dấu"
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Tỉnh/thành phố"),
        queryset=Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).only(
            "id", "code", "name"
        ),
        to_field_name="code",
        field_name="province",
        empty_label=_("Cả nước"),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Ngành"), choices=_sector_choices, method="in_sector", empty_label=_("Tất cả các ngành")
    )
    star = django_filters.ChoiceFilter(
        label=_("Hạng sao"),
        choices=[("3", "3 ★"), ("4", "4 ★"), ("5", "5 ★")],
        method="with_star",
        empty_label=_("Mọi hạng sao"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"),
        choices=published.PRODUCT_STATUS_CHOICES,
        method="with_status",
        empty_label=_("Mọi tình trạng"),
    )

    class Meta:
        model = Product
        fields = ["q", "province", "sector", "star", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():  # large controls: the public site is read on phones
            css = "form-control form-control-lg" if name == "q" else "form-select form-select-lg"
            field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return published.search(queryset, value)

    def in_sector(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(
            classification_set__in=[s.code for s in classification.sets() if s.sector == value]
        )

    def with_star(self, queryset: QuerySet[Product], name: str, value: Any) -> QuerySet[Product]:
        return queryset.filter(public_star=int(value))

    def with_status(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(public_status=value)
