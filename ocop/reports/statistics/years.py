"""Year-on-year figures (`yearly`): per year, the stock as of 31/12 (today for the current year)
and that year's flows, with the change from the year before. Two statements whatever the number
of years: one for the stocks of every year end, one for the flows of every year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from . import stock
from .movements import KINDS, Flows, flows_of_periods
from .scope import Scope, today, year_end
from .stock import CATEGORIES, OCOP

if TYPE_CHECKING:
    from .levels import Snapshot


@dataclass(frozen=True)
class Stock:
    """The level figures of a day: products by star category and communes with an OCOP product."""

    day: dt.date
    by_star: dict[str, int]
    communes_with_ocop: int

    @property
    def total(self) -> int:
        return sum(self.by_star.values())

    @property
    def ocop(self) -> int:
        return sum(self.by_star[key] for key in OCOP)

    @classmethod
    def of(cls, snapshot: Snapshot) -> Stock:
        """The stock of a `Snapshot` (the same categories and communes, counted by its statement)."""
        return cls(snapshot.day, dict(snapshot.by_category), snapshot.communes_with_ocop)

    def figures(self) -> dict[str, int]:
        """Every figure by name: the categories, "ocop", "total" and "communes_with_ocop"."""
        return {
            **self.by_star,
            "ocop": self.ocop,
            "total": self.total,
            "communes_with_ocop": self.communes_with_ocop,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "by_star": dict(self.by_star),
            "ocop": self.ocop,
            "total": self.total,
            "communes_with_ocop": self.communes_with_ocop,
        }


@dataclass(frozen=True)
class YearFigures:
    year: int
    stock: Stock
    flows: Flows
    previous_stock: Stock
    previous_flows: Flows

    @property
    def day(self) -> dt.date:
        return self.stock.day

    @property
    def change(self) -> dict[str, dict[str, int]]:
        """This year minus the year before: ``stock`` (every figure of `Stock.figures`) and
        ``flows`` (every kind of flow)."""
        now, before = self.stock.figures(), self.previous_stock.figures()
        return {
            "stock": {key: now[key] - before[key] for key in now},
            "flows": {kind: self.flows.count(kind) - self.previous_flows.count(kind) for kind in KINDS},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "date": self.day.isoformat(),
            "stock": self.stock.to_dict(),
            "flows": self.flows.to_dict(),
            "change": self.change,
        }


def check_year(year: int) -> None:
    if not 1900 <= year <= today().year:
        raise ValueError(
            _("Năm %(year)s không hợp lệ: cần từ 1900 đến năm nay (%(now)s).")
            % {"year": year, "now": today().year}
        )


def _with_years_before(years: Iterable[int]) -> list[int]:
    # The year before each one too, for the change (once each).
    return sorted(set(years) | {year - 1 for year in years})


def stock_days(years: Iterable[int]) -> list[dt.date]:
    """The days whose stocks `yearly(scope, years)` reads: each year's end and the year before's."""
    return [year_end(year) for year in _with_years_before(list(years))]


def yearly(scope: Scope, years: Iterable[int], known: Iterable[Stock] = ()) -> list[YearFigures]:
    """The figures of each year in ``years`` (ascending), each with the change from the year before.

    ``known``: stocks of the scope already counted (`Stock.of(snapshot)`); a year ending on one of
    their days takes it instead of counting that day again."""
    wanted = sorted(set(years))
    for year in wanted:
        check_year(year)
    if not wanted:
        return []
    every = _with_years_before(wanted)
    ends = {year: year_end(year) for year in every}
    given = {item.day: item for item in known}
    days = [day for day in ends.values() if day not in given]
    counted = {
        day: Stock(day, counts, communes)
        for day, (counts, communes) in zip(days, stock.stocks(scope, days), strict=True)
    }
    stocks = {year: given[day] if day in given else counted[day] for year, day in ends.items()}
    periods = [(dt.date(year, 1, 1), year_end(year)) for year in every]
    flows = dict(zip(every, flows_of_periods(scope, periods), strict=True))
    return [
        YearFigures(year, stocks[year], flows[year], stocks[year - 1], flows[year - 1]) for year in wanted
    ]


__all__ = ["CATEGORIES", "Stock", "YearFigures", "stock_days", "year_end", "yearly"]
