"""Bản đồ: a choropleth of the 34 current provinces, drawn on the server as SVG (no JavaScript).

Geometry: ``static/reports/provinces-34.json``, built by ``scripts/build_province_map.py`` from
Natural Earth–based open data merged along the 2025 merger table of ``ocop.geo`` (source and
licence in ``static/reports/SOURCE.md``); projected and simplified, read once per process. The
islands of Hoàng Sa and Trường Sa are part of Đà Nẵng and Khánh Hòa and are labelled as such.

Figures (``count_products``): one GROUP BY over the user's restricted products, by current
province or commune, counting all products, OCOP products (a valid certificate on the day, the
product not removed from the programme) and 5-star products — the definitions of
``ocop.reports.dashboard``, whose figures the tests compare with these. Metrics:

- ``products``: products in the registry;
- ``per_100_communes``: OCOP products per 100 current communes (xã, phường, đặc khu);
- ``five_star``: products with a valid 5-star certificate;
- any metric an app above registers in ``ocop.reports.extensions.map_metrics`` (e.g. the share of
  plan targets on track).

Colours: quantile bins over the positive values (``map_bins``), zero and "no figure" apart. A
province outside the user's scope is drawn without figure or link.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ocop.core import scoping
from ocop.core.formatting import format_number
from ocop.geo.models import Level, Structure, Unit
from ocop.geo.sources import short_name
from ocop.registry import extensions as registry_extensions
from ocop.registry.models import Product

from . import extensions
from .map_bins import Bin, bin_index, colour_index, make_bins
from .statistics import scope as statistics_scope

ASSET = Path(__file__).resolve().parent / "static" / "reports" / "provinces-34.json"
DOT_RADIUS = 1.7  # islands too small to draw, in map pixels


# --- geometry -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    code: str
    name: str  # as the asset was built; the map shows the loaded unit's name
    former: tuple[str, ...]  # codes of the former provinces merged into it
    d: str  # SVG path data (even-odd)
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    lines: tuple[str, ...]
    css: str


@dataclass(frozen=True)
class Geometry:
    view_box: str
    shapes: dict[str, Shape]
    archipelagos: tuple[tuple[str, str, float, float], ...]  # (key, province code, x, y)
    sea: tuple[float, float]


@lru_cache(maxsize=1)
def geometry() -> Geometry:
    data = json.loads(ASSET.read_text(encoding="utf-8"))
    shapes = {
        p["code"]: Shape(p["code"], p["name"], tuple(p["former"]), p["d"], tuple(map(tuple, p["dots"])))
        for p in data["provinces"]
    }
    return Geometry(
        " ".join(str(n) for n in data["viewBox"]),
        shapes,
        tuple((a["key"], a["province"], *a["label"]) for a in data["archipelagos"]),
        tuple(data["sea"]["label"]),
    )


ARCHIPELAGO_NAMES = {
    "hoang_sa": gettext_lazy("Quần đảo Hoàng Sa"),
    "truong_sa": gettext_lazy("Quần đảo Trường Sa"),
}


def _labels(names: dict[str, str]) -> list[Label]:
    geo = geometry()
    labels = [Label(*geo.sea, (_("Biển Đông"),), "ocop-map-sea")]
    for key, code, x, y in geo.archipelagos:
        province = short_name(names.get(code) or geo.shapes[code].name)
        labels.append(Label(x, y, (str(ARCHIPELAGO_NAMES[key]), f"({province})"), "ocop-map-archipelago"))
    return labels


# --- metrics --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    unit: str | Promise
    decimals: int = 0
    commune_column: str = "ocop"  # the column the communes' table is ranked by
    star: str = ""  # the product list's star filter for this metric's links
    extension: extensions.MapMetric | None = None


PRODUCTS = Metric("products", gettext_lazy("Số sản phẩm"), pgettext_lazy("map unit", "sản phẩm"), 0, "total")
PER_100_COMMUNES = Metric(
    "per_100_communes",
    gettext_lazy("Sản phẩm OCOP trên 100 xã"),
    pgettext_lazy("map unit", "sản phẩm OCOP/100 xã"),
    1,
    "ocop",
)
FIVE_STAR = Metric(
    "five_star", gettext_lazy("Sản phẩm 5 sao"), gettext_lazy("sản phẩm 5 sao"), 0, "five", "5"
)
BUILTIN = (PRODUCTS, PER_100_COMMUNES, FIVE_STAR)
# The public site's map (/tinh/): recognised products whose certificate is valid (public data only).
RECOGNISED = Metric(
    "recognised", gettext_lazy("Sản phẩm OCOP còn hiệu lực"), pgettext_lazy("map unit", "sản phẩm")
)


def available_metrics() -> list[Metric]:
    """The map's own metrics, then those registered by apps above (ocop.reports.extensions)."""
    added = [Metric(m.key, m.label, m.unit, m.decimals, extension=m) for m in extensions.map_metrics.all()]
    return [*BUILTIN, *added]


