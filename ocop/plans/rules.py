"""Progress rules of a target, in plain Python (no Django; tested with hypothesis).

- expected: the straight line from the baseline at the plan's start to the target at its deadline;
  the baseline before the start, the target from the deadline on.
- share achieved (0–100): how much of the target the current value reaches. Higher is better:
  current ÷ target; lower is better (a cap): 100 while within the cap, else cap ÷ current.
- on track: the current value is at least the expected one (higher is better) or at most it
  (lower is better).

Values are floats; None means unknown (no data yet) and propagates.
"""

from __future__ import annotations

import datetime as dt

HIGHER, LOWER = "higher", "lower"
# Values are counts and percentages with two decimals: a difference this small is rounding.
EPSILON = 1e-9


def elapsed(start: dt.date, deadline: dt.date, day: dt.date) -> float:
    """The share of the time from ``start`` to ``deadline`` gone by on ``day``, within 0–1."""
    if day <= start:
        return 0.0 if deadline > start else 1.0
    if day >= deadline:
        return 1.0
    return (day - start).days / (deadline - start).days


def expected(baseline: float, target: float, start: dt.date, deadline: dt.date, day: dt.date) -> float:
    """The value expected on ``day`` on the straight line from ``baseline`` (at ``start``) to
    ``target`` (at ``deadline``)."""
    fraction = elapsed(start, deadline, day)
    if fraction >= 1.0:
        return target
    if fraction <= 0.0:
        return baseline
    return baseline + (target - baseline) * fraction


def share_achieved(current: float | None, target: float, direction: str = HIGHER) -> float | None:
    """How much of the target ``current`` reaches, 0–100 (None when ``current`` is unknown)."""
    if current is None:
        return None
    if direction == LOWER:
        if current <= target + EPSILON:
            return 100.0
        return max(0.0, min(100.0, 100.0 * target / current)) if current > 0 else 100.0
    if current >= target - EPSILON:
        return 100.0
    return max(0.0, 100.0 * current / target) if target > 0 else 0.0


def on_track(current: float | None, expected_value: float | None, direction: str = HIGHER) -> bool | None:
    """Whether ``current`` keeps up with the straight line (None when either is unknown)."""
    if current is None or expected_value is None:
        return None
    if direction == LOWER:
        return current <= expected_value + EPSILON
    return current >= expected_value - EPSILON


def reached(current: float | None, target: float, direction: str = HIGHER) -> bool | None:
    """Whether the target itself is reached."""
    return on_track(current, target, direction)


def on_track_share(flags: list[bool | None]) -> float | None:
    """The percentage of targets on track among those that can be judged (None: none can)."""
    judged = [flag for flag in flags if flag is not None]
    if not judged:
        return None
    return 100.0 * sum(1 for flag in judged if flag) / len(judged)
