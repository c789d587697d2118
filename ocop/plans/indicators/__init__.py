"""The indicators registry: the codes targets refer to, what each means and how it is counted.

The codes are a fixed contract (the demo and the periodic reports use them); see the README,
"Kế hoạch và chỉ tiêu", for the list with definitions. Each indicator has a code, a Vietnamese
name, a unit, a kind (level: a stock as of a day D; flow: what happened between the plan's start
and D), a direction (higher or lower is better) and a definition, and gives for a scope (the
country, a province, a commune), a day D and the plan's start both its value and the queryset of
the records counted (`Indicator.measure`): the value is computed from that very queryset.

    from ocop.plans import indicators
    m = indicators.get("share_5_star").measure(indicators.Scope(province_id=7), day, start)
    m.value, m.records            # 3.2, the OCOP products of the province on that day

Computed indicators read the platform's records (`computed`); manual ones read the values
offices enter per period (`manual`, `ManualValue`).

**Replacing a manual indicator.** Targets store only the code. A later module that records what a
manual indicator counts (training classes, support funds, points of sale) registers a computed
indicator with the same code from its ``AppConfig.ready()``::

    indicators.register(ComputedIndicator(code="training_classes", ..., build=classes_held))

The last registration wins: every plan and target using the code follows, nothing in plans
changes, and the manual values already entered are no longer read (nor accepted).
"""

from __future__ import annotations

import datetime as dt

from .base import (
    CERTIFICATE,
    COMMUNE,
    COUNTRY,
    FLOW,
    HIGHER,
    INSPECTION,
    LEVEL,
    LOWER,
    MANUAL_VALUE,
    PRODUCER,
    PRODUCT,
    PROVINCE,
    ComputedIndicator,
    Counted,
    Indicator,
    Measure,
    Scope,
)

_REGISTRY: dict[str, Indicator] = {}
_BUILT_IN_LOADED = False


def register(indicator: Indicator) -> None:
    """Add an indicator, or replace the one with the same code (the last registration wins)."""
    _REGISTRY[indicator.code] = indicator


def _load() -> None:
    # The built-in indicators, added on first use (their modules import the models); one registered
    # earlier with the same code (a module's ready()) keeps its place.
    global _BUILT_IN_LOADED
    if _BUILT_IN_LOADED:
        return
    from . import computed, manual

    built_in = {indicator.code: indicator for indicator in (*computed.INDICATORS, *manual.INDICATORS)}
    registered = dict(_REGISTRY)
    _REGISTRY.clear()
    _REGISTRY.update(built_in)
    _REGISTRY.update(registered)
    _BUILT_IN_LOADED = True


def find(code: str) -> Indicator | None:
    _load()
    return _REGISTRY.get(code)


def get(code: str) -> Indicator:
    """The indicator with this code (KeyError when there is none)."""
    indicator = find(code)
    if indicator is None:
        raise KeyError(code)
    return indicator


def all_indicators() -> list[Indicator]:
    """Every indicator, in the registry's order (computed first, as the contract lists them)."""
    _load()
    return list(_REGISTRY.values())


def choices() -> list[tuple[str, str]]:
    return [(indicator.code, str(indicator.name)) for indicator in all_indicators()]


def manual_choices() -> list[tuple[str, str]]:
    return [(indicator.code, str(indicator.name)) for indicator in all_indicators() if not indicator.computed]


def measure(code: str, scope: Scope, day: dt.date, start: dt.date) -> Measure:
    """The value of indicator ``code`` for ``scope`` on ``day`` (flows from ``start``), with its records."""
    return get(code).measure(scope, day, start)


__all__ = [
    "CERTIFICATE",
    "COMMUNE",
    "COUNTRY",
    "FLOW",
    "HIGHER",
    "INSPECTION",
    "LEVEL",
    "LOWER",
    "MANUAL_VALUE",
    "PRODUCER",
    "PRODUCT",
    "PROVINCE",
    "ComputedIndicator",
    "Counted",
    "Indicator",
    "Measure",
    "Scope",
    "all_indicators",
    "choices",
    "find",
    "get",
    "manual_choices",
    "measure",
    "register",
]