def metric_for(key: str | None) -> Metric:
    """The metric named by ``?metric=``; the number of products when missing or unknown."""
    return next((m for m in available_metrics() if m.key == key), PRODUCTS)


# --- figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    total: int = 0  # products in the registry
    ocop: int = 0  # with a valid certificate, not removed from the programme
    five: int = 0  # with a valid 5-star certificate, not removed


def count_products(products: QuerySet[Product], by: str, day: dt.date) -> dict[int | None, Counts]:
    """Products counted per value of ``by`` ("province_id" or "commune_id"), in one query.

    A product is OCOP on ``day`` when it has a star that day, 5-star when that star is 5: the
    conditions of the product list's ``?star=`` filter (registry.extensions.certificates), which
    the map's links open. On PostgreSQL they are sets of certificates read once, not a subquery
    per product: its estimated cost set off the JIT compiler, 108 of the page's 169 ms.
    """
    source = registry_extensions.certificates.get()
    rows = (
        products.order_by()
        .values(by)
        .annotate(
            total=Count("pk"),
            ocop=Count("pk", filter=~source.star_condition(None, day, products.db)),
            five=Count("pk", filter=source.star_condition(5, day, products.db)),
        )
        .values_list(by, "total", "ocop", "five")
    )
    return {key: Counts(total, ocop, five) for key, total, ocop, five in rows}


def communes_per_province() -> dict[int, int]:
    """Current communes (xã, phường, đặc khu) of each current province, in one query."""
    rows = (
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE)
        .order_by()
        .values("current_province_id")
        .annotate(n=Count("pk"))
        .values_list("current_province_id", "n")
    )
    return dict(rows)


def per_100(ocop: int, communes: int) -> float | None:
    return round(100 * ocop / communes, 1) if communes else None


def product_list_url(province: str, commune: str = "", star: str = "") -> str:
    """The officers' product list filtered to an area (registry.filtersets.ProductFilterSet)."""
    query = {"province": province, "commune": commune, "star": star}
    return reverse("registry:product_list") + "?" + urlencode({k: v for k, v in query.items() if v})


# --- the choropleth -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapRow:
    """One province as the map receives it: its figure (None: none), link and scope."""

    code: str
    name: str
    value: float | None
    href: str | None = None
    in_scope: bool = True


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    value: float | None
    text: str  # the value as shown, with its unit
    title: str  # tooltip and accessible name: "Hà Nội: 12 sản phẩm"
    href: str | None
    css: str
    highlighted: bool
    shape: Shape


@dataclass(frozen=True)
class LegendItem:
    css: str
    label: str


@dataclass(frozen=True)
class Choropleth:
    metric: Metric
    view_box: str
    areas: list[Area]  # drawing order: the highlighted province last, its outline on top
    legend: list[LegendItem]
    labels: list[Label]
    dot_radius: float = DOT_RADIUS
    dom_id: str = "ocop-map"


