"""One FilterSet per model, shared by the list pages and the API (/api/v1/producers/, /products/).

Search (registry.search) folds the query like the stored `search_text` (no diacritics, đ → d), so
"gao ruong ruoi" finds "Gạo ruộng rươi" and "dak" finds "Đắk …" on SQLite and PostgreSQL alike,
through an index on both, ranked when a query is given. Units are given by
their current code (province 2 digits, commune 5 digits), the same in the URL and the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from ocop.core.api import MAX_ID
from ocop.geo.models import Level, Structure, Unit

from . import classification, extensions, search
from .classification import ProducerType, ProductStatus
from .models import ChangeRequest, ChangeRequestStatus, Producer, ProducerStatus, Product


def _current(level: str) -> QuerySet[Unit]:
    # The options show a name and a code: the long place names (search text) stay in the database.
    return Unit.objects.filter(structure=Structure.CURRENT, level=level).defer("place_text", "name_folded")


def _option_label(name: str, code: str) -> str:
    return f"{name} ({code})"


def _unit_label(unit: Unit) -> str:
    return _option_label(unit.name, unit.code)


class _UnitOptions(ModelChoiceIterator):
    """The options of a unit filter, (code, "Tên (mã)"), read as two columns of each unit rather
    than built as Unit objects: 34 provinces (or a province's communes) on every list page."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for code, name in self.queryset.values_list("code", "name"):
            yield (code, _option_label(name, code))


class UnitChoiceField(ModelChoiceField):
    iterator = _UnitOptions


class UnitChoiceFilter(django_filters.ModelChoiceFilter):
    """A current unit chosen by its code; shows "Tên (mã)"."""

    field_class = UnitChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> Any:
        field = super().field
        field.label_from_instance = _unit_label  # the chosen unit's chip
        return field


class AreaFilterMixin(django_filters.FilterSet):
    """province / commune filters whose choices stay inside the user's scope (the data is scoped anyway)."""

    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current(Level.PROVINCE), field_name="province"
    )
    commune = UnitChoiceFilter(
        label=_("Xã/phường/đặc khu"), queryset=_current(Level.COMMUNE), field_name="commune"
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None) if self.request is not None else None
        provinces = _current(Level.PROVINCE)
        communes = _current(Level.COMMUNE)
        if user is not None and user.is_authenticated and not getattr(user, "is_national", True):
            if user.scope_commune_id:
                provinces = provinces.filter(pk=user.scope_province_id)
                communes = communes.filter(pk=user.scope_commune_id)
            elif user.scope_province_id:
                provinces = provinces.filter(pk=user.scope_province_id)
                communes = communes.filter(current_province_id=user.scope_province_id)
        chosen = (data or {}).get("province")
        narrowed = bool(user is not None and getattr(user, "scope_province_id", None))
        if chosen and isinstance(chosen, str):
            communes = communes.filter(current_province__code=chosen.strip())
            narrowed = True
        self.filters["province"].queryset = provinces
        self.filters["commune"].queryset = communes.order_by("sort_key")
        # Lists of units are long: only what the user can pick is rendered. A national user sees
        # the communes once a province is chosen (3,321 options made the page four times slower);
        # a commune given in the URL alone still validates.
        self.form.fields["province"].queryset = provinces
        if not narrowed:
            picked = (data or {}).get("commune")
            communes = (
                communes.filter(code=picked.strip())
                if isinstance(picked, str) and picked
                else communes.none()
            )
        self.form.fields["commune"].queryset = communes.order_by("sort_key")


class ProducerFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_("Tên, mã số thuế hoặc địa danh (xã, tỉnh, cả tên cũ); không cần dấu"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    producer_type = django_filters.ChoiceFilter(label=_("Loại hình"), choices=ProducerType.choices())
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=ProducerStatus.choices)

    class Meta:
        model = Producer
        fields = ["q", "province", "commune", "producer_type", "status"]

    def search(self, queryset: QuerySet[Producer], name: str, value: str) -> QuerySet[Producer]:
        return search.search_producers(queryset, value)


def _sector_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code}. {s.label}") for s in classification.sectors()]


def _group_choices() -> list[tuple[str, str]]:
    return [(g.code, f"{g.code} {g.label}") for g in classification.groups()]


def _set_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} · {s.label}") for s in classification.sets()]


class ProductFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_(
            "Tên, mô tả, mã sản phẩm, GTIN, tên hoặc mã số thuế của chủ thể, "
            "địa danh (xã, tỉnh, cả tên cũ); không cần dấu"
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sector = django_filters.ChoiceFilter(label=_("Ngành"), choices=_sector_choices, method="in_sector")
    group = django_filters.ChoiceFilter(label=_("Nhóm"), choices=_group_choices, method="in_group")
    classification_set = django_filters.ChoiceFilter(label=_("Bộ sản phẩm"), choices=_set_choices)
    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"), choices=ProductStatus.choices(), method="with_programme_status"
    )
    producer_type = django_filters.ChoiceFilter(
        label=_("Loại hình chủ thể"), choices=ProducerType.choices(), field_name="producer__producer_type"
    )
    producer = django_filters.NumberFilter(
        label=_("Mã chủ thể"), field_name="producer_id", min_value=1, max_value=MAX_ID
    )
    star = django_filters.ChoiceFilter(
        label=_("Hạng sao"),
        choices=[("3", "3 ★"), ("4", "4 ★"), ("5", "5 ★"), ("none", _("Chưa có sao"))],
        method="with_star",
    )
    year = django_filters.NumberFilter(
        label=_("Năm công nhận"), method="recognised_in", min_value=2018, max_value=2100
    )

    class Meta:
        model = Product
        fields = [
            "q",
            "province",
            "commune",
            "sector",
            "group",
            "classification_set",
            "status",
            "producer_type",
            "producer",
            "star",
            "year",
        ]

    def with_star(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        """The current star: that of the product's valid certificate today, as the lists show it;
        chosen by sets of products (extensions.certificates), not by the star of every product."""
        star = None if value == "none" else int(value)
        return queryset.filter(extensions.certificates.get().star_condition(star, None, queryset.db))

    def with_programme_status(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        """The status shown (from the certificates, see Product.programme_status), not the stored
        stage; chosen the same way as ``with_star``."""
        return queryset.filter(
            extensions.certificates.get().programme_status_condition(value, None, queryset.db)
        )

    def recognised_in(self, queryset: QuerySet[Product], name: str, value: Any) -> QuerySet[Product]:
        """Products with a certificate issued in that year, whatever its status today."""
        return queryset.filter(extensions.certificates.get().issued_in_year(int(value)))

    def search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return search.search_products(queryset, value)

    def in_sector(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(
            classification_set__in=[s.code for s in classification.sets() if s.sector == value]
        )

    def in_group(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(
            classification_set__in=[s.code for s in classification.sets() if s.group == value]
        )


class ChangeRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=ChangeRequestStatus.choices)
    product = django_filters.NumberFilter(label=_("Sản phẩm (id)"), widget=forms.HiddenInput)

    class Meta:
        model = ChangeRequest
        fields = ["status", "product"]
