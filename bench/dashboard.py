"""Benchmark: the dashboard (Tổng quan) and the statistics API of a central and a province officer,
as ratios to the raw GROUP BY they need.

    .venv/bin/python bench/dashboard.py [--repeat 15] [--keep DIR] [--database-url URL] [--day DD/MM/YYYY]

Data: the national dataset (see _scratch.py: all administrative units, the demo, 10,000 producers,
20,000 products, ~22,000 certificates), on the scratch SQLite or on `--database-url`
(PostgreSQL: VACUUM ANALYZE after the set-up, as autovacuum does after a bulk load).

Operations (signed in through the test client, the whole request: middleware, queries, template):
    GET /                                as `trunguong` (central officer, whole country)
    GET /                                as `tinh.dongthap` (province officer, Đồng Tháp)
and, for each, `ocop.reports.dashboard.build(user)` alone (the figures without the request and the
template); then, as of a past day (`--day`, default 31/12 of last year):
    GET /?date=<day>                     the dashboard as of that day, with its years table
    GET /api/v1/statistics/?date=<day>   the same figures as JSON (Bearer token)
    dashboard.figures(scope, day, year)  the statistics alone
The queries of one request are counted too.

Baselines of the first two, interleaved with each operation: (1) the raw SQL of today's figures as
the dashboard shows them, written by hand and run on the same connection: the certificates issued
by today ranked per product by window functions (best valid, latest issued), joined to the scope's
products, grouped by province × product set × status × star × potential 5★ × revoked (the six
categories: 3★, 4★, 4★ tiềm năng 5★, 5★, revoked, none), and the scope's producers grouped by type
with those holding a valid certificate; (2) for information, the raw GROUP BY of the dashboard
before issue 14 (highest valid star per product, grouped by province × product set × star), which
cannot tell the new categories apart; (3) the login page (anonymous): the least a page costs
through the same middleware — a province's raw SQL (1–5 ms) is below that floor, and the home page
also carries the work queue and the oversight cards, which are not figures.

Baseline of the past-day operations: the raw SQL the figures need, written by hand and run on the
same connection: for the day and each year end of the years table (five years and the one before,
for the change), the certificates issued by then ranked per product by window functions (the best
valid one, the latest issued), joined to the products of the scope that existed then, grouped by
province × product set × star × potential 5★ × revoked; one pass over the scope's certificates
(LAG/LEAD per product) counting each year's new, re-evaluated, upgraded, expired and revoked
certificates; and the day's producers by type (as in the first baseline). The ratio is
operation ÷ baseline; median, min/max and p95 of the operation over the repetitions are printed.
"""

from __future__ import annotations

import datetime as dt
import json

from _scratch import (
    allow_test_client,
    database_label,
    machine,
    national,
    parse_args,
    start_django,
    summary,
    timed,
)

RAW = """
SELECT p.province_id, p.classification_set, v.star, COUNT(*)
FROM registry_product p
LEFT JOIN (
    SELECT c.product_id, MAX(c.star) AS star
    FROM evaluation_certificate c
    LEFT JOIN evaluation_certificate s ON s.id = c.superseded_by_id
    WHERE c.issue_date <= %s AND (c.expiry >= %s OR c.extended_until >= %s)
      AND (c.revoked_on IS NULL OR c.revoked_on > %s)
      AND (c.superseded_by_id IS NULL OR s.issue_date > %s)
      {certificates_in_scope}
    GROUP BY c.product_id
) v ON v.product_id = p.id
{products_in_scope}
GROUP BY p.province_id, p.classification_set, v.star
"""

OFFICERS = {"central": "trunguong", "province": "tinh.dongthap"}