def format_value(value: float | None, metric: Metric) -> str:
    if value is None:
        return "—"
    return f"{format_number(value, metric.decimals)} {metric.unit}"


def choropleth(
    rows: Iterable[MapRow], metric: Metric, highlight: str | None = None, dom_id: str = "ocop-map"
) -> Choropleth:
    """The map of ``rows`` (one per current province of the asset) for ``metric``."""
    geo = geometry()
    rows = [row for row in rows if row.code in geo.shapes]
    bins: list[Bin] = make_bins(row.value for row in rows if row.in_scope)
    areas = []
    for row in sorted(rows, key=lambda r: (r.code == highlight, r.code)):
        if not row.in_scope:
            css, text = "ocop-map-out", _("ngoài phạm vi")
        elif row.value is None:
            css, text = "ocop-map-none", _("không có số liệu")
        else:
            index = bin_index(row.value, bins)
            css = "ocop-map-zero" if index is None else f"ocop-map-b{colour_index(index, len(bins))}"
            text = format_value(row.value, metric)
        title = _("%(name)s: %(value)s") % {"name": row.name, "value": text}
        href = row.href if row.in_scope else None
        areas.append(
            Area(
                row.code,
                row.name,
                row.value,
                text,
                title,
                href,
                css,
                row.code == highlight,
                geo.shapes[row.code],
            )
        )

    legend = [
        LegendItem(
            f"ocop-map-b{colour_index(i, len(bins))}",
            format_number(b.low, metric.decimals)
            if b.low == b.high
            else f"{format_number(b.low, metric.decimals)} – {format_number(b.high, metric.decimals)}",
        )
        for i, b in enumerate(bins)
    ]
    kinds = {area.css for area in areas}
    if "ocop-map-zero" in kinds:
        legend.insert(0, LegendItem("ocop-map-zero", format_number(0, metric.decimals)))
    if "ocop-map-none" in kinds:
        legend.append(LegendItem("ocop-map-none", _("Không có số liệu")))
    if "ocop-map-out" in kinds:
        legend.append(LegendItem("ocop-map-out", _("Ngoài phạm vi của tài khoản")))
    names = {row.code: row.name for row in rows}
    return Choropleth(metric, geo.view_box, areas, legend, _labels(names), dom_id=dom_id)


# --- the page's figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceFigures:
    id: int
    code: str
    name: str
    counts: Counts
    communes: int
    value: float | None  # the chosen metric
    in_scope: bool
    rank: int | None = None  # among the provinces in scope, by the chosen metric

    @property
    def per_100_communes(self) -> float | None:
        return per_100(self.counts.ocop, self.communes)


@dataclass(frozen=True)
class CommuneRow:
    rank: int | None  # None for the products without a known commune
    code: str
    name: str
    counts: Counts
    href: str | None


@dataclass
class MapPage:
    area: str  # as ocop.reports.dashboard: national, province, commune, none
    metric: Metric
    day: dt.date
    provinces: list[ProvinceFigures]  # ranked by the metric, those in scope only
    province: ProvinceFigures | None  # the province whose communes are listed
    communes: list[CommuneRow] = field(default_factory=list)
    map: Choropleth | None = None


def _value(metric: Metric, counts: Counts, communes: int, extra: dict[int, float], pk: int) -> float | None:
    if metric.extension is not None:
        return extra.get(pk)
    if metric is PER_100_COMMUNES:
        return per_100(counts.ocop, communes)
    return float(counts.five if metric is FIVE_STAR else counts.total)


