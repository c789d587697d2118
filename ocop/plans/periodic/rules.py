"""The periodic reports' calendar and arithmetic, in plain Python (no Django).

- A six-month report covers 01/01–30/06 of its year, an annual report 01/01–31/12.
- Its figures are counted as of the period's end, or as of the day they are generated while the
  period is not over (the report says so).
- A report can be made once its period has begun, for a year of the programme (2018 onwards).
- The national report adds up the key figures of the provinces' filed reports (``add_up``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

SEMIANNUAL, ANNUAL = "semiannual", "annual"
KINDS = (SEMIANNUAL, ANNUAL)
# The OCOP programme began in 2018 (Quyết định 490/QĐ-TTg); no office reports on earlier years.
FIRST_YEAR = 2018
LAST_YEAR = 2100


def period_bounds(kind: str, year: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the period: 01/01–30/06 (six months) or 01/01–31/12 (the year)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    end = dt.date(year, 6, 30) if kind == SEMIANNUAL else dt.date(year, 12, 31)
    return dt.date(year, 1, 1), end


def as_of(period_end: dt.date, today: dt.date) -> dt.date:
    """The day the figures are counted for: the period's end, or today while it is not over."""
    return min(period_end, today)


def is_complete(period_end: dt.date, day: dt.date) -> bool:
    """Do figures counted as of `day` cover the whole period?"""
    return day >= period_end


def has_begun(kind: str, year: int, today: dt.date) -> bool:
    return period_bounds(kind, year)[0] <= today


def add_up(rows: Iterable[Mapping[str, int]], keys: Sequence[str]) -> dict[str, int]:
    """The sum of each key over the rows (a key a row lacks counts as 0)."""
    totals = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            totals[key] += int(row.get(key) or 0)
    return totals
