"""Live progress of plans: for each target its current value, the share achieved, the value
expected on the straight line and whether it is on track (the rules are `ocop.plans.rules`).

- The current value is the indicator's as of the day (flows counted from the plan's start).
- The baseline is the target's own when entered; otherwise a flow starts at 0 and a level at the
  indicator's value on the plan's first day. A rate over the plan's period (`Indicator.windowed`)
  has no value at the start: without an entered baseline its expected value is the target.
- Queries: one plan costs at most two per target (current and baseline), each value computed once
  per indicator, unit and day (`Evaluator`). Many plans of one level (a roll-up, the map) cost two
  grouped queries per indicator and plan start, whatever the number of plans (`Evaluator.prefetch`).

`rows_for(province_id, commune_id, day)` gives the JSON-able rows another module freezes into
periodic reports; `on_track_share_by_province(day)` the share of targets on track per province.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from . import rules
from .indicators import COMMUNE, FLOW, Indicator, Scope, find
from .models import Plan, PlanLevel, Target

ValueKey = tuple[str, Scope, dt.date, dt.date | None]


def _start_key(indicator: Indicator, start: dt.date) -> dt.date | None:
    # A level that does not read the plan's period is the same whatever the plan's start.
    return start if indicator.kind == FLOW or indicator.windowed else None


class Evaluator:
    """Indicator values, each computed once per indicator, scope, day and (for flows) plan start."""

    def __init__(self) -> None:
        self._values: dict[ValueKey, float | None] = {}

    def value(self, indicator: Indicator, scope: Scope, day: dt.date, start: dt.date) -> float | None:
        key = (indicator.code, scope, day, _start_key(indicator, start))
        if key not in self._values:
            self._values[key] = indicator.value(scope, day, start)
        return self._values[key]

    def prefetch(
        self,
        indicator: Indicator,
        scopes: Iterable[Scope],
        day: dt.date,
        start: dt.date,
        province_id: int | None = None,
    ) -> None:
        """The values of many provinces, or many communes (of one province), in one grouped query."""
        scopes = [
            scope
            for scope in scopes
            if (indicator.code, scope, day, _start_key(indicator, start)) not in self._values
        ]
        if not scopes:
            return
        level = scopes[0].level
        by_unit = indicator.values_by_unit(level, day, start, province_id)
        for scope in scopes:
            unit_id = scope.commune_id if level == COMMUNE else scope.province_id
            value = by_unit.get(unit_id, indicator.empty_value) if unit_id is not None else None
            self._values[(indicator.code, scope, day, _start_key(indicator, start))] = value


@dataclass
class TargetProgress:
    """One target's progress on a day."""

    target: Target
    plan: Plan
    indicator: Indicator | None
    day: dt.date
    current: float | None = None
    baseline: float | None = None
    baseline_entered: bool = False
    expected: float | None = None
    share: float | None = None
    on_track: bool | None = None

    @property
    def reached(self) -> bool | None:
        if self.indicator is None:
            return None
        return rules.reached(self.current, float(self.target.value), self.indicator.direction)

    def as_row(self) -> dict[str, Any]:
        """The JSON-able row (README, "Kế hoạch và chỉ tiêu": the fields of a progress row)."""
        indicator = self.indicator
        return {
            "plan_id": self.plan.pk,
            "plan": self.plan.title,
            "indicator": self.target.indicator,
            "name": str(indicator.name) if indicator else self.target.indicator,
            "unit": str(indicator.unit) if indicator else "",
            "target": float(self.target.value),
            "deadline": self.target.deadline.isoformat(),
            "baseline": _rounded(self.baseline),
            "current": _rounded(self.current),
            "share": _rounded(self.share),
            "expected": _rounded(self.expected),
            "on_track": self.on_track,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _baseline(target: Target, indicator: Indicator, plan: Plan, evaluator: Evaluator) -> float | None:
    if target.baseline is not None:
        return float(target.baseline)
    if indicator.kind == FLOW:
        return 0.0
    if indicator.windowed:
        return None
    return evaluator.value(indicator, Scope.of(plan), plan.starts_on, plan.starts_on)


def target_progress(target: Target, plan: Plan, day: dt.date, evaluator: Evaluator) -> TargetProgress:
    """The progress of one target of ``plan`` on ``day`` (at most two queries, none when cached)."""
    indicator = find(target.indicator)
    progress = TargetProgress(target, plan, indicator, day, baseline_entered=target.baseline is not None)
    if indicator is None:  # a code no longer in the registry: shown, never counted
        return progress
    goal = float(target.value)
    progress.current = evaluator.value(indicator, Scope.of(plan), day, plan.starts_on)
    progress.baseline = _baseline(target, indicator, plan, evaluator)
    line_start = (
        progress.baseline if progress.baseline is not None else (goal if indicator.windowed else None)
    )
    if line_start is not None:
        progress.expected = rules.expected(line_start, goal, plan.starts_on, target.deadline, day)
    progress.share = rules.share_achieved(progress.current, goal, indicator.direction)
    progress.on_track = rules.on_track(progress.current, progress.expected, indicator.direction)
    return progress


def plan_progress(plan: Plan, day: dt.date, evaluator: Evaluator | None = None) -> list[TargetProgress]:
    """Every target of the plan (prefetched ``targets`` are used as they are)."""
    evaluator = evaluator or Evaluator()
    return [target_progress(target, plan, day, evaluator) for target in plan.targets.all()]


def with_targets(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    return plans.prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("deadline", "indicator", "pk"))
    )


