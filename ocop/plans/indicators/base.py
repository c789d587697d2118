"""What an indicator is, and how its number comes from the records behind it.

Every indicator answers, for a scope (the country, a province or a commune), a day D and the
start of the plan that asks (flows count from it), with a `Counted`: the queryset of the records
behind the number, and how the number is read from that very queryset — a count of the records,
the share of them that satisfy `hits`, or the sum of a field (manual values). The value is always
computed from the queryset the records page lists, so "the records behind the number" are exactly
what was counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

LEVEL, FLOW = "level", "flow"
HIGHER, LOWER = "higher", "lower"

# What the records of an indicator are (the records page shows one table per kind).
PRODUCT, PRODUCER, COMMUNE, CERTIFICATE, INSPECTION, MANUAL_VALUE = (
    "product",
    "producer",
    "commune",
    "certificate",
    "inspection",
    "manual_value",
)

COUNTRY, PROVINCE = "country", "province"  # scope levels (and COMMUNE)


@dataclass(frozen=True)
class Scope:
    """The country (both None), a province, or a commune (its province may be given too)."""

    province_id: int | None = None
    commune_id: int | None = None

    @property
    def level(self) -> str:
        if self.commune_id is not None:
            return COMMUNE
        if self.province_id is not None:
            return PROVINCE
        return COUNTRY

    @classmethod
    def of(cls, obj: Any) -> Scope:
        """The scope of a plan (or anything with province_id and commune_id)."""
        return cls(obj.province_id, obj.commune_id)


@dataclass(frozen=True)
class Counted:
    """The records behind an indicator's number, and how the number is read from them.

    records: the records (for a share: the denominator).
    hits:    a share: the condition (on the records) of the numerator; the value is 100 × hits ÷ records.
    total:   a sum: the field of the records added up (manual values).
    Neither: the value is the number of records.
    """

    records: QuerySet
    hits: Q | None = None
    total: str | None = None

    @property
    def is_share(self) -> bool:
        return self.hits is not None

    def _aggregates(self) -> dict[str, Any]:
        aggregates: dict[str, Any] = {"n": Count("pk")}
        if self.hits is not None:
            aggregates["h"] = Count("pk", filter=self.hits)
        if self.total is not None:
            aggregates["s"] = Sum(self.total)
        return aggregates

    def read(self, row: dict[str, Any]) -> float | None:
        """The value from one row of aggregates (``n`` records, ``h`` hits, ``s`` sum)."""
        records = row.get("n") or 0
        if self.hits is not None:
            return 100.0 * (row.get("h") or 0) / records if records else None
        if self.total is not None:
            return float(row["s"]) if records and row.get("s") is not None else None
        return float(records)

    def value(self) -> float | None:
        """The indicator's value: one query over the records."""
        return self.read(self.records.order_by().aggregate(**self._aggregates()))

    def grouped(self, path: str) -> dict[int, float | None]:
        """The value per unit, the records grouped by ``path`` (a unit id lookup): one query."""
        rows = self.records.order_by().values(path).annotate(**self._aggregates())
        return {row[path]: self.read(row) for row in rows if row[path] is not None}


@dataclass(frozen=True)
class Measure:
    """An indicator's value for a scope and day, with the records it was counted from."""

    indicator: Indicator
    scope: Scope
    day: dt.date
    start: dt.date
    value: float | None
    counted: Counted

    @property
    def records(self) -> QuerySet:
        return self.counted.records


@dataclass(frozen=True)
class Indicator:
    """One indicator of the registry. Subclasses say how it is counted (computed or manual).

    code:        the stable key targets store (never renamed).
    name, unit:  Vietnamese, as shown (lazy translations).
    kind:        LEVEL (a stock as of D) or FLOW (what happened between the plan's start and D).
    direction:   HIGHER or LOWER is better (on track compares accordingly).
    definition:  what exactly is counted, for the page of indicators and the README.
    record_kind: what the records are (PRODUCT, PRODUCER, COMMUNE, CERTIFICATE, INSPECTION, MANUAL_VALUE).
    percent:     the value is a percentage (0–100).
    windowed:    a rate over the plan's own period (start to D): it has no value at the plan's start,
                 so without an entered baseline its expected value is the target all along.
    """

    code: str
    name: Any
    unit: Any
    kind: str
    direction: str
    definition: Any
    record_kind: str
    percent: bool = False
    windowed: bool = False

    computed = True  # read from the platform's records; False: entered per period (ManualValue)

    def counted(self, scope: Scope, day: dt.date, start: dt.date) -> Counted:
        raise NotImplementedError

    def measure(self, scope: Scope, day: dt.date, start: dt.date) -> Measure:
        counted = self.counted(scope, day, start)
        return Measure(self, scope, day, start, counted.value(), counted)

    def value(self, scope: Scope, day: dt.date, start: dt.date) -> float | None:
        return self.counted(scope, day, start).value()

    def values_by_unit(
        self, level: str, day: dt.date, start: dt.date, province_id: int | None = None
    ) -> dict[int, float | None]:
        """The value of every province (level PROVINCE) or of every commune (COMMUNE, of one
        province when ``province_id`` is given) in one query; a unit absent from the answer has
        `empty_value`."""
        raise NotImplementedError

    @property
    def empty_value(self) -> float | None:
        """The value of a unit without a single record: 0 for a count, None (unknown) otherwise."""
        return None

    @property
    def lower_is_better(self) -> bool:
        return self.direction == LOWER


# (day, start) -> (records, hits): the unscoped records of a computed indicator.
Builder = Callable[[dt.date, dt.date], tuple[QuerySet, Q | None]]


@dataclass(frozen=True)
class ComputedIndicator(Indicator):
    """An indicator computed from the platform's records.

    build:         (day, start) -> (records of the whole country, hits or None).
    province_path: lookup from a record to its current province's id (scoping and grouping).
    commune_path:  lookup from a record to its current commune's id.
    """

    build: Builder | None = None
    province_path: str = "province_id"
    commune_path: str = "commune_id"

    def _records(self, day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
        if self.build is None:
            raise NotImplementedError(self.code)
        return self.build(day, start)

    def counted(self, scope: Scope, day: dt.date, start: dt.date) -> Counted:
        records, hits = self._records(day, start)
        if scope.commune_id is not None:
            records = records.filter(**{self.commune_path: scope.commune_id})
        elif scope.province_id is not None:
            records = records.filter(**{self.province_path: scope.province_id})
        return Counted(records, hits)

    def values_by_unit(
        self, level: str, day: dt.date, start: dt.date, province_id: int | None = None
    ) -> dict[int, float | None]:
        records, hits = self._records(day, start)
        if province_id is not None:
            records = records.filter(**{self.province_path: province_id})
        path = self.province_path if level == PROVINCE else self.commune_path
        return Counted(records, hits).grouped(path)

    @property
    def empty_value(self) -> float | None:
        return None if self.percent else 0.0
