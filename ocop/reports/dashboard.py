"""Tổng quan (dashboard v1): registry figures for the user's scope, in a fixed number of queries.

Everything is counted on querysets narrowed by `ocop.core.scoping.restrict`, so an officer sees
their province or commune, a national officer the whole country and a producer account its own
organisation. Figures:

- products by star (3★, 4★, 5★, and "chưa có sao": no currently valid certificate);
- products by ngành (the product's bộ sản phẩm rolled up to its sector), all and OCOP;
- products by current province (records entered under former units roll up through
  `Located.province`), split by star;
- producers by type, and the share of cooperatives and enterprises (HTX + DN);
- communes with at least one OCOP product (a product with a valid certificate).

A product's star is the star of its currently valid certificate, as the evaluation module
defines it (`Product.current_star`: the highest star among the certificates valid today, validity
from `ocop.evaluation.models.valid_condition`); nothing here re-derives validity rules.

Query budget, whatever the data size: one query over products (groups by province × star ×
product set, and the communes with OCOP products), one for province names, one for producers by
type and one for the number of communes in the scope. The indexes that serve them are listed in
docs/indexes.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.certification.models import Certificate
from ocop.core import scoping
from ocop.geo.models import Level, Structure, Unit
from ocop.registry import classification
from ocop.registry.classification import ProducerType
from ocop.registry.models import Producer, ProducerStatus, Product

# A constant of the code, written into the SQL (never user input).
REMOVED = classification.ProductStatus.REMOVED.value

STARS = (3, 4, 5)
# Types counted as "HTX + DN" (cooperatives and small and medium enterprises, QĐ 919/2022 targets).
COOPERATIVE_OR_ENTERPRISE = (ProducerType.HTX, ProducerType.DN_SME)
UNCLASSIFIED = ""  # sector key of products recorded only with a former (1048/148) classification


@dataclass(frozen=True)
class Row:
    """One line of a simple table: a category and its count (`ocop` = products with a valid star)."""

    key: str
    label: str
    count: int
    ocop: int = 0


@dataclass(frozen=True)
class ProvinceRow:
    code: str
    name: str
    three: int = 0
    four: int = 0
    five: int = 0
    unrated: int = 0

    @property
    def ocop(self) -> int:
        return self.three + self.four + self.five

    @property
    def total(self) -> int:
        return self.ocop + self.unrated


@dataclass(frozen=True)
class Dashboard:
    area: str  # "national", "province", "commune", "organisation" or "none"
    by_star: list[Row]
    by_sector: list[Row]
    by_province: list[ProvinceRow]
    producers_by_type: list[Row]
    communes_with_ocop: int
    communes_in_scope: int | None  # None where "communes of the scope" means nothing (producers)

    @property
    def products_total(self) -> int:
        return sum(row.count for row in self.by_star)

    @property
    def products_ocop(self) -> int:
        return sum(row.count for row in self.by_star if row.key != "none")

    @property
    def producers_total(self) -> int:
        return sum(row.count for row in self.producers_by_type)

    @property
    def cooperatives_and_enterprises(self) -> int:
        wanted = {str(kind) for kind in COOPERATIVE_OR_ENTERPRISE}
        return sum(row.count for row in self.producers_by_type if row.key in wanted)

    @property
    def cooperatives_and_enterprises_share(self) -> float | None:
        """Percentage of producers that are HTX or DN; None when there are no producers."""
        total = self.producers_total
        return round(100 * self.cooperatives_and_enterprises / total, 1) if total else None

    def chart_data(self) -> dict[str, Any]:
        """The figures for the charts (labels and numbers only), for `json_script`."""
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
                    {"label": star_label(3), "values": [row.three for row in self.by_province]},
                    {"label": star_label(4), "values": [row.four for row in self.by_province]},
                    {"label": star_label(5), "values": [row.five for row in self.by_province]},
                    {"label": _("Chưa có sao"), "values": [row.unrated for row in self.by_province]},
                ],
            },
            "producers": {
                "labels": [row.label for row in self.producers_by_type],
                "values": [row.count for row in self.producers_by_type],
            },
        }


def star_label(star: int) -> str:
    return _("%(star)s sao") % {"star": star}


def _scope_area(user: Any) -> str:
    """Which kind of area the user's view scope covers (mirrors ocop.core.scoping's role policy)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "none"
    if user.role in scoping.NATIONAL_ROLES:
        return "national"
    if user.role == scoping.COUNCIL and getattr(user, "scope_unit_id", 0) is None:
        return "national"  # a member of the Ministry's council
    if user.role == scoping.PRODUCER:
        return "organisation"
    if user.scope_commune_id is not None:
        return "commune"
    if user.scope_province_id is not None:
        return "province"
    return "none"


def _communes_in_scope(user: Any, area: str) -> int | None:
    if area == "commune":
        return 1
    if area == "organisation":
        return None
    if area == "none":
        return 0
    communes = Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE)
    if area == "province":
        communes = communes.filter(current_province_id=user.scope_province_id)
    return communes.count()


