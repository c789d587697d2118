"""Filters for the account list page and /api/v1/users/ (one implementation for both)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.accounts.models import Role, User
from ocop.geo.models import Unit


def scope_units(user: User | None) -> QuerySet[Unit]:
    """Current provinces and communes inside the user's scope (what they may filter by or assign)."""
    units = Unit.objects.filter(structure="current", level__in=["province", "commune"])
    if user is None or not user.is_authenticated or not user.is_active:
        return units.none()
    if user.is_national:
        return units
    if user.scope_commune_id:
        return units.filter(pk=user.scope_commune_id)
    if user.scope_province_id:
        return units.filter(Q(pk=user.scope_province_id) | Q(current_province_id=user.scope_province_id))
    return units.none()


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm kiếm"), method="search")
    role = django_filters.ChoiceFilter(label=_("Vai trò"), choices=Role.choices)
    unit = django_filters.CharFilter(
        label=_("Mã đơn vị"),
        method="in_unit",
        help_text=_("Mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số), cấu trúc hiện hành."),
    )
    is_active = django_filters.BooleanFilter(label=_("Đang hoạt động"))

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(full_name__icontains=value) | Q(email__icontains=value)
        )

    def in_unit(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """Accounts whose scope unit is the unit with this current code, or inside it (a province)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(scope_unit__structure="current")
            & (
                Q(scope_unit__code=value)
                | Q(scope_unit__current_province__code=value, scope_unit__level="commune")
            )
        )
