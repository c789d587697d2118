"""OCOP statistics as of any day and per year: THE one code path for figures.

The dashboard (`/`), the API (`/api/v1/statistics/`), the public province page (`/tinh/<code>/`)
and the periodic reports (ocop.plans) all count through here:

- `Scope` / `scope_for(user, unit_code)`: the country, a current province or commune (or a
  producer's organisation), within what the user may view;
- `snapshot(scope, day)` → `Snapshot`: products by star category ("3", "4", "4p" = 4★ tiềm năng
  5★, "5", "revoked", "none"), by sector, by province or commune; producers by type and the share
  of HTX + DN; communes with an OCOP product — as of ``day``;
- `flows(scope, start, end)` → `Flows`: new, re-evaluated, upgraded, expired and revoked
  certificates in a period, each with `records(kind)`, the certificates counted;
- `yearly(scope, years)` → `[YearFigures]`: the stock at each year's end and the year's flows,
  with the change from the year before.

Every result has ``to_dict()`` (plain JSON: ints, strings, ISO dates, percentages as numbers with
one decimal or null). Each takes a fixed number of queries whatever the data size (one aggregate
statement per figure group), on SQLite and PostgreSQL alike. Definitions: `stock` (categories),
`movements` (flows).

Limitation: a product's removal from the programme and a producer's dissolution are recorded as
a status without a date, so they count as of every day, also before they happened.
"""

from __future__ import annotations

from .dates import parse_day, parse_year
from .levels import (
    COOPERATIVE_OR_ENTERPRISE,
    Row,
    Snapshot,
    UnitRow,
    category_label,
    scope_dict,
    snapshot,
    snapshot_and_stocks,
    star_label,
)
from .movements import KINDS, Flows, flows
from .scope import Scope, UnknownUnit, scope_for
from .stock import CATEGORIES, OCOP
from .years import Stock, YearFigures, stock_days, year_end, yearly

__all__ = [
    "CATEGORIES",
    "COOPERATIVE_OR_ENTERPRISE",
    "KINDS",
    "OCOP",
    "Flows",
    "Row",
    "Scope",
    "Snapshot",
    "Stock",
    "UnitRow",
    "UnknownUnit",
    "YearFigures",
    "category_label",
    "flows",
    "parse_day",
    "parse_year",
    "scope_dict",
    "scope_for",
    "snapshot",
    "snapshot_and_stocks",
    "star_label",
    "stock_days",
    "year_end",
    "yearly",
]
