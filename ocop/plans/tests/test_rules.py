"""The progress rules (pure Python): the straight line, the share achieved, on track."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given
from hypothesis import strategies as st

from ocop.plans import rules
from ocop.plans.rules import HIGHER, LOWER

START = dt.date(2026, 1, 1)
DEADLINE = dt.date(2030, 12, 31)

values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
directions = st.sampled_from([HIGHER, LOWER])


def test_the_line_by_hand() -> None:
    assert rules.expected(50, 70, START, DEADLINE, START) == 50
    assert rules.expected(50, 70, START, DEADLINE, DEADLINE) == 70
    assert rules.expected(0, 100, START, dt.date(2026, 1, 11), dt.date(2026, 1, 6)) == 50
    assert rules.expected(50, 70, START, DEADLINE, dt.date(2019, 5, 1)) == 50  # before the start
    assert rules.expected(50, 70, START, DEADLINE, dt.date(2031, 5, 1)) == 70  # after the deadline
    # A deadline on (or before) the start: the target at once.
    assert rules.expected(50, 70, START, START, START) == 70


@given(baseline=values, target=values, day=days)
def test_the_expected_value_lies_between_baseline_and_target(baseline, target, day) -> None:
    value = rules.expected(baseline, target, START, DEADLINE, day)
    assert min(baseline, target) - 1e-6 <= value <= max(baseline, target) + 1e-6


@given(baseline=values, target=values, first=days, second=days)
def test_the_line_moves_one_way(baseline, target, first, second) -> None:
    assume(first <= second)
    a = rules.expected(baseline, target, START, DEADLINE, first)
    b = rules.expected(baseline, target, START, DEADLINE, second)
    if target >= baseline:
        assert a <= b + 1e-6
    else:
        assert a >= b - 1e-6


@given(start=days, deadline=days, day=days)
def test_elapsed_is_a_fraction(start, deadline, day) -> None:
    fraction = rules.elapsed(start, deadline, day)
    assert 0 <= fraction <= 1
    if day >= deadline:
        assert fraction == 1


@given(current=values, target=values, direction=directions)
def test_share_is_a_percentage_and_100_once_reached(current, target, direction) -> None:
    share = rules.share_achieved(current, target, direction)
    assert 0 <= share <= 100
    if rules.reached(current, target, direction):
        assert share == 100


def test_share_by_hand() -> None:
    assert rules.share_achieved(66.67, 70) == 100 * 66.67 / 70
    assert rules.share_achieved(None, 70) is None
    assert rules.share_achieved(5, 0) == 100  # a target of zero is reached at once
    # Lower is better (a cap): within it, all of it; above it, cap ÷ current.
    assert rules.share_achieved(3, 5, LOWER) == 100
    assert rules.share_achieved(10, 5, LOWER) == 50


@given(current=values, expected=values)
def test_on_track_respects_the_direction(current, expected) -> None:
    higher = rules.on_track(current, expected, HIGHER)
    lower = rules.on_track(current, expected, LOWER)
    assert higher == (current >= expected - rules.EPSILON)
    assert lower == (current <= expected + rules.EPSILON)
    if abs(current - expected) > 1e-6:
        assert higher != lower  # off the line, exactly one direction is on track


@given(current=st.none() | values, expected=st.none() | values, direction=directions)
def test_unknown_stays_unknown(current, expected, direction) -> None:
    flag = rules.on_track(current, expected, direction)
    assert (flag is None) == (current is None or expected is None)


@given(flags=st.lists(st.none() | st.booleans(), max_size=30))
def test_on_track_share(flags) -> None:
    share = rules.on_track_share(flags)
    judged = [flag for flag in flags if flag is not None]
    if not judged:
        assert share is None
    else:
        assert share == 100 * judged.count(True) / len(judged)
