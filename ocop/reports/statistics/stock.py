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
from collections.abc import Sequence
from typing import Any

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


def _order(connection: Any) -> str:
    """SQL of a certificate's rank without its star and flag: the issue date as a day number, then
    the id. The day number by each database's own built-in (Django's Extract on SQLite is a Python
    function called per row)."""
    qn = connection.ops.quote_name
    issued = qn("issue_date")
    if connection.vendor == "postgresql":
        day_number = f"CAST({issued} - DATE '1900-01-01' AS BIGINT)"
    else:
        day_number = f"CAST(julianday({issued}) AS INTEGER)"
    return f"{day_number} * {_DATE} + CAST({qn('id')} AS BIGINT) * {_ID}"


def _category(status: str, star: str, pot: str, rev: str) -> str:
    """SQL of the category (module docstring) from a product's status and its best valid
    certificate's star and potential flag, and whether its latest issued was revoked."""
    return (
        f"CASE WHEN {status} = '{_REMOVED}' THEN 'none'"
        f" WHEN {star} = 5 THEN '5'"
        f" WHEN {star} = 4 AND {pot} = 1 THEN '4p'"
        f" WHEN {star} = 4 THEN '4'"
        f" WHEN {star} = 3 THEN '3'"
        f" WHEN {rev} = 1 AND {status} <> '{_DISCONTINUED}' THEN 'revoked'"
        " ELSE 'none' END"
    )


def per_product_ctes(scope: Scope, day: dt.date, name: str, fields: Sequence[str] = ()) -> tuple[str, list]:
    """``{name}_c AS (…), {name}_s AS (…), {name} AS (…)``: one row per product of the scope that
    existed on ``day``, with ``category``, ``issued`` (1: a certificate was issued to it by the
    day) and ``fields`` (columns of Product). Raises EmptyResultSet when the scope sees nothing."""
    certificates_sql, certificates_params = certificates_on(scope, day).query.sql_with_params()
    products_sql, products_params = products_of(scope, day, *fields).query.sql_with_params()
    connection = connections[Product.objects.db]
    qn = connection.ops.quote_name
    columns = "".join(f", p.{qn(field)} AS {qn(field)}" for field in fields)
    # best: the highest star valid on the day, then the latest issued, then the highest id (as
    # CertificateQuerySet.current_for_products orders them); latest: the latest issued, then id.
    order = _order(connection)
    status = f"p.{qn('status')}"
    sql = (
        f"{name}_c AS ({certificates_sql}),"
        f" {name}_k AS (SELECT {qn('product_id')} AS product_id,"
        f" MAX(CASE WHEN {qn('ok')} = 1 THEN CAST({qn('star')} AS BIGINT) * {_STAR} + {order}"
        f" + {qn('pot')} END) AS best,"
        f" MAX({order} + {qn('rev')}) AS latest"
        f" FROM {name}_c GROUP BY {qn('product_id')}),"
        f" {name}_s AS (SELECT product_id, best / {_STAR} AS star,"
        f" COALESCE(best %% {_ID}, 0) AS pot, latest %% {_ID} AS rev FROM {name}_k),"
        f" {name} AS (SELECT p.{qn('id')} AS id{columns},"
        f" {_category(status, 's.star', 's.pot', 's.rev')} AS category,"
        " CASE WHEN s.product_id IS NULL THEN 0 ELSE 1 END AS issued"
        f" FROM ({products_sql}) p LEFT JOIN {name}_s s ON s.product_id = p.{qn('id')}"
        f" WHERE p.{qn('young')} = 0 OR s.product_id IS NOT NULL)"
    )
    return sql, [*certificates_params, *products_params]


