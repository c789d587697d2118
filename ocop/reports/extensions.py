"""Extension points of the reports: what apps above add to the signed-in home page (Tổng quan).

The reports sit below oversight and the public site (docs/architecture.md): they never import
them. An app above registers a **dashboard section** from its ``AppConfig.ready()``; the home page
shows, after the registry figures, every section whose ``build(user)`` gives a context (None: not
for this user), rendered with the section's own template (owned by the registering app)::

    from ocop.reports import extensions
    extensions.sections.register(
        extensions.Section("oversight", 50, build, "oversight/stats_dashboard.html", queries=5)
    )

``build`` counts on the user's scoped querysets (``restrict(user, "view")``) in at most
``queries`` queries whatever the data size: the home page's query-count tests add the sections'
budgets to the page's own. Its context is cached (``ocop.core.datacache``: until an audited record
changes, for the same user, language and day): a section that reads anything else, or whose
context cannot be pickled, registers with ``cached=False``.

An app above also adds **map metrics**: figures per current province that the province map
(``/reports/map/``, ``ocop.reports.map``) can shade, beside its own (products, OCOP products per
100 communes, 5-star products)::

    extensions.map_metrics.register(
        extensions.MapMetric("on_track", _("Chỉ tiêu đạt tiến độ"), "%", share_on_track, queries=2)
    )

``values(day, user)`` gives ``{current province unit id: value}`` for what ``user`` may view on
``day``, in at most ``queries`` queries; a province left out shows "no figure".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocop.core import datacache


@dataclass(frozen=True)
class Section:
    """A card of the home page: ``build(user)`` → the template's context, or None to show nothing."""

    key: str
    order: int
    build: Callable[[Any], dict[str, Any] | None]
    template: str
    queries: int = 1  # the most queries build() takes for any user
    cached: bool = True  # build() reads audited records only (ocop.core.datacache)


@dataclass(frozen=True)
class Shown:
    key: str
    template: str
    context: dict[str, Any]


class _Sections:
    def __init__(self) -> None:
        self._items: dict[str, Section] = {}

    def register(self, section: Section) -> None:
        self._items[section.key] = section

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def all(self) -> list[Section]:
        return sorted(self._items.values(), key=lambda section: (section.order, section.key))

    def query_budget(self) -> int:
        """The queries all sections may take together (for the home page's query-count tests)."""
        return sum(section.queries for section in self._items.values())


sections = _Sections()


def collect(user: Any, stamp: datacache.Stamp | None = None) -> list[Shown]:
    """The sections shown to ``user``, in order (none for anonymous or inactive users); with a
    ``stamp`` (`ocop.core.datacache.stamp()`), contexts built under it come from the cache."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    shown = []
    for section in sections.all():
        if section.cached:
            key = ("section", section.key, user.pk)
            context = datacache.get_or_build(stamp, key, lambda s=section: s.build(user))
        else:
            context = section.build(user)
        if context is not None:
            shown.append(Shown(section.key, section.template, context))
    return shown


# The map's own metrics (ocop.reports.map); an extension may not take their keys.
BUILTIN_MAP_METRICS = frozenset({"products", "per_100_communes", "five_star"})


@dataclass(frozen=True)
class MapMetric:
    """A figure per current province for the map: ``values(day, user)`` → {province unit id: value}."""

    key: str  # the map's ?metric= value
    label: str  # shown in the metric switch, the legend and the table header
    unit: str  # e.g. "%": shown after each value
    values: Callable[[dt.date, Any], dict[int, float]]
    decimals: int = 1  # decimal places shown
    queries: int = 1  # the most queries values() takes for any user


class _MapMetrics:
    def __init__(self) -> None:
        self._items: dict[str, MapMetric] = {}

    def register(self, metric: MapMetric) -> None:
        if metric.key in BUILTIN_MAP_METRICS:
            raise ValueError(f"{metric.key!r} is one of the map's own metrics")
        self._items[metric.key] = metric

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def get(self, key: str) -> MapMetric | None:
        return self._items.get(key)

    def all(self) -> list[MapMetric]:
        return sorted(self._items.values(), key=lambda metric: metric.key)


map_metrics = _MapMetrics()


__all__ = ["MapMetric", "Section", "Shown", "collect", "map_metrics", "sections"]
