"""The certificate FilterSets, shared by the list pages and the API (/api/v1/certificates/)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.api import MAX_ID
from ocop.registry import search
from ocop.registry.classification import LegalBasis
from ocop.registry.filtersets import AreaFilterMixin, UnitChoiceFilter, _current

from . import reminders
from .models import Certificate, CertificateStatus, Decision, Star

# Enough for "expiring within three years" (the whole validity); beyond that it means nothing.
MAX_EXPIRING_DAYS = 3 * 366

STATUS_CHOICES = [
    (s.value, s.label)
    for s in (
        CertificateStatus.VALID,
        CertificateStatus.EXPIRED,
        CertificateStatus.REVOKED,
        CertificateStatus.SUPERSEDED,
    )
]


class CertificateFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_(
            "Mã hoặc số giấy chứng nhận, số quyết định, tên hoặc mã sản phẩm, "
            "tên chủ thể, địa danh; không cần dấu"
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current("province"), field_name="product__province"
    )
    commune = UnitChoiceFilter(
        label=_("Xã/phường/đặc khu"), queryset=_current("commune"), field_name="product__commune"
    )
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=STATUS_CHOICES, method="with_status")
    # ChoiceFilter, not TypedChoiceFilter: the latter has no empty choice, so the form preselected 3★.
    star = django_filters.ChoiceFilter(label=_("Hạng sao"), choices=Star.choices)
    expiring_within = django_filters.NumberFilter(
        label=_("Hết hạn trong (ngày)"),
        method="expiring",
        min_value=0,
        max_value=MAX_EXPIRING_DAYS,
        widget=forms.NumberInput(attrs={"placeholder": "180"}),
    )
    legal_basis = django_filters.ChoiceFilter(label=_("Căn cứ pháp lý"), choices=LegalBasis.choices())
    product = django_filters.NumberFilter(
        label=_("Mã sản phẩm (id)"),
        field_name="product_id",
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Certificate
        fields = ["q", "province", "commune", "status", "star", "expiring_within", "legal_basis", "product"]

    def search(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet[Certificate]:
        text = value.strip()
        words = search.product_condition(value, path="product__", producer_numbers=False, using=queryset.db)
        # Codes and numbers also match as typed (they carry "/" and "-").
        decisions = Decision.objects.filter(number__iexact=text).values("pk")
        exact = Q(code__iexact=text) | Q(number__iexact=text) | Q(decision__in=decisions)
        return queryset.filter(words | exact) if text else queryset

    def with_status(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet[Certificate]:
        if value == CertificateStatus.VALID:
            # The same rows as status == "valid" (test_pages_api), as conditions an index can serve
            # rather than the CASE of every status, which the database computes for each row.
            return queryset.valid_on(clock.today())
        if "status" not in queryset.query.annotations:
            queryset = queryset.with_status(clock.today())
        return queryset.filter(status=value)

    def expiring(self, queryset: QuerySet[Certificate], name: str, value: Any) -> QuerySet[Certificate]:
        return queryset.expiring_within(int(value), clock.today())


class ExpiringCertificateFilterSet(AreaFilterMixin):
    """Certificates valid today and expiring within `days` (default 180), with their re-evaluation window."""

    days = django_filters.NumberFilter(
        label=_("Hết hiệu lực trong vòng (ngày)"),
        method="within",
        min_value=0,
        max_value=MAX_EXPIRING_DAYS,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_EXPIRING_DAYS, "step": 1}),
    )
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current("province"), field_name="product__province"
    )
    commune = UnitChoiceFilter(
        label=_("Xã/phường/đặc khu"), queryset=_current("commune"), field_name="product__commune"
    )
    # A ChoiceFilter (unlike TypedChoiceFilter) offers an empty choice, so no star is preselected.
    star = django_filters.ChoiceFilter(label=_("Hạng sao"), choices=Star.choices)
    state = django_filters.ChoiceFilter(
        label=_("Thời hạn nộp hồ sơ đánh giá lại"), choices=reminders.WindowState.CHOICES, method="in_state"
    )
    dossier = django_filters.ChoiceFilter(
        label=_("Hồ sơ đánh giá lại"),
        choices=[("yes", _("Đã có hồ sơ")), ("no", _("Chưa có hồ sơ"))],
        method="with_dossier",
    )

    class Meta:
        model = Certificate
        fields = ["days", "province", "commune", "star", "state", "dossier"]

    def within(self, queryset: QuerySet[Certificate], name: str, value: Any) -> QuerySet[Certificate]:
        return queryset.expiring_within(int(value), clock.today())

    def in_state(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet[Certificate]:
        return queryset.filter(reminders.state_condition(value, clock.today()))

    def with_dossier(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet[Certificate]:
        has = Q(reevaluation_status__isnull=False)
        return queryset.filter(has) if value == "yes" else queryset.exclude(has)
