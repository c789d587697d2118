"""Benchmark: every list page named in issue 11 and its search, as ratios to the login page.

    .venv/bin/python bench/lists.py [--repeat 20] [--keep DIR] [--database-url URL] [--check]

Data: the national dataset (bench/_scratch.py `national()`: all administrative units, the demo,
10,000 producers, 20,000 products, ~22,000 certificates) on a scratch SQLite database, or on
`--database-url` (PostgreSQL). A central officer (`trunguong`, whole country) asks for the first
page (50 rows, the generic lists' page size; `limit=50` for the API) of:

    /registry/products/                     and ?q=gao, ?q=dak+lak ("Đắk Lắk", no diacritics),
                                            ?q=dong+thap (a province's name: the place's names),
                                            ?q=ca ("cá": a two-letter syllable, which no trigram
                                            index serves; a third of the products hold "ca")
    /registry/producers/                    and ?q=hop+tac+xa ("Hợp tác xã", a third of them)
    /evaluation/certificates/?status=valid&expiring_within=180     and the same with &q=gao
    /api/v1/products/?q=gao&limit=50        and ?q=gao (the API's default page of 100)

Baseline, measured in the same run and interleaved with the operation (pairs): the login page,
anonymous (a fixed, minimal page through the same middleware stack). Per URL: the median ratio
operation ÷ baseline with its spread, the p95 and median absolute times, and the raw times.
Goals (issue 11): a list page ≤ 15× the login page (median) and p95 < 100 ms; the API ≤ 5× and
p95 < 50 ms (absolute times hold on a quiet machine only). `--check` exits non-zero when a goal is
missed.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys

from _scratch import allow_test_client, database, machine, national, parse_args, start_django, summary, timed

LISTS = [
    "/registry/products/",
    "/registry/products/?q=gao",
    "/registry/products/?q=dak+lak",
    "/registry/products/?q=dong+thap",
    "/registry/products/?q=ca",
    "/registry/producers/",
    "/registry/producers/?q=hop+tac+xa",
    "/evaluation/certificates/?status=valid&expiring_within=180",
    "/evaluation/certificates/?status=valid&expiring_within=180&q=gao",
]
API = [
    "/api/v1/products/?q=gao&limit=50",
    "/api/v1/products/?q=gao",
]
# (median ratio to the login page, p95 in ms)
GOALS = {"list": (15.0, 100.0), "api": (5.0, 50.0)}


def p95(times: list[float]) -> float:
    """95th percentile (inclusive: interpolated between the observed times, never beyond the max)."""
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def arguments():
    def extra(parser) -> None:
        parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
        parser.set_defaults(repeat=20)

    return parse_args(__doc__.splitlines()[0], extra)


def main() -> None:
    args = arguments()
    directory = start_django(args.keep)
    info = national(args)

    from django.test import Client

    from ocop.accounts.models import User
    from ocop.certification.models import Certificate
    from ocop.registry.models import Producer, Product

    allow_test_client()  # the test client's "testserver" host, without template instrumentation
    officer = Client()
    officer.force_login(User.objects.get(username="trunguong"))
    anonymous = Client()

    def get(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    results = []
    for url in LISTS + API:
        kind = "api" if url in API else "list"
        for _i in range(2):  # warm caches (templates, database pages) before measuring
            get(officer, url)
            get(anonymous, "/accounts/login/")
        # As `ocop serve` does before its workers start: what is loaded by now is never scanned by
        # the cyclic garbage collector again (its full passes over the whole heap made 2 to 4 of 30
        # requests twice as slow).
        gc.collect()
        gc.freeze()
        baseline, operation = [], []
        for _i in range(args.repeat):
            baseline += timed(lambda: get(anonymous, "/accounts/login/"), 1)
            operation += timed(lambda url=url: get(officer, url), 1)
        row = summary(f"GET {url} ÷ login page", operation, baseline)
        ratio_goal, p95_goal = GOALS[kind]
        row["p95_ms"] = round(p95(operation) * 1000, 1)
        row["goal"] = f"≤ {ratio_goal:g}× login page, p95 < {p95_goal:g} ms"
        row["ratio_goal_met"] = row["ratio_median"] <= ratio_goal
        row["p95_goal_met"] = row["p95_ms"] < p95_goal
        results.append(row)

    report = {
        "machine": machine(),
        "database": database(directory),
        "producers": Producer.objects.count(),
        "products": Product.objects.count(),
        "certificates": Certificate.objects.count(),
        "repeat": args.repeat,
        **info,
        "summary": [
            {
                "url": row["name"].removeprefix("GET ").removesuffix(" ÷ login page"),
                "ratio_median": row["ratio_median"],
                "p95_ms": row["p95_ms"],
                "median_ms": row["operation_ms_median"],
                "goal_met": row["ratio_goal_met"] and row["p95_goal_met"],
            }
            for row in results
        ],
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.check and not all(r["ratio_goal_met"] and r["p95_goal_met"] for r in results):
        sys.exit("goal missed (see ratio_goal_met / p95_goal_met)")


if __name__ == "__main__":
    main()