def prefetch_plans(
    plans: list[Plan], day: dt.date, evaluator: Evaluator, province_id: int | None = None
) -> None:
    """Fill the evaluator for the targets of many plans of one level (provinces, or the communes of
    one province): two grouped queries per indicator and plan start, whatever the number of plans."""
    groups: dict[tuple[str, dt.date, str], set[Scope]] = defaultdict(set)
    baselines: dict[tuple[str, dt.date, str], set[Scope]] = defaultdict(set)
    for plan in plans:
        if plan.level == PlanLevel.COUNTRY:
            continue
        for target in plan.targets.all():
            indicator = find(target.indicator)
            if indicator is None:
                continue
            scope = Scope.of(plan)
            groups[(indicator.code, plan.starts_on, scope.level)].add(scope)
            if target.baseline is None and indicator.kind != FLOW and not indicator.windowed:
                baselines[(indicator.code, plan.starts_on, scope.level)].add(scope)
    for (code, start, _level), scopes in groups.items():
        evaluator.prefetch(find(code), scopes, day, start, province_id)  # type: ignore[arg-type]
    for (code, start, _level), scopes in baselines.items():
        evaluator.prefetch(find(code), scopes, start, start, province_id)  # type: ignore[arg-type]


def rows_for(province_id: int | None, commune_id: int | None, day: dt.date) -> list[dict[str, Any]]:
    """One JSON-able row per target of the plans of exactly this unit (the country when both are
    None) active on ``day``: plan_id, plan, indicator, name, unit, target, deadline, baseline,
    current, share, expected, on_track."""
    plans = with_targets(
        Plan.objects.of_unit(province_id, commune_id).active_on(day).order_by("start_year", "end_year", "pk")
    )
    evaluator = Evaluator()
    return [row.as_row() for plan in plans for row in plan_progress(plan, day, evaluator)]


@dataclass
class PlanSummary:
    """A plan with its targets' progress (a line of a roll-up)."""

    plan: Plan
    targets: list[TargetProgress] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return sum(1 for row in self.targets if row.on_track is not None)

    @property
    def on_track(self) -> int:
        return sum(1 for row in self.targets if row.on_track)

    @property
    def on_track_share(self) -> float | None:
        return rules.on_track_share([row.on_track for row in self.targets])


def summaries(plans: list[Plan], day: dt.date, province_id: int | None = None) -> list[PlanSummary]:
    """The progress of many plans of one level (their ``targets`` prefetched), in grouped queries."""
    evaluator = Evaluator()
    prefetch_plans(plans, day, evaluator, province_id)
    return [PlanSummary(plan, plan_progress(plan, day, evaluator)) for plan in plans]


def on_track_share_by_province(day: dt.date) -> dict[int, float]:
    """Province unit id → the percentage of the targets of its own plans active on ``day`` that are
    on track (provinces without a target that can be judged are left out)."""
    plans = list(with_targets(Plan.objects.filter(level=PlanLevel.PROVINCE).active_on(day)))
    flags: dict[int, list[bool | None]] = defaultdict(list)
    for summary in summaries(plans, day):
        flags[summary.plan.province_id].extend(row.on_track for row in summary.targets)  # type: ignore[index]
    shares = {province: rules.on_track_share(values) for province, values in flags.items()}
    return {province: share for province, share in shares.items() if share is not None}


__all__ = [
    "Evaluator",
    "PlanSummary",
    "TargetProgress",
    "on_track_share_by_province",
    "plan_progress",
    "prefetch_plans",
    "rows_for",
    "summaries",
    "target_progress",
    "with_targets",
]
