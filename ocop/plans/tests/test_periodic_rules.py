"""The periodic reports' calendar and arithmetic (plain Python)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.plans.periodic import rules

years = st.integers(min_value=rules.FIRST_YEAR, max_value=rules.LAST_YEAR)
days = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2100, 12, 31))


def test_periods() -> None:
    assert rules.period_bounds("semiannual", 2026) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert rules.period_bounds("annual", 2026) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with pytest.raises(ValueError):
        rules.period_bounds("quarterly", 2026)


@given(year=years, kind=st.sampled_from(rules.KINDS), today=days)
def test_as_of_is_never_after_the_period_nor_today(year, kind, today) -> None:
    start, end = rules.period_bounds(kind, year)
    day = rules.as_of(end, today)
    assert day <= end and day <= today
    assert rules.is_complete(end, day) == (today >= end)
    assert rules.has_begun(kind, year, today) == (today >= start)


@given(year=years)
def test_the_six_months_are_the_first_half_of_the_year(year) -> None:
    half_start, half_end = rules.period_bounds("semiannual", year)
    year_start, year_end = rules.period_bounds("annual", year)
    assert half_start == year_start and half_end < year_end
    assert (half_end + dt.timedelta(days=1)).month == 7


@given(rows=st.lists(st.dictionaries(st.sampled_from("abc"), st.integers(0, 10_000)), max_size=40))
def test_add_up_sums_every_key(rows) -> None:
    totals = rules.add_up(rows, ("a", "b", "c", "d"))
    assert set(totals) == {"a", "b", "c", "d"}
    for key in totals:
        assert totals[key] == sum(row.get(key, 0) for row in rows)