def build(user: Any) -> Dashboard:
    """The dashboard for `user`: every figure restricted to what the user may view."""
    area = _scope_area(user)
    products = Product.objects.restrict(user, scoping.VIEW).order_by()
    producers = Producer.objects.restrict(user, scoping.VIEW).order_by()

    # 1. Products by province × star and by product set × star, and the communes with an OCOP
    #    product, in one statement.
    counts = _count_products(products)
    stars: Counter[int | None] = Counter()
    province_stars: dict[int, Counter[int | None]] = {}
    for province_id, current_star, count in counts.by_province:
        star = current_star if current_star in STARS else None
        stars[star] += count
        province_stars.setdefault(province_id, Counter())[star] += count
    sector_all: Counter[str] = Counter()
    sector_ocop: Counter[str] = Counter()
    for set_code, current_star, count in counts.by_set:
        sector = _sector_of(set_code)
        sector_all[sector] += count
        if current_star in STARS:
            sector_ocop[sector] += count
    communes_with_ocop = counts.communes_with_ocop

    by_star = [Row(str(star), star_label(star), stars[star]) for star in STARS]
    by_star.append(Row("none", _("Chưa có sao"), stars[None]))

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

    # 2. Province names: every current province for the whole country (zeros are information),
    #    otherwise the provinces that have products in the scope.
    provinces = Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)
    if area != "national":
        provinces = provinces.filter(pk__in=list(province_stars))
    by_province = []
    if area == "national" or province_stars:
        for province_id, code, name in provinces.order_by("sort_key", "code").values_list(
            "pk", "code", "name"
        ):
            counts = province_stars.get(province_id, Counter())
            by_province.append(ProvinceRow(code, name, counts[3], counts[4], counts[5], counts[None]))

    # 4. Producers by type (dissolved organisations no longer count as subjects).
    type_counts = dict(
        producers.exclude(status=ProducerStatus.DISSOLVED)
        .values_list("producer_type")
        .annotate(n=Count("pk"))
        .values_list("producer_type", "n")
    )
    producers_by_type = [
        Row(str(kind), str(kind.label), type_counts.get(str(kind), 0)) for kind in ProducerType
    ]

    return Dashboard(
        area=area,
        by_star=by_star,
        by_sector=by_sector,
        by_province=by_province,
        producers_by_type=producers_by_type,
        communes_with_ocop=communes_with_ocop,
        communes_in_scope=_communes_in_scope(user, area),
    )


@dataclass
class _ProductCounts:
    by_province: list[tuple[int, int | None, int]]  # (province id, current star or None, products)
    by_set: list[tuple[str, int | None, int]]  # (product set, current star or None, products)
    communes_with_ocop: int


def _count_products(products: QuerySet) -> _ProductCounts:
    """Products in scope counted by province × star and by product set × star, and the number of
    communes with at least one OCOP product (a product with a star whose current commune is
    known), in one query.

    The current star is the highest star among the product's valid certificates: the rule of
    `CertificateQuerySet.current_for_products` (best first: highest star), with validity from
    `ocop.certification.models.valid_condition`; test_dashboard pins it to `with_current_star()`.
    The valid certificates are grouped per product first (read from the `evaluation_cert_valid`
    index alone), then joined to the products in scope (`registry_product_dash2`; a product removed
    from the programme counts without a star); the three counts share that per-product result as
    a common table expression, which both databases materialise once since it is used more than
    once. See docs/indexes.md for the plans.
    """
    result = _ProductCounts([], [], 0)
    valid = Certificate.objects.valid_on(timezone.localdate())
    if products.query.where:  # a scoped user: only the certificates of the products in scope
        valid = valid.filter(product__in=products.values("pk"))
    stars = valid.order_by().values("product_id").annotate(star=Max("star")).values("product_id", "star")
    in_scope = products.order_by().values("pk", "province_id", "commune_id", "classification_set", "status")
    try:
        stars_sql, stars_params = stars.query.sql_with_params()
        products_sql, products_params = in_scope.query.sql_with_params()
    except EmptyResultSet:  # restrict() gave .none(): a role or account that sees nothing
        return result
    connection = connections[products.db]
    qn = connection.ops.quote_name
    sql = (
        f"WITH stars AS ({stars_sql}), per_product AS ("
        f" SELECT p.{qn('province_id')} AS province_id, p.{qn('commune_id')} AS commune_id,"
        f" p.{qn('classification_set')} AS classification_set,"
        # A product removed from the programme (an inspection's conclusion) counts as not OCOP.
        f" CASE WHEN p.{qn('status')} = '{REMOVED}' THEN NULL ELSE s.{qn('star')} END AS star"
        f" FROM ({products_sql}) p LEFT JOIN stars s ON s.{qn('product_id')} = p.{qn('pk')})"
        " SELECT 0, province_id, NULL, star, COUNT(*) FROM per_product GROUP BY province_id, star"
        " UNION ALL SELECT 1, NULL, classification_set, star, COUNT(*) FROM per_product"
        " GROUP BY classification_set, star"
        " UNION ALL SELECT 2, NULL, NULL, NULL, COUNT(DISTINCT commune_id) FROM per_product"
        " WHERE star IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*stars_params, *products_params))
        for kind, province_id, set_code, star, count in cursor.fetchall():
            if kind == 0:
                result.by_province.append((province_id, star, count))
            elif kind == 1:
                result.by_set.append((set_code, star, count))
            else:
                result.communes_with_ocop = count
    return result


def _sector_of(set_code: str | None) -> str:
    if not set_code:
        return UNCLASSIFIED
    try:
        return classification.get_set(set_code).sector
    except (KeyError, ValueError):
        return UNCLASSIFIED


__all__ = ["Dashboard", "ProvinceRow", "Row", "build", "star_label"]
