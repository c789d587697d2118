"""Benchmark: the dashboard (Tổng quan) of a central and a province officer, as ratios to its raw GROUP BY.

    .venv/bin/python bench/dashboard.py [--repeat 15] [--keep DIR] [--database-url URL]

Data: the national dataset (see _scratch.py: all administrative units, the demo, 10,000 producers,
20,000 products, ~22,000 certificates), on the scratch SQLite or on `--database-url`
(PostgreSQL: VACUUM ANALYZE after the set-up, as autovacuum does after a bulk load).

Operations (signed in through the test client, the whole request: middleware, queries, template):
    GET /  as `trunguong` (central officer, whole country)
    GET /  as `tinh.dongthap` (province officer, Đồng Tháp)
and, for each, `ocop.reports.dashboard.build(user)` alone (the figures without the request and the
template). The queries of one request are counted too.

Baseline, interleaved with each operation (pairs): the raw GROUP BY the dashboard needs, written by
hand in SQL and run on the same connection: valid certificates grouped per product (highest star),
joined to the products of the scope, grouped by province × product set × star — the figure every
other one on the page derives from (for the province officer: its products and their
certificates only). A second baseline, interleaved too, is the login page (anonymous): the least a
page costs through the same middleware — a province's raw GROUP BY (~1 ms) is below that floor.
The ratio is operation ÷ baseline; median, min/max and p95 of the operation over the repetitions
are printed.
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


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 1)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    directory = start_django(args.keep, args.database_url)
    info = national(args)

    from django.db import connection
    from django.test import Client

    from ocop.accounts.models import User
    from ocop.registry.models import Product
    from ocop.reports import dashboard

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    allow_test_client()  # the test client's "testserver" host, without template instrumentation

    anonymous = Client()
    results = []
    for role, username in OFFICERS.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)

        def get(client: Client = client) -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        raw = raw_group_by(None if role == "central" else user.scope_province_id)
        get()  # warm caches (templates, database pages) before measuring
        raw()
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):  # (the test client resets connection.queries)
            get()
        baseline, operation, computation, login = [], [], [], []
        for _i in range(args.repeat):
            baseline += timed(raw, 1)
            operation += timed(get, 1)
            computation += timed(lambda user=user: dashboard.build(user), 1)
            login += timed(lambda: anonymous.get("/accounts/login/"), 1)
        for name, times in (("GET /", operation), ("dashboard.build()", computation)):
            result = summary(f"{name} ({role} officer) ÷ raw GROUP BY", times, baseline)
            result["operation_ms_p95"] = p95(times)
            result["baseline_ms_p95"] = p95(baseline)
            if name == "GET /":
                result["queries"] = len(queries)
            results.append(result)
        results.append(summary(f"GET / ({role} officer) ÷ login page", operation, login))

    report = {
        "machine": machine(),
        "database": database_label(directory),
        "producers": args.producers,
        "products": Product.objects.count(),
        "repeat": args.repeat,
        **info,
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