def run(sql: str, params: Sequence) -> list[tuple]:
    with connections[Product.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def days_ctes(
    scope: Scope, days: Sequence[dt.date], fields: Sequence[str] = (), rows_of: int | None = None
) -> tuple[str, list]:
    """``d_c AS (…), d_k AS (…), d AS (…)``: the per-product rows of `per_product_ctes` for every
    day at once, from one pass over the scope's certificates: column ``cat{i}`` is the product's
    category on ``days[i]``, NULL when it did not exist then; ``commune_id`` and ``fields``
    (columns of Product). With ``rows_of`` (an index of ``days``), also ``pp AS (…)``: the rows
    `per_product_ctes(scope, days[rows_of], "pp", fields)` gives (``category``, ``issued``,
    ``fields``), for a snapshot counted in the same statement as the days' stocks. Raises
    EmptyResultSet when the scope sees nothing."""
    of_certificates, of_products = scope.products("product__"), scope.products()
    if of_certificates is None or of_products is None:
        raise EmptyResultSet
    certificates = Certificate.objects.filter(issue_date__lte=max(days))
    products = Product.objects.all()
    if of_certificates:
        certificates = certificates.filter(of_certificates)
    if of_products:
        products = products.filter(of_products)
    flags: dict[str, Any] = {"pot": _one(Q(potential_5_star=True))}
    for index, day in enumerate(days):  # as certificates_on: issued, valid, revoked by the day
        flags[f"iss{index}"] = _one(Q(issue_date__lte=day))
        flags[f"ok{index}"] = _one(valid_condition(day))
        flags[f"rev{index}"] = _one(Q(revoked_on__lte=day))
    certificates = (
        certificates.order_by().annotate(**flags).values("product_id", "id", "star", "issue_date", *flags)
    )
    young = {  # as products_of
        f"young{index}": _one(Q(created__gte=end_of(day)))
        if day < today()
        else Value(0, output_field=IntegerField())
        for index, day in enumerate(days)
    }
    columns = ["commune_id", *(field for field in fields if field != "commune_id")]
    products = products.order_by().annotate(**young).values("id", "status", *columns, *young)
    certificates_sql, certificates_params = certificates.query.sql_with_params()
    products_sql, products_params = products.query.sql_with_params()
    connection = connections[Product.objects.db]
    qn = connection.ops.quote_name
    best, latest, categories = [], [], []
    issued = (
        f", CASE WHEN k.latest{rows_of} IS NULL THEN 0 ELSE 1 END AS issued{rows_of}"
        if rows_of is not None
        else ""
    )
    for index in range(len(days)):
        best.append(
            f"MAX(CASE WHEN {qn(f'ok{index}')} = 1 THEN CAST({qn('star')} AS BIGINT) * {_STAR} + o"
            f" + {qn('pot')} END) AS best{index}"
        )
        latest.append(
            f"MAX(CASE WHEN {qn(f'iss{index}')} = 1 THEN o + {qn(f'rev{index}')} END) AS latest{index}"
        )
        category = _category(
            f"p.{qn('status')}",
            f"k.best{index} / {_STAR}",
            f"COALESCE(k.best{index} %% {_ID}, 0)",
            f"k.latest{index} %% {_ID}",
        )
        existed = f"p.{qn(f'young{index}')} = 0 OR k.latest{index} IS NOT NULL"
        categories.append(f"CASE WHEN {existed} THEN {category} END AS cat{index}")
    sql = (
        # Each certificate's rank computed once (o), not once per day: julianday() per row and day
        # was most of the pass on SQLite.
        f"d_c AS MATERIALIZED (SELECT c.*, {_order(connection)} AS o FROM ({certificates_sql}) c),"
        f" d_k AS (SELECT {qn('product_id')} AS product_id, {', '.join(best + latest)}"
        f" FROM d_c GROUP BY {qn('product_id')}),"
        f" d AS MATERIALIZED (SELECT {', '.join(f'p.{qn(c)} AS {qn(c)}' for c in columns)},"
        f" {', '.join(categories)}{issued}"
        f" FROM ({products_sql}) p LEFT JOIN d_k k ON k.product_id = p.{qn('id')})"
    )
    if rows_of is not None:
        chosen = "".join(f", {qn(field)}" for field in fields)
        sql += (
            f", pp AS (SELECT cat{rows_of} AS category, issued{rows_of} AS issued{chosen}"
            f" FROM d WHERE cat{rows_of} IS NOT NULL)"
        )
    return sql, [*certificates_params, *products_params]


def stocks(scope: Scope, days: Sequence[dt.date]) -> list[tuple[dict[str, int], int]]:
    """For each day: products by category and the communes with an OCOP product, in one statement
    that reads the scope's certificates once whatever the number of days (`days_ctes`; the years'
    table of the whole country, seven year ends: SQLite 259 → 173 ms, PostgreSQL 231 → 140 ms, one
    pass per day before). test_statistics holds it to the certification app's rules."""
    result = empty_stocks(len(days))
    if not days:
        return result
    try:
        ctes, params = days_ctes(scope, days)
    except EmptyResultSet:
        return result
    selects = stock_selects(range(len(days)))
    for index, key, count in run("WITH " + ctes + " " + " UNION ALL ".join(selects), params):
        add_stock_row(result, index, key, count)
    return result


def empty_stocks(count: int) -> list[tuple[dict[str, int], int]]:
    return [(dict.fromkeys(CATEGORIES, 0), 0) for _day in range(count)]


def stock_selects(indexes: Sequence[int], lead: str = "", pad: str = "") -> list[str]:
    """SELECTs over `days_ctes`'s ``d``: for each day index, ``index, category, count`` rows and
    one ``index, 'communes', communes with an OCOP product`` row (`add_stock_row` reads them).
    ``lead`` and ``pad``: columns before and after the index, to share a UNION with other rows."""
    selects = []
    for index in indexes:
        selects.append(
            f"SELECT {lead}{index}{pad}, cat{index}, COUNT(*) FROM d WHERE cat{index} IS NOT NULL"
            f" GROUP BY cat{index}"
        )
        selects.append(
            f"SELECT {lead}{index}{pad}, 'communes', COUNT(DISTINCT commune_id) FROM d"
            f" WHERE cat{index} IN ({_OCOP_SQL})"
        )
    return selects


def add_stock_row(result: list[tuple[dict[str, int], int]], index: int, key: str, count: int) -> None:
    counts, communes = result[index]
    if key == "communes":
        result[index] = (counts, count)
    else:
        counts[key] = counts.get(key, 0) + count


OCOP_SQL = _OCOP_SQL
