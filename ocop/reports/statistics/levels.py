"""The figures of a scope as of a day (`snapshot`): products by star category, by sector, by
province and by commune; producers by type; communes with an OCOP product.

Query budget, whatever the data size: one statement over the products (stock.per_product_ctes,
grouped four ways), one for the units' names, one for the producers by type and, for the whole
country, one for the number of communes. For the whole country the producers by type are a fifth
grouping of the products' statement instead: there the scope's producers are those of its products.
`snapshot_and_stocks` counts other days' stocks in that same statement (one pass over the
certificates for every day, `stock.days_ctes`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _

from ocop.certification.models import Certificate
from ocop.geo.models import Level, Structure, Unit
from ocop.registry import classification
from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import Producer, ProducerStatus

from . import stock
from .scope import COMMUNE, COUNTRY, NOTHING, PRODUCER, PROVINCE, Scope, end_of, today
from .stock import CATEGORIES, OCOP

# Types counted as "HTX + DN" (cooperatives and small and medium enterprises, QĐ 919/2022 targets).
COOPERATIVE_OR_ENTERPRISE = (ProducerType.HTX, ProducerType.DN_SME)
UNCLASSIFIED = ""  # sector key of products recorded only with a former (1048/148) classification
UNKNOWN_COMMUNE = ""  # commune key of products whose current commune is unknown (a split former unit)


def category_label(key: str) -> str:
    """The Vietnamese (or English) name of a star category."""
    labels = {
        "3": _("3 sao"),
        "4": _("4 sao"),
        "4p": _("4 sao tiềm năng 5 sao"),
        "5": _("5 sao"),
        "revoked": _("Bị thu hồi"),
        "none": _("Chưa có sao"),
    }
    return labels[key]


def star_label(star: int) -> str:
    return _("%(star)s sao") % {"star": star}


def share(part: int, total: int) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    return round(100 * part / total, 1) if total else None


@dataclass(frozen=True)
class Row:
    """One line of a simple table: a category and its count (`ocop` = those with an OCOP star)."""

    key: str
    label: str
    count: int
    ocop: int = 0


@dataclass(frozen=True)
class UnitRow:
    """A province's or commune's products by star category."""

    code: str
    name: str
    three: int = 0
    four: int = 0
    potential: int = 0  # 4★ tiềm năng 5★ (not in `four`)
    five: int = 0
    revoked: int = 0
    none: int = 0

    @classmethod
    def of(cls, code: str, name: str, counts: Counter | dict[str, int]) -> UnitRow:
        return cls(
            code,
            name,
            counts.get("3", 0),
            counts.get("4", 0),
            counts.get("4p", 0),
            counts.get("5", 0),
            counts.get("revoked", 0),
            counts.get("none", 0),
        )

    @property
    def counts(self) -> dict[str, int]:
        values = (self.three, self.four, self.potential, self.five, self.revoked, self.none)
        return dict(zip(CATEGORIES, values, strict=True))

    @property
    def cells(self) -> list[int]:
        """The table's numbers: each category in order, then the total."""
        return [self.three, self.four, self.potential, self.five, self.revoked, self.none, self.total]

    @property
    def ocop(self) -> int:
        return self.three + self.four + self.potential + self.five

    @property
    def unrated(self) -> int:
        """Without a star: revoked and the rest."""
        return self.revoked + self.none

    @property
    def total(self) -> int:
        return self.ocop + self.unrated

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "by_star": self.counts,
            "ocop": self.ocop,
            "total": self.total,
        }


