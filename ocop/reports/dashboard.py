"""Tổng quan (dashboard): the figures of the user's scope, or of a unit within it, as of a day,
with the year-on-year table — all counted by `ocop.reports.statistics`, the one code path the API
(`/api/v1/statistics/`), the public province page and the periodic reports use too.

`build(user, day=None)` is the snapshot of the user's own scope (kept for the benchmark and the
tests); `figures(scope, day, year)` is what the page and the API show: the snapshot as of ``day``,
the flows of ``year`` and the last `YEARS` years up to ``year``; `read_request(user, query)` reads
``?date=`` (dd/mm/yyyy or ISO), ``?unit=`` (a current province or commune code) and ``?year=``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from ocop.certification.models import Certificate
from ocop.core import datacache
from ocop.geo.models import Level, Structure, Unit
from ocop.registry.models import Producer, Product

from . import statistics
from .statistics import (
    COOPERATIVE_OR_ENTERPRISE,
    Flows,
    Row,
    Scope,
    Snapshot,
    UnitRow,
    YearFigures,
    scope_dict,
    star_label,
)

YEARS = 5  # the year-on-year table: this many years, up to the year asked for
# What the figures are counted from (ocop.core.datacache: a change to anything else keeps them).
READS = (Product, Producer, Certificate, Unit)

# The names the dashboard had before the statistics module (kept for callers).
Dashboard = Snapshot
ProvinceRow = UnitRow


def build(user: Any, day: dt.date | None = None) -> Snapshot:
    """The figures of the user's own view scope as of ``day`` (default today)."""
    return statistics.snapshot(Scope.of_user(user), day)


@dataclass(frozen=True)
class Figures:
    """What the dashboard and the API show: one snapshot, the year's flows, the years before."""

    snapshot: Snapshot
    year: int
    years: list[YearFigures]

    @property
    def flows(self) -> Flows:
        return self.years[-1].flows

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.snapshot.to_dict(),
            "year": self.year,
            "flows": self.flows.to_dict(),
            "years": [row.to_dict() for row in self.years],
        }


def figures(
    scope: Scope,
    day: dt.date,
    year: int | None = None,
    *,
    years: bool = True,
    stamp: datacache.Stamp | None = None,
) -> Figures:
    """The snapshot of ``scope`` as of ``day``, the flows of ``year`` (default: the day's year) and
    the `YEARS` years up to it (``years=False``: the snapshot alone, for the home page, which loads
    its year table on its own: at national scale the years cost four times the snapshot).

    With a ``stamp`` (`ocop.core.datacache.stamp()`), the figures computed under the same stamp
    are answered from the cache."""
    year = year if year is not None else day.year
    statistics.parse_year(year, year)  # refuses a future year
    key = ("figures", scope.key, day, year, years)
    return datacache.get_or_build(stamp, key, lambda: _figures(scope, day, year, years), reads=READS)


def _figures(scope: Scope, day: dt.date, year: int, years: bool) -> Figures:
    if not years:
        return Figures(statistics.snapshot(scope, day), year, [])
    years_shown = range(max(1900, year - YEARS + 1), year + 1)
    # The snapshot and the stocks of the years' ends in one statement; the day is often a year's
    # end too (today, or 31/12 of the year asked), counted once (the whole country as of
    # 31/12/2025, national data: SQLite 216 → 180 ms, PostgreSQL 156 → 120 ms).
    days = [on for on in statistics.stock_days(years_shown) if on != day]
    snapshot, stocks = statistics.snapshot_and_stocks(scope, day, days)
    known = [statistics.Stock.of(snapshot)]
    known += [statistics.Stock(on, *counted) for on, counted in zip(days, stocks, strict=True)]
    return Figures(snapshot, year, statistics.yearly(scope, years_shown, known=known))


def years_table(
    scope: Scope, day: dt.date, year: int, *, stamp: datacache.Stamp | None = None
) -> list[YearFigures]:
    """The year table alone (its own request, `/reports/years/`); cached as `figures` is."""
    statistics.parse_year(year, year)
    return datacache.get_or_build(
        stamp,
        ("years", scope.key, year),
        lambda: statistics.yearly(scope, range(max(1900, year - YEARS + 1), year + 1)),
        reads=READS,
    )


@dataclass
class Request:
    """The dashboard's parameters as read from the query string, and what was wrong with them."""

    scope: Scope
    day: dt.date
    year: int
    errors: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)


def read_request(user: Any, query: Any) -> Request:
    """``?date=``, ``?unit=`` and ``?year=`` for ``user``. A bad date, year or unknown unit falls back
    to the default (today, the day's year, the user's scope) with a message; a unit outside the
    user's scope raises PermissionDenied."""
    errors: list[str] = []
    values = {name: (query.get(name) or "").strip() for name in ("date", "unit", "year")}
    try:
        day = statistics.parse_day(values["date"])
    except ValueError as error:
        errors.append(str(error))
        day = statistics.parse_day("")
    try:
        year = statistics.parse_year(values["year"], day.year)
    except ValueError as error:
        errors.append(str(error))
        year = day.year
    try:
        scope = statistics.scope_for(user, values["unit"])
    except statistics.UnknownUnit as error:
        errors.append(str(error))
        scope = Scope.of_user(user)
    return Request(scope, day, year, errors, values)


def unit_choices(user: Any, scope: Scope) -> list[tuple[str, str]]:
    """The units the user may pick (code, name): for the country the provinces, and the communes
    of the province shown; for a province officer their province and its communes; one query."""
    own = Scope.of_user(user)
    level = own.level
    units = Unit.objects.filter(structure=Structure.CURRENT)
    if level == statistics.scope.COUNTRY:
        condition = Q(level=Level.PROVINCE)
        if scope.province is not None:
            condition |= Q(level=Level.COMMUNE, current_province=scope.province.pk)
        units = units.filter(condition)
    elif level == statistics.scope.PROVINCE:
        units = units.filter(Q(pk=own.province.pk) | Q(level=Level.COMMUNE, current_province=own.province.pk))
    else:
        return []
    rows = units.order_by("sort_key", "code").values_list("code", "name", "level", "current_province_id")
    provinces = [(code, name) for code, name, unit_level, _p in rows if unit_level == Level.PROVINCE]
    communes = [(code, f"— {name}") for code, name, unit_level, _p in rows if unit_level == Level.COMMUNE]
    if level == statistics.scope.COUNTRY and scope.province is not None:
        # The chosen province's communes right under it.
        index = next(i for i, (code, _name) in enumerate(provinces) if code == scope.province.code)
        return [("", str(_("Toàn quốc"))), *provinces[: index + 1], *communes, *provinces[index + 1 :]]
    if level == statistics.scope.COUNTRY:
        return [("", str(_("Toàn quốc"))), *provinces]
    return [*provinces, *communes]


__all__ = [
    "COOPERATIVE_OR_ENTERPRISE",
    "Dashboard",
    "Figures",
    "ProvinceRow",
    "Request",
    "Row",
    "build",
    "figures",
    "read_request",
    "scope_dict",
    "star_label",
    "unit_choices",
]
