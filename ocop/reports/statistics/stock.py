"""How many products stand in each star category on a day: the SQL every level figure comes from.

A product's category on day D (docs: /README "Thống kê"; the shared indicator definitions):

- "5", "4p" (4★ tiềm năng 5★), "4", "3": the star of its best certificate valid on D — highest
  star, then the latest issued, as `CertificateQuerySet.current_for_products` orders them; "4p"
  when that certificate is a 4★ marked potential 5★, so "4" excludes them;
- "revoked": no certificate valid on D, and the latest issued by D was revoked by D (the
  programme status REVOKED on D); a product discontinued by its producer is not;
- "none": the rest (never certified, expired, not yet certified) and every product removed from
  the programme (ProductStatus.REMOVED: the removal is recorded only as a status, without a date,
  so a removed product counts without a star on every day, also before its removal).

A product counts on D when it existed: created on or before D, or with a certificate issued on or
before D (the history import creates today products certified years ago).

Validity is `ocop.certification.models.valid_condition`; nothing here re-derives it. The per-product
rows are common table expressions (certificates issued by D, grouped per product with MAX() over
an integer that ranks them, on SQLite and PostgreSQL alike), which the callers group as they need
in the same statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from ocop.certification.models import Certificate, valid_condition
from ocop.registry import classification
from ocop.registry.models import Product

from .scope import Scope, end_of, today

CATEGORIES = ("3", "4", "4p", "5", "revoked", "none")
OCOP = ("3", "4", "4p", "5")
# Constants of the code, written into the SQL (never user input).
_REMOVED = classification.ProductStatus.REMOVED.value
_DISCONTINUED = classification.ProductStatus.DISCONTINUED.value
_OCOP_SQL = ", ".join(f"'{key}'" for key in OCOP)


def _one(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# Each certificate's rank within its product as one integer, so that a GROUP BY picks the best
# and the latest with MAX() instead of ranking every certificate with window functions (which
# sorted all of them twice: four fifths of the national snapshot's time on SQLite). Decimal
# places, from the left: the star (best only), the issue date as a day number (below 10**8), the
# id (below 10**9), and a last digit carrying the flag wanted (potential 5★, or revoked).
_STAR = 10**18
_DATE = 10**10
_ID = 10


def certificates_on(scope: Scope, day: dt.date) -> QuerySet:
    """The certificates issued by ``day`` of the scope's products (``product_id``, ``id``, ``star``,
    ``issue_date``), each with: ``ok`` (valid on the day), ``pot`` (potential 5★) and ``rev``
    (revoked by the day)."""
    condition = scope.products("product__")
    certificates = Certificate.objects.filter(issue_date__lte=day)
    if condition is None:
        return certificates.none()
    if condition:
        certificates = certificates.filter(condition)
    return (
        certificates.order_by()
        .annotate(
            ok=_one(valid_condition(day)),
            pot=_one(Q(potential_5_star=True)),
            rev=_one(Q(revoked_on__lte=day)),
        )
        .values("product_id", "id", "star", "issue_date", "ok", "pot", "rev")
    )


def products_of(scope: Scope, day: dt.date, *fields: str) -> QuerySet:
    """The scope's products with ``young`` (1: created after the day) and ``fields``."""
    condition = scope.products()
    products = Product.objects.all()
    if condition is None:
        return products.none()
    if condition:
        products = products.filter(condition)
    # Today every product exists: no need to read `created` (the counts then read the
    # registry_product_dash2 index alone, see docs/indexes.md).
    young = _one(Q(created__gte=end_of(day))) if day < today() else Value(0, output_field=IntegerField())
    return products.order_by().annotate(young=young).values("id", "status", "young", *fields)