# One day's products by star category, as an analyst would write it (the past-day baseline).
RAW_DAY = """
WITH c AS (
    SELECT c.product_id, c.star, c.potential_5_star, c.revoked_on, c.issue_date, c.id,
           CASE WHEN (c.expiry >= %s OR c.extended_until >= %s)
                 AND (c.revoked_on IS NULL OR c.revoked_on > %s)
                 AND (c.superseded_by_id IS NULL OR s.issue_date > %s) THEN 1 ELSE 0 END AS ok
    FROM evaluation_certificate c
    LEFT JOIN evaluation_certificate s ON s.id = c.superseded_by_id
    WHERE c.issue_date <= %s {certificates_in_scope}
), r AS (
    SELECT product_id, star, potential_5_star, revoked_on, ok,
           ROW_NUMBER() OVER (
               PARTITION BY product_id ORDER BY ok DESC, star DESC, issue_date DESC, id DESC
           ) AS best,
           ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY issue_date DESC, id DESC) AS latest
    FROM c
), v AS (
    SELECT product_id,
           MAX(CASE WHEN best = 1 AND ok = 1 THEN star END) AS star,
           MAX(CASE WHEN best = 1 AND ok = 1 AND potential_5_star THEN 1 ELSE 0 END) AS pot,
           MAX(CASE WHEN latest = 1 AND revoked_on <= %s THEN 1 ELSE 0 END) AS rev
    FROM r GROUP BY product_id
)
SELECT p.province_id, p.classification_set, p.status, v.star, v.pot, v.rev, COUNT(*)
FROM registry_product p
LEFT JOIN v ON v.product_id = p.id
WHERE (p.created < %s OR v.product_id IS NOT NULL) {products_in_scope}
GROUP BY p.province_id, p.classification_set, p.status, v.star, v.pot, v.rev
"""

# The producers of the scope on a day by type, and those with a valid certificate (both baselines).
RAW_PRODUCERS = """
SELECT pr.producer_type, COUNT(*),
       SUM(CASE WHEN pr.id IN (
           SELECT p.producer_id FROM evaluation_certificate c
           JOIN registry_product p ON p.id = c.product_id
           LEFT JOIN evaluation_certificate s ON s.id = c.superseded_by_id
           WHERE c.issue_date <= %s AND (c.expiry >= %s OR c.extended_until >= %s)
             AND (c.revoked_on IS NULL OR c.revoked_on > %s)
             AND (c.superseded_by_id IS NULL OR s.issue_date > %s)
             AND p.status <> 'removed' {certificates_in_scope}
       ) THEN 1 ELSE 0 END)
FROM registry_producer pr
WHERE pr.status <> 'dissolved' {producers_in_scope}
  AND (pr.created < %s OR pr.id IN (
      SELECT p.producer_id FROM evaluation_certificate c
      JOIN registry_product p ON p.id = c.product_id
      WHERE c.issue_date <= %s {certificates_in_scope}
  ))
GROUP BY pr.producer_type
"""


def _day_bounds(province_id: int | None, day: dt.date) -> tuple[dt.datetime, list[object]]:
    """The first instant after ``day`` (records created before it existed then) and the scope's
    parameter (none for the whole country)."""
    from django.utils import timezone

    created_before = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return created_before, [province_id] if province_id else []


def raw_producers(province_id: int | None, day: dt.date) -> tuple[str, list[object]]:
    """The producers' GROUP BY of ``day`` (the country, or one province's own producers)."""
    created_before, scope = _day_bounds(province_id, day)
    sql = RAW_PRODUCERS.format(
        certificates_in_scope="AND p.producer_id IN (SELECT id FROM registry_producer WHERE province_id = %s)"
        if province_id
        else "",
        producers_in_scope="AND pr.province_id = %s" if province_id else "",
    )
    return sql, [day] * 5 + scope + scope + [created_before, day] + scope


def raw_day(province_id: int | None, day: dt.date) -> tuple[str, list[object]]:
    """One day's products by star category (RAW_DAY) for the country or one province."""
    created_before, scope = _day_bounds(province_id, day)
    sql = RAW_DAY.format(
        certificates_in_scope="AND c.product_id IN (SELECT id FROM registry_product WHERE province_id = %s)"
        if province_id
        else "",
        products_in_scope="AND p.province_id = %s" if province_id else "",
    )
    return sql, [day] * 5 + scope + [day, created_before] + scope


def raw_today(province_id: int | None):
    """The hand-written SQL of today's figures as the dashboard shows them: products by the six
    star categories (RAW_DAY) and producers by type (RAW_PRODUCERS), as a callable."""
    from django.db import connection
    from django.utils import timezone

    day = timezone.localdate()
    statements = [raw_day(province_id, day), raw_producers(province_id, day)]

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


