"""Manual indicators: what the platform does not record yet, entered per unit and period
(`ManualValue`, pages under /plans/manual-values/).

The value of a unit as of D, for a plan starting on S:

- a flow adds up the unit's entries whose period lies between S and D;
- a level takes the unit's latest entry (by the end of its period) up to D;
- a unit without an entry of its own in that window adds up those of its parts: a province its
  communes' (each commune as above), the country its provinces' (each province as above).

The records behind the number are exactly the entries added up. The whole rule is one queryset
(no entry is read in Python), so the value and the records page agree by construction.

A later module that records, say, training classes itself replaces the manual indicator by a
computed one with the same code (`ocop.plans.indicators.register`); targets keep their code and
the entries already typed simply stop being read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from ..models import ManualValue
from .base import COMMUNE, COUNTRY, FLOW, HIGHER, LEVEL, MANUAL_VALUE, PROVINCE, Counted, Indicator, Scope

LATEST = ("-period_end", "-period_start", "-pk")


@dataclass(frozen=True)
class ManualIndicator(Indicator):
    """An indicator read from the values offices enter (`ManualValue`)."""

    computed = False

    def window(self, day: dt.date, start: dt.date) -> QuerySet[ManualValue]:
        """The entries of this indicator that may count as of ``day`` for a plan starting ``start``."""
        entries = ManualValue.objects.filter(indicator=self.code, period_end__lte=day)
        if self.kind == FLOW:
            entries = entries.filter(period_start__gte=start)
        return entries

    def _latest(self, window: QuerySet[ManualValue]) -> Q:
        """A level: only each unit's latest entry of the window."""
        if self.kind == FLOW:
            return Q()

        def latest(level: str, **same: object) -> Q:
            newest = window.filter(level=level, **same).order_by(*LATEST).values("pk")[:1]
            return Q(level=level, pk=Subquery(newest))

        return (
            latest(COUNTRY)
            | latest(PROVINCE, province=OuterRef("province"))
            | latest(COMMUNE, commune=OuterRef("commune"))
        )

    @staticmethod
    def _provinces_or_their_communes(window: QuerySet[ManualValue]) -> Q:
        """Each province's own entries, or its communes' when it has none of its own."""
        own = window.filter(level=PROVINCE, province=OuterRef("province"))
        return Q(level=PROVINCE) | (Q(level=COMMUNE) & ~Q(Exists(own)))

    def _counting(self, scope: Scope, window: QuerySet[ManualValue]) -> Q:
        if scope.level == COMMUNE:
            return Q(level=COMMUNE, commune=scope.commune_id)
        if scope.level == PROVINCE:
            return Q(province=scope.province_id) & self._provinces_or_their_communes(window)
        country = window.filter(level=COUNTRY)
        return Q(level=COUNTRY) | (~Q(Exists(country)) & self._provinces_or_their_communes(window))

    def counted(self, scope: Scope, day: dt.date, start: dt.date) -> Counted:
        window = self.window(day, start)
        records = window.filter(self._counting(scope, window)).filter(self._latest(window))
        return Counted(records.select_related("province", "commune"), total="value")

    def values_by_unit(
        self, level: str, day: dt.date, start: dt.date, province_id: int | None = None
    ) -> dict[int, float | None]:
        window = self.window(day, start)
        if level == PROVINCE:
            rows, path = self._provinces_or_their_communes(window), "province"
        else:
            rows, path = Q(level=COMMUNE), "commune"
        records = window.filter(rows).filter(self._latest(window))
        if province_id is not None:
            records = records.filter(province=province_id)
        return Counted(records, total="value").grouped(path)


INDICATORS: list[ManualIndicator] = [
    ManualIndicator(
        code="training_classes",
        name=_("Lớp tập huấn"),
        unit=_("lớp"),
        kind=FLOW,
        direction=HIGHER,
        definition=_(
            "Số lớp tập huấn, bồi dưỡng về OCOP đã tổ chức từ ngày bắt đầu kế hoạch đến ngày D "
            "(nhập tay theo kỳ: cộng các kỳ nằm trọn trong khoảng đó)."
        ),
        record_kind=MANUAL_VALUE,
    ),
    ManualIndicator(
        code="support_funds",
        name=_("Kinh phí hỗ trợ"),
        unit=_("triệu đồng"),
        kind=FLOW,
        direction=HIGHER,
        definition=_(
            "Kinh phí hỗ trợ chương trình OCOP đã giải ngân từ ngày bắt đầu kế hoạch đến ngày D, "
            "triệu đồng (nhập tay theo kỳ: cộng các kỳ nằm trọn trong khoảng đó)."
        ),
        record_kind=MANUAL_VALUE,
    ),
    ManualIndicator(
        code="points_of_sale",
        name=_("Điểm bán sản phẩm OCOP"),
        unit=_("điểm"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Số điểm giới thiệu, bán sản phẩm OCOP đang hoạt động: số liệu nhập tay mới nhất (theo "
            "ngày cuối kỳ) đến ngày D."
        ),
        record_kind=MANUAL_VALUE,
    ),
]

__all__ = ["INDICATORS", "ManualIndicator"]