def per_product_ctes(scope: Scope, day: dt.date, name: str, fields: Sequence[str] = ()) -> tuple[str, list]:
    """``{name}_c AS (…), {name}_s AS (…), {name} AS (…)``: one row per product of the scope that
    existed on ``day``, with ``category`` and ``fields`` (columns of Product). Raises
    EmptyResultSet when the scope sees nothing."""
    certificates_sql, certificates_params = certificates_on(scope, day).query.sql_with_params()
    products_sql, products_params = products_of(scope, day, *fields).query.sql_with_params()
    connection = connections[Product.objects.db]
    qn = connection.ops.quote_name
    columns = "".join(f", p.{qn(field)} AS {qn(field)}" for field in fields)
    # best: the highest star valid on the day, then the latest issued, then the highest id (as
    # CertificateQuerySet.current_for_products orders them); latest: the latest issued, then id.
    issued = qn("issue_date")
    # The issue date as a day number, by each database's own built-in (Django's Extract on SQLite
    # is a Python function called per row).
    if connection.vendor == "postgresql":
        day_number = f"CAST({issued} - DATE '1900-01-01' AS BIGINT)"
    else:
        day_number = f"CAST(julianday({issued}) AS INTEGER)"
    order = f"{day_number} * {_DATE} + CAST({qn('id')} AS BIGINT) * {_ID}"
    sql = (
        f"{name}_c AS ({certificates_sql}),"
        f" {name}_k AS (SELECT {qn('product_id')} AS product_id,"
        f" MAX(CASE WHEN {qn('ok')} = 1 THEN CAST({qn('star')} AS BIGINT) * {_STAR} + {order}"
        f" + {qn('pot')} END) AS best,"
        f" MAX({order} + {qn('rev')}) AS latest"
        f" FROM {name}_c GROUP BY {qn('product_id')}),"
        f" {name}_s AS (SELECT product_id, best / {_STAR} AS star,"
        f" COALESCE(best %% {_ID}, 0) AS pot, latest %% {_ID} AS rev FROM {name}_k),"
        f" {name} AS (SELECT p.{qn('id')} AS id{columns}, CASE"
        f" WHEN p.{qn('status')} = '{_REMOVED}' THEN 'none'"
        " WHEN s.star = 5 THEN '5'"
        " WHEN s.star = 4 AND s.pot = 1 THEN '4p'"
        " WHEN s.star = 4 THEN '4'"
        " WHEN s.star = 3 THEN '3'"
        f" WHEN s.rev = 1 AND p.{qn('status')} <> '{_DISCONTINUED}' THEN 'revoked'"
        " ELSE 'none' END AS category"
        f" FROM ({products_sql}) p LEFT JOIN {name}_s s ON s.product_id = p.{qn('id')}"
        f" WHERE p.{qn('young')} = 0 OR s.product_id IS NOT NULL)"
    )
    return sql, [*certificates_params, *products_params]


def run(sql: str, params: Sequence) -> list[tuple]:
    with connections[Product.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A day no record carries: the stocks' SQL is compiled once with it, then bound to each day.
_SENTINEL = dt.date(1901, 2, 3)


def _binder(scope: Scope, fields: Sequence[str]) -> tuple[str, Callable[[dt.date], list]]:
    """The per-product CTEs of ``scope`` compiled once (``__day__`` in place of their names) and a
    function giving their parameters for a day: compiling the ORM's SQL costs more than running it
    on a province, so the years of a comparison share one compilation."""
    sql, params = per_product_ctes(scope, _SENTINEL, "__day__", fields)
    ops = connections[Product.objects.db].ops
    day_value = ops.adapt_datefield_value(_SENTINEL)
    edge_value = ops.adapt_datetimefield_value(end_of(_SENTINEL))
    positions = [
        (index, "day" if value == day_value else "edge")
        for index, value in enumerate(params)
        if type(value) is type(day_value)
        and value == day_value
        or type(value) is type(edge_value)
        and value == edge_value
    ]

    def bind(day: dt.date) -> list:
        values = {"day": ops.adapt_datefield_value(day), "edge": ops.adapt_datetimefield_value(end_of(day))}
        bound = list(params)
        for index, kind in positions:
            bound[index] = values[kind]
        return bound

    return sql, bind


def stocks(scope: Scope, days: Sequence[dt.date]) -> list[tuple[dict[str, int], int]]:
    """For each day: products by category and the communes with an OCOP product, in one statement."""
    empty = [(dict.fromkeys(CATEGORIES, 0), 0) for _day in days]
    if not days:
        return empty
    try:
        template, bind = _binder(scope, ("commune_id",))
    except EmptyResultSet:
        return empty
    ctes, params, selects = [], [], []
    for index, day in enumerate(days):
        ctes.append(template.replace("__day__", f"d{index}"))
        params += bind(day)
        selects.append(f"SELECT {index}, category, COUNT(*) FROM d{index} GROUP BY category")
        selects.append(
            f"SELECT {index}, 'communes', COUNT(DISTINCT commune_id) FROM d{index}"
            f" WHERE category IN ({_OCOP_SQL})"
        )
    result = empty
    for index, key, count in run("WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects), params):
        counts, communes = result[index]
        if key == "communes":
            result[index] = (counts, count)
        else:
            counts[key] = counts.get(key, 0) + count
    return result


OCOP_SQL = _OCOP_SQL