def _ranked(rows: list[Any], key: Callable[[Any], float | None]) -> list[tuple[int, Any]]:
    """Competition ranking (1, 2, 2, 4), highest first; rows without a value last, unranked."""
    ordered = sorted(rows, key=lambda r: (key(r) is None, -(key(r) or 0)))
    ranked, previous, rank = [], object(), 0
    for position, row in enumerate(ordered, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        ranked.append((rank, row))
    return ranked


def _scope_area(user: Any) -> str:
    """ "national", "province", "commune", "organisation" or "none" (the map's names of the levels)."""
    area = statistics_scope.area_of(user)
    return {statistics_scope.COUNTRY: "national", statistics_scope.PRODUCER: "organisation"}.get(area, area)


def build_page(user: Any, metric: Metric, day: dt.date, province_code: str | None = None) -> MapPage:
    """The map page's figures for ``user`` (their restricted products), in a fixed number of queries:
    provinces (1), products by province (1), communes per province (1), the extension metric's own
    budget, and for a province: its communes (1) and products by commune (1)."""
    area = _scope_area(user)
    products = Product.objects.restrict(user, scoping.VIEW)
    units = list(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)
        .order_by("sort_key", "code")
        .values_list("pk", "code", "name")
    )
    counts = count_products(products, "province_id", day)
    communes = communes_per_province()
    extra = metric.extension.values(day, user) if metric.extension is not None else {}
    scope_province = getattr(user, "scope_province_id", None) if area in ("province", "commune") else None

    figures = []
    for pk, code, name in units:
        in_scope = area == "national" or pk == scope_province
        c = counts.get(pk, Counts())
        value = _value(metric, c, communes.get(pk, 0), extra, pk) if in_scope else None
        figures.append(ProvinceFigures(pk, code, name, c, communes.get(pk, 0), value, in_scope))

    chosen = None
    if scope_province is not None:
        chosen = next((f for f in figures if f.id == scope_province), None)
    elif area == "national" and province_code:
        chosen = next((f for f in figures if f.code == province_code), None)

    ranked = [replace(f, rank=rank) for rank, f in _ranked([f for f in figures if f.in_scope], _key)]
    page = MapPage(area, metric, day, ranked, chosen)
    if chosen is not None:
        page.communes = _commune_rows(user, area, products, chosen, metric, day)
    rows = [
        MapRow(
            f.code,
            f.name,
            f.value,
            product_list_url(f.code, star=metric.star) if f.in_scope else None,
            f.in_scope,
        )
        for f in figures
    ]
    page.map = choropleth(rows, metric, highlight=chosen.code if chosen else None)
    return page


def _key(figures: ProvinceFigures) -> float | None:
    return figures.value


def _commune_rows(
    user: Any, area: str, products: QuerySet[Product], province: ProvinceFigures, metric: Metric, day: dt.date
) -> list[CommuneRow]:
    units = Unit.objects.filter(
        structure=Structure.CURRENT, level=Level.COMMUNE, current_province_id=province.id
    )
    if area == "commune":  # a commune officer sees their commune's figures only
        units = units.filter(pk=user.scope_commune_id)
    listed = list(units.order_by("sort_key", "code").values_list("pk", "code", "name"))
    counts = count_products(products.filter(province_id=province.id), "commune_id", day)
    column = metric.commune_column
    rows = [
        CommuneRow(
            None, code, name, counts.get(pk, Counts()), product_list_url(province.code, code, metric.star)
        )
        for pk, code, name in listed
    ]
    ranked = [
        CommuneRow(rank, r.code, r.name, r.counts, r.href)
        for rank, r in _ranked(rows, lambda r: getattr(r.counts, column))
    ]
    unknown = counts.get(None)
    if unknown is not None and unknown.total:
        # Products recorded at the province or at a former commune that split: no current commune.
        ranked.append(CommuneRow(None, "", _("Chưa xác định xã"), unknown, None))
    return ranked


__all__ = [
    "BUILTIN",
    "FIVE_STAR",
    "PER_100_COMMUNES",
    "PRODUCTS",
    "RECOGNISED",
    "Choropleth",
    "Counts",
    "MapRow",
    "Metric",
    "available_metrics",
    "build_page",
    "choropleth",
    "count_products",
    "geometry",
    "metric_for",
    "product_list_url",
]