# Each year's flows in one pass over the certificates (the past-day baseline).
RAW_FLOWS = """
WITH w AS (
    SELECT c.star, c.issue_date, c.revoked_on,
           CASE WHEN c.extended_until > c.expiry THEN c.extended_until ELSE c.expiry END AS lapse,
           ROW_NUMBER() OVER (PARTITION BY c.product_id ORDER BY c.issue_date, c.id) AS n,
           LAG(c.star) OVER (PARTITION BY c.product_id ORDER BY c.issue_date, c.id) AS previous_star,
           LEAD(c.issue_date) OVER (PARTITION BY c.product_id ORDER BY c.issue_date, c.id) AS next_issue
    FROM evaluation_certificate c {certificates_in_scope}
)
SELECT {columns} FROM w
"""


def raw_group_by(province_id: int | None):
    """The hand-written GROUP BY for the whole country or one province, as a callable."""
    from django.db import connection
    from django.utils import timezone

    day: dt.date = timezone.localdate()
    params: list[object] = [day] * 5
    if province_id is None:
        sql = RAW.format(certificates_in_scope="", products_in_scope="")
    else:
        sql = RAW.format(
            certificates_in_scope="AND c.product_id IN"
            " (SELECT id FROM registry_product WHERE province_id = %s)",
            products_in_scope="WHERE p.province_id = %s",
        )
        params += [province_id, province_id]

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def raw_past_figures(province_id: int | None, day: dt.date, year: int):
    """The hand-written SQL of the figures as of ``day`` and of the years table up to ``year``."""
    from django.db import connection
    from django.utils import timezone

    from ocop.reports.statistics import year_end

    days = [day, *(year_end(y) for y in range(year - 5, year + 1))]
    statements = [raw_day(province_id, when) for when in days]
    statements.append(raw_producers(province_id, day))
    columns, params = [], []
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for y in range(year - 5, year + 1):
        start, end = dt.date(y, 1, 1), year_end(y)
        columns += [
            "SUM(CASE WHEN issue_date BETWEEN %s AND %s AND n = 1 THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN issue_date BETWEEN %s AND %s AND n > 1 THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN issue_date BETWEEN %s AND %s AND n > 1 AND star > previous_star"
            " THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN lapse BETWEEN %s AND %s AND (revoked_on IS NULL OR revoked_on > lapse)"
            " AND (next_issue IS NULL OR next_issue > lapse) THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN revoked_on BETWEEN %s AND %s THEN 1 ELSE 0 END)",
        ]
        params += [start, end, start, end, start, end, start, min(end, yesterday), start, end]
    flows_sql = RAW_FLOWS.format(
        columns=", ".join(columns),
        certificates_in_scope="WHERE c.product_id IN (SELECT id FROM registry_product WHERE province_id = %s)"
        if province_id
        else "",
    )
    statements.append((flows_sql, ([province_id] if province_id else []) + params))

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, statement_params in statements:
                cursor.execute(sql, statement_params)
                cursor.fetchall()

    return run


def count_queries(call) -> int:
    """The statements one call runs (the test client resets connection.queries)."""
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return len(queries)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 1)


