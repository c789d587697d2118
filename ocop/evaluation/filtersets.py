"""The evaluation FilterSets, shared by the list pages and the API (/api/v1/rounds/, /dossiers/)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.api import MAX_ID
from ocop.core.scoping import COUNCIL, VIEW, restrict
from ocop.registry import search
from ocop.registry.filtersets import AreaFilterMixin, UnitChoiceFilter, _current

from . import queues
from .models import CouncilMember, Dossier, DossierKind, DossierStatus, Level, Round, RoundStatus


class RoundFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("Cấp"), choices=Level.choices)
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current("province"), field_name="province"
    )
    year = django_filters.NumberFilter(label=_("Năm"), min_value=2018, max_value=2100)
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=RoundStatus.choices)
    # The home page's "rounds to staff" (ocop.evaluation.queues.council_incomplete).
    council = django_filters.ChoiceFilter(
        label=_("Hội đồng"),
        choices=[(queues.INCOMPLETE, _("Đang mở, chưa có chủ tịch hoặc thư ký"))],
        method="with_council",
    )

    # A council member's own councils (the menu's "Hội đồng của tôi": ?seat=mine).
    seat = django_filters.ChoiceFilter(
        label=_("Hội đồng"), choices=[("mine", _("Hội đồng tôi tham gia"))], method="with_seat"
    )

    class Meta:
        model = Round
        fields = ["level", "province", "year", "status", "council", "seat"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None) if self.request is not None else None
        if getattr(user, "role", None) != COUNCIL:  # only a council member holds seats
            del self.form.fields["seat"], self.filters["seat"]

    def with_seat(self, queryset: QuerySet[Round], name: str, value: str) -> QuerySet[Round]:
        user = getattr(self.request, "user", None) if self.request is not None else None
        if value != "mine" or not getattr(user, "pk", None):
            return queryset.none() if value == "mine" else queryset
        return queryset.filter(Exists(CouncilMember.objects.filter(round=OuterRef("pk"), user=user)))

    def with_council(self, queryset: QuerySet[Round], name: str, value: str) -> QuerySet[Round]:
        return queryset.filter(queues.council_incomplete()) if value == queues.INCOMPLETE else queryset


class DossierFilterSet(AreaFilterMixin):
    q = django_filters.CharFilter(
        method="search",
        label=_("Tìm kiếm"),
        max_length=100,
        help_text=_("Tên, mã sản phẩm, GTIN, tên chủ thể hoặc địa danh; không cần dấu"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=DossierStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Loại hồ sơ"), choices=DossierKind.choices)
    province = UnitChoiceFilter(
        label=_("Tỉnh/thành phố"), queryset=_current("province"), field_name="product__province"
    )
    commune = UnitChoiceFilter(
        label=_("Xã/phường/đặc khu"), queryset=_current("commune"), field_name="product__commune"
    )
    round = django_filters.NumberFilter(
        label=_("Đợt đánh giá (id)"),
        field_name="round_id",
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
    )
    product = django_filters.NumberFilter(
        label=_("Mã sản phẩm (id)"),
        field_name="product_id",
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
    )
    # Dossier.commune_overdue in SQL: with the commune past its 15 working days (Art. 7.2).
    overdue = django_filters.BooleanFilter(
        label=_("Hạn xử lý của xã"),
        method="commune_overdue",
        widget=forms.Select(
            choices=[("", _("Tất cả")), ("true", _("Quá hạn")), ("false", _("Chưa quá hạn"))]
        ),
    )

    # The home page's "Việc cần làm" (ocop.evaluation.queues): the same conditions as its counts.
    todo = django_filters.ChoiceFilter(label=_("Việc cần làm"), choices=queues.TODO_CHOICES, method="waiting")

    class Meta:
        model = Dossier
        fields = ["q", "status", "kind", "overdue", "todo", "province", "commune", "round", "product"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None) if self.request is not None else None
        todo = queues.TODO_BY_ROLE.get(getattr(user, "role", None), ())
        if todo:  # each role is offered only its own queues (an unoffered value is invalid)
            self.form.fields["todo"].choices = [c for c in queues.TODO_CHOICES if c[0] in todo]
        else:
            del self.form.fields["todo"], self.filters["todo"]

        # The page picks a round among those the user may see; the API still takes any id.
        def round_choices() -> list[tuple[str, str]]:  # queried only when the page renders the select
            rounds = restrict(Round.objects.select_related("province"), user, VIEW) if user else []
            return [("", _("Tất cả")), *((str(r.pk), str(r)) for r in rounds)]

        self.form.fields["round"].label = _("Đợt đánh giá")
        self.form.fields["round"].widget = forms.Select(choices=round_choices)

    def commune_overdue(
        self, queryset: QuerySet[Dossier], name: str, value: bool | None
    ) -> QuerySet[Dossier]:
        if value is None:
            return queryset
        late = queues.commune_overdue(clock.today())
        return queryset.filter(late) if value else queryset.exclude(late)

    def waiting(self, queryset: QuerySet[Dossier], name: str, value: str) -> QuerySet[Dossier]:
        user = getattr(self.request, "user", None) if self.request is not None else None
        return queryset.filter(queues.todo_condition(value, user, clock.today()))

    def search(self, queryset: QuerySet[Dossier], name: str, value: str) -> QuerySet[Dossier]:
        return queryset.filter(
            search.product_condition(value, path="product__", producer_numbers=False, using=queryset.db)
        )