@dataclass(frozen=True)
class Snapshot:
    scope: Scope
    day: dt.date
    by_star: list[Row]  # the six categories, in CATEGORIES order
    by_sector: list[Row]  # count: products; ocop: with an OCOP star
    by_province: list[UnitRow]  # every province (country), the scope's province, or a producer's
    by_commune: list[UnitRow]  # the communes of the scope's province (or its commune); [] otherwise
    producers_by_type: list[Row]  # count: producers; ocop: with an OCOP product on the day
    communes_with_ocop: int
    communes_in_scope: int | None  # None where "communes of the scope" means nothing (a producer)

    @property
    def area(self) -> str:
        """The dashboard's name for the scope's level."""
        return {COUNTRY: "national", PRODUCER: "organisation"}.get(self.scope.level, self.scope.level)

    def count(self, key: str) -> int:
        return next((row.count for row in self.by_star if row.key == key), 0)

    @property
    def by_category(self) -> dict[str, int]:
        return {row.key: row.count for row in self.by_star}

    @property
    def products_total(self) -> int:
        return sum(row.count for row in self.by_star)

    @property
    def products_ocop(self) -> int:
        return sum(row.count for row in self.by_star if row.key in OCOP)

    @property
    def share_5_star(self) -> float | None:
        return share(self.count("5"), self.products_ocop)

    @property
    def producers_total(self) -> int:
        return sum(row.count for row in self.producers_by_type)

    @property
    def producers_ocop(self) -> int:
        return sum(row.ocop for row in self.producers_by_type)

    @property
    def cooperatives_and_enterprises(self) -> int:
        """HTX and DN among the producers with an OCOP product on the day."""
        wanted = {str(kind) for kind in COOPERATIVE_OR_ENTERPRISE}
        return sum(row.ocop for row in self.producers_by_type if row.key in wanted)

    @property
    def cooperatives_and_enterprises_share(self) -> float | None:
        """Percentage of the producers with an OCOP product that are HTX or DN (the indicator
        share_cooperatives_enterprises); None when no producer has one."""
        return share(self.cooperatives_and_enterprises, self.producers_ocop)

    def chart_data(self) -> dict[str, Any]:
        """The figures for the dashboard's charts (labels and numbers only), for `json_script`."""
        return {
            "stars": {
                "labels": [row.label for row in self.by_star],
                "values": [row.count for row in self.by_star],
            },
            "sectors": {
                "labels": [row.label for row in self.by_sector],
                "series": [
                    {"label": _("Số sản phẩm"), "values": [row.count for row in self.by_sector]},
                    {"label": _("Sản phẩm OCOP"), "values": [row.ocop for row in self.by_sector]},
                ],
            },
            "provinces": {
                "labels": [row.name for row in self.by_province],
                "series": [
                    {"label": category_label(key), "values": [row.counts[key] for row in self.by_province]}
                    for key in CATEGORIES
                ],
            },
            "producers": {
                "labels": [row.label for row in self.producers_by_type],
                "values": [row.count for row in self.producers_by_type],
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: what the API returns and a periodic report freezes."""
        return {
            "scope": scope_dict(self.scope),
            "date": self.day.isoformat(),
            "products": {
                "total": self.products_total,
                "ocop": self.products_ocop,
                "by_star": self.by_category,
                "share_5_star": self.share_5_star,
            },
            "by_sector": [
                {"code": row.key, "name": row.label, "products": row.count, "ocop": row.ocop}
                for row in self.by_sector
            ],
            "by_province": [row.to_dict() for row in self.by_province],
            "by_commune": [row.to_dict() for row in self.by_commune],
            "producers": {
                "total": self.producers_total,
                "ocop": self.producers_ocop,
                "by_type": [
                    {"code": row.key, "name": row.label, "producers": row.count, "ocop": row.ocop}
                    for row in self.producers_by_type
                ],
                "cooperatives_and_enterprises": self.cooperatives_and_enterprises,
                "cooperatives_and_enterprises_share": self.cooperatives_and_enterprises_share,
            },
            "communes": {"with_ocop": self.communes_with_ocop, "in_scope": self.communes_in_scope},
        }


def scope_dict(scope: Scope) -> dict[str, Any]:
    return {"level": scope.level, "code": scope.code, "name": str(scope.label)}


# --- the computation ----------------------------------------------------------------------------


def snapshot(scope: Scope, day: dt.date | None = None) -> Snapshot:
    """The figures of ``scope`` as of ``day`` (default: today)."""
    return snapshot_and_stocks(scope, day if day is not None else today(), ())[0]


def snapshot_and_stocks(
    scope: Scope, day: dt.date, days: Sequence[dt.date]
) -> tuple[Snapshot, list[tuple[dict[str, int], int]]]:
    """`snapshot(scope, day)` and `stock.stocks(scope, days)` in one statement, from one pass over
    the scope's certificates (`stock.days_ctes` with the snapshot's rows): the statistics API
    (`dashboard.figures`) no longer reads them twice (national data, `dashboard.figures` as of
    31/12/2025: a province 50 → 43 ms on PostgreSQL, 16.7 → 15.0 ms on SQLite; the whole country
    3–5 % less on SQLite, the same on PostgreSQL)."""
    counts = _count_products(scope, day, days)

    stars: Counter[str] = Counter()
    province_counts: dict[int, Counter[str]] = {}
    for province_id, category, count in counts["province"]:
        stars[category] += count
        province_counts.setdefault(province_id, Counter())[category] += count
    commune_counts: dict[int | None, Counter[str]] = {}
    for commune_id, category, count in counts["commune"]:
        commune_counts.setdefault(commune_id, Counter())[category] += count
    sector_all: Counter[str] = Counter()
    sector_ocop: Counter[str] = Counter()
    for set_code, category, count in counts["set"]:
        sector = _sector_of(set_code)
        sector_all[sector] += count
        if category in OCOP:
            sector_ocop[sector] += count

    by_star = [Row(key, category_label(key), stars[key]) for key in CATEGORIES]
    by_sector = [
        Row(sector.code, f"{sector.code}. {sector.label}", sector_all[sector.code], sector_ocop[sector.code])
        for sector in classification.sectors()
    ]
    if sector_all[UNCLASSIFIED]:
        by_sector.append(
            Row(
                UNCLASSIFIED,
                _("Chưa xếp bộ sản phẩm (phân loại cũ)"),
                sector_all[UNCLASSIFIED],
                sector_ocop[UNCLASSIFIED],
            )
        )

    by_province, by_commune, communes_in_scope = _units(scope, province_counts, commune_counts)
    figures = Snapshot(
        scope=scope,
        day=day,
        by_star=by_star,
        by_sector=by_sector,
        by_province=by_province,
        by_commune=by_commune,
        producers_by_type=(
            _producer_rows(counts["producers"])
            if counts["producers"] is not None
            else _producers_by_type(scope, day)
        ),
        communes_with_ocop=counts["communes"],
        communes_in_scope=communes_in_scope,
    )
    return figures, counts["stocks"]


def _count_products(scope: Scope, day: dt.date, days: Sequence[dt.date] = ()) -> dict[str, Any]:
    """The scope's products on ``day`` by province × category, by product set × category, by
    commune × category (a province or commune), the communes with an OCOP product and, for the
    whole country, the producers by type (``producers``: type → (producers, with OCOP); None for
    other scopes, which count them with `_producers_by_type`), in one statement; with ``days``,
    also the stocks of those days (``stocks``, as `stock.stocks` gives them) in the same one."""
    result: dict[str, Any] = {
        "province": [],
        "set": [],
        "commune": [],
        "communes": 0,
        "producers": None,
        "stocks": stock.empty_stocks(len(days)),
    }
    # The whole country's producers are those of its products: counted from the same rows (kind 4)
    # rather than by a statement of their own that joined every certificate to its product again
    # (national data, as of 31/12/2025: SQLite 135 -> 88 ms for both, PostgreSQL 77 -> 65 ms).
    # A province counts the producers located there, whose products may lie elsewhere.
    with_producers = scope.level == COUNTRY
    fields = (
        "province_id",
        "commune_id",
        "classification_set",
        *(("producer_id",) if with_producers else ()),
    )
    # With days: every day (the snapshot's too) in one pass over the certificates (stock.days_ctes),
    # the snapshot's rows ``pp`` taken from it. A snapshot alone keeps per_product_ctes: the days'
    # pass for one day was 13–30 % slower for the whole country (the home page), on both databases.
    every = sorted({*days, day}) if days else []
    try:
        if every:
            ctes, params = stock.days_ctes(scope, every, fields, rows_of=every.index(day))
        else:
            ctes, params = stock.per_product_ctes(scope, day, "pp", fields)
    except EmptyResultSet:  # a scope that sees nothing
        return result
    selects = [
        "SELECT 0, province_id, NULL, category, COUNT(*) FROM pp GROUP BY province_id, category",
        "SELECT 1, NULL, classification_set, category, COUNT(*) FROM pp"
        " GROUP BY classification_set, category",
        "SELECT 3, NULL, NULL, NULL, COUNT(DISTINCT commune_id) FROM pp"
        f" WHERE category IN ({stock.OCOP_SQL})",
    ]
    if scope.level in (PROVINCE, COMMUNE):
        selects.append("SELECT 2, commune_id, NULL, category, COUNT(*) FROM pp GROUP BY commune_id, category")
    if with_producers:
        sql, producer_params = _producers_of_products(day)
        selects.append(sql)
        params = [*params, *producer_params]
        result["producers"] = {}
    # The days' stocks as rows of kind 5: (5, the day's index in `every`, NULL, category, count).
    selects += stock.stock_selects(range(len(every)), lead="5, ", pad=", NULL")
    stocks = stock.empty_stocks(len(every))
    for kind, unit_id, set_code, category, count in stock.run(
        f"WITH {ctes} " + " UNION ALL ".join(selects), params
    ):
        if kind == 5:
            stock.add_stock_row(stocks, unit_id, category, count)
        elif kind == 0:
            result["province"].append((unit_id, category, count))
        elif kind == 1:
            result["set"].append((set_code, category, count))
        elif kind == 2:
            result["commune"].append((unit_id, category, count))
        elif kind == 4:
            total, ocop = result["producers"].get(set_code, (0, 0))
            result["producers"][set_code] = (total + count, ocop + (count if category == "ocop" else 0))
        else:
            result["communes"] = count
    result["stocks"] = [stocks[every.index(on)] for on in days]
    return result


def _producers_of_products(day: dt.date) -> tuple[str, list]:
    """The producers by type as rows of `_count_products` (kind 4: the type, "ocop" or "", the
    number), from its per-product rows ``pp``: as `_producers_by_type` counts them, a producer
    counts when it existed on the day (created by then, or with a certificate issued by then) and
    is not dissolved; "ocop" when one of its products has an OCOP star on the day."""
    connection = connections[Producer.objects.db]
    qn = connection.ops.quote_name
    ocop = "CASE WHEN o.ocop = 1 THEN 'ocop' ELSE '' END"
    sql = (
        f"SELECT 4, NULL, r.{qn('producer_type')}, {ocop}, COUNT(*) FROM {qn(Producer._meta.db_table)} r"
        " LEFT JOIN (SELECT producer_id, MAX(issued) AS issued,"
        f" MAX(CASE WHEN category IN ({stock.OCOP_SQL}) THEN 1 ELSE 0 END) AS ocop"
        " FROM pp GROUP BY producer_id) o ON o.producer_id = r.id"
        f" WHERE r.{qn('status')} <> %s AND (r.{qn('created')} < %s OR o.issued = 1)"
        f" GROUP BY r.{qn('producer_type')}, {ocop}"
    )
    created_before = connection.ops.adapt_datetimefield_value(end_of(day))
    return sql, [ProducerStatus.DISSOLVED.value, created_before]


def _units(
    scope: Scope, province_counts: dict[int, Counter[str]], commune_counts: dict[int | None, Counter[str]]
) -> tuple[list[UnitRow], list[UnitRow], int | None]:
    """Provinces and communes with their names, in one query; and the number of communes in scope."""
    level = scope.level
    if level == NOTHING:
        return [], [], 0
    units = Unit.objects.filter(structure=Structure.CURRENT)
    if level == COUNTRY:
        units = units.filter(level=Level.PROVINCE)
    elif level == PRODUCER:
        units = units.filter(pk__in=list(province_counts))
    elif level == PROVINCE:
        units = units.filter(
            Q(pk=scope.province.pk) | Q(level=Level.COMMUNE, current_province=scope.province.pk)
        )
    else:
        units = units.filter(pk__in=[scope.province.pk, scope.commune.pk])
    by_province, by_commune = [], []
    if level != PRODUCER or province_counts:
        for unit_id, unit_level, code, name in units.order_by("sort_key", "code").values_list(
            "pk", "level", "code", "name"
        ):
            if unit_level == Level.PROVINCE:
                by_province.append(UnitRow.of(code, name, province_counts.get(unit_id, Counter())))
            else:
                by_commune.append(UnitRow.of(code, name, commune_counts.get(unit_id, Counter())))
    if None in commune_counts and level == PROVINCE:
        by_commune.append(
            UnitRow.of(
                UNKNOWN_COMMUNE,
                _("Chưa xác định xã (đơn vị cũ đã chia tách, cấp tỉnh)"),
                commune_counts[None],
            )
        )
    if level == COUNTRY:
        communes = Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE).count()
    elif level == PROVINCE:
        communes = sum(1 for row in by_commune if row.code != UNKNOWN_COMMUNE)
    elif level == COMMUNE:
        communes = 1
    else:
        communes = None
    return by_province, by_commune, communes


def _producers_by_type(scope: Scope, day: dt.date) -> list[Row]:
    """Producers of the scope (by their own place) that existed on ``day`` and are not dissolved,
    by type; ``ocop``: those with a product holding a valid certificate on the day (not removed).
    Dissolution, like removal, has no date: a dissolved producer counts on no day."""
    condition = scope.producers()
    counts: dict[str, tuple[int, int]] = {}
    if condition is not None:
        # The subqueries read only the scope's producers' certificates: unfiltered, they would
        # list every certificate of the country for a province's 300 producers.
        of_scope = scope.producers("product__producer__")
        issued = Certificate.objects.filter(of_scope, issue_date__lte=day).values("product__producer_id")
        ocop = (
            Certificate.objects.valid_on(day)
            .filter(of_scope)
            .exclude(product__status=ProductStatus.REMOVED.value)
            .values("product__producer_id")
        )
        rows = (
            Producer.objects.filter(condition)
            .exclude(status=ProducerStatus.DISSOLVED)
            .filter(Q(created__lt=end_of(day)) | Q(pk__in=issued))
            .order_by()
            .annotate(
                has_ocop=Case(When(pk__in=ocop, then=Value(1)), default=Value(0), output_field=IntegerField())
            )
            .values("producer_type")
            .annotate(n=Count("pk"), ocop=Sum("has_ocop"))
            .values_list("producer_type", "n", "ocop")
        )
        counts = {kind: (n, ocop or 0) for kind, n, ocop in rows}
    return _producer_rows(counts)


def _producer_rows(counts: dict[str, tuple[int, int]]) -> list[Row]:
    """A row per producer type, in their order: (producers, of which with an OCOP product)."""
    return [Row(str(kind), str(kind.label), *counts.get(str(kind), (0, 0))) for kind in ProducerType]


def _sector_of(set_code: str | None) -> str:
    if not set_code:
        return UNCLASSIFIED
    try:
        return classification.get_set(set_code).sector
    except (KeyError, ValueError):
        return UNCLASSIFIED