def _options(parser) -> None:
    parser.add_argument(
        "--day",
        metavar="DD/MM/YYYY",
        help="the past day of the dashboard and the API (default: 31/12 of last year)",
    )


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], _options)
    directory = start_django(args.keep, args.database_url)
    info = national(args)

    from django.db import connection
    from django.test import Client

    from ocop.accounts.models import ApiToken, User
    from ocop.registry.models import Product
    from ocop.reports import dashboard, statistics

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    allow_test_client()  # the test client's "testserver" host, without template instrumentation

    anonymous = Client()
    day = statistics.parse_day(args.day) if args.day else dt.date(statistics.parse_day("").year - 1, 12, 31)
    results = []
    for role, username in OFFICERS.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)

        def get(client: Client = client) -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        province_id = None if role == "central" else user.scope_province_id
        raw = raw_group_by(province_id)
        today_raw = raw_today(province_id)
        get()  # warm caches (templates, database pages) before measuring
        raw()
        today_raw()
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):  # (the test client resets connection.queries)
            get()
        # An audited write (a product of the scope saved again, as an officer's edit) changes the
        # data cache's stamp: the next page counts everything again (the cache missed).
        touched = Product.objects.filter(**({"province_id": province_id} if province_id else {})).first()
        touched.save()
        missed_queries = count_queries(get)
        user.save()
        elsewhere_queries = count_queries(get)
        baseline, today_baseline, operation, computation, login = [], [], [], [], []
        missed, elsewhere = [], []
        for _i in range(args.repeat):
            baseline += timed(raw, 1)
            today_baseline += timed(today_raw, 1)
            operation += timed(get, 1)
            computation += timed(lambda user=user: dashboard.build(user), 1)
            login += timed(lambda: anonymous.get("/accounts/login/"), 1)
            # A change the figures are not counted from (an account saved): the work queue and the
            # cards are counted again, the figures kept.
            user.save()
            elsewhere += timed(get, 1)
            touched.save()
            missed += timed(get, 1)
        for name, times in (
            ("GET /", operation),
            ("GET / after a write the figures do not read (an account saved)", elsewhere),
            ("GET / after a write (data cache missed)", missed),
            ("dashboard.build()", computation),
        ):
            for label, base in (
                ("raw SQL of today's figures (six categories, producers)", today_baseline),
                ("raw GROUP BY of the old dashboard (highest star)", baseline),
            ):
                result = summary(f"{name} ({role} officer) ÷ {label}", times, base)
                result["operation_ms_p95"] = p95(times)
                result["baseline_ms_p95"] = p95(base)
                if name == "GET /":
                    result["queries"] = len(queries)
                elif name.startswith("GET / after a write the figures"):
                    result["queries"] = elsewhere_queries
                elif name.startswith("GET /"):
                    result["queries"] = missed_queries
                results.append(result)
        results.append(summary(f"GET / ({role} officer) ÷ login page", operation, login))

        # As of a past day: the page, the API and the figures alone, to the raw SQL they need.
        _token, key = ApiToken.issue(user, name="bench")
        api_client = Client(headers={"Authorization": f"Bearer {key}"})
        query = {"date": day.strftime("%d/%m/%Y")}
        scope = statistics.Scope.of_user(user)

        def past_page(client: Client = client, query: dict = query) -> None:
            response = client.get("/", query)
            assert response.status_code == 200, response.status_code

        def past_api(api_client: Client = api_client, query: dict = query) -> None:
            response = api_client.get("/api/v1/statistics/", query)
            assert response.status_code == 200, response.status_code

        raw_past = raw_past_figures(None if role == "central" else user.scope_province_id, day, day.year)
        past_page()
        past_api()
        raw_past()
        counts = {"page": count_queries(past_page), "api": count_queries(past_api)}
        touched.save()
        counts["page missed"] = count_queries(past_page)
        touched.save()
        counts["api missed"] = count_queries(past_api)
        baseline, page, api, computation, page_missed, api_missed = [], [], [], [], [], []
        for _i in range(args.repeat):
            touched.save()
            page_missed += timed(past_page, 1)
            touched.save()
            api_missed += timed(past_api, 1)
            past_page()  # the page's entries under the stamp of the API's write, not timed
            baseline += timed(raw_past, 1)
            page += timed(past_page, 1)
            api += timed(past_api, 1)
            computation += timed(lambda scope=scope: dashboard.figures(scope, day, day.year), 1)
        for name, times, queries_of in (
            (f"GET /?date={query['date']}", page, counts["page"]),
            (
                f"GET /?date={query['date']} after a write (data cache missed)",
                page_missed,
                counts["page missed"],
            ),
            (f"GET /api/v1/statistics/?date={query['date']}", api, counts["api"]),
            (
                f"GET /api/v1/statistics/?date={query['date']} after a write (data cache missed)",
                api_missed,
                counts["api missed"],
            ),
            ("dashboard.figures(scope, day, year)", computation, None),
        ):
            result = summary(f"{name} ({role} officer) ÷ raw SQL of the figures", times, baseline)
            result["operation_ms_p95"] = p95(times)
            result["baseline_ms_p95"] = p95(baseline)
            if queries_of is not None:
                result["queries"] = queries_of
            results.append(result)

    report = {
        "machine": machine(),
        "database": database_label(directory),
        "producers": args.producers,
        "products": Product.objects.count(),
        "repeat": args.repeat,
        "day": day.isoformat(),
        **info,
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
