"""Benchmark: the product list page and searches at national scale, as ratios to baselines.

    .venv/bin/python bench/product_list.py [--repeat 7] [--keep DIR] [--producers N --products N]

Data: a scratch SQLite database (never var/) with all administrative units, the demo and the
national-scale dataset (34 provinces, 10,000 producers, 20,000 products, certificates 2021–2026).
A central officer (`trunguong`, whole country) asks for:

    /registry/products/            first page (50 rows), sorted by name, with the total count
    /registry/products/?q=gao      search without diacritics ("Gạo …")
    /registry/products/?q=dak      search without diacritics ("Đắk …")
    /registry/products/?q=dong+thap    a province's name, no diacritics (the place's names, issue 12)
    /registry/products/?province=82    one province (its communes only in the filter's drop-down)
    /api/v1/products/?q=gao        the same search through the API (JSON, no HTML form)

Baselines, measured in the same run and interleaved with the operation (pairs):
    page:  the login page (a fixed, minimal page through the same middleware stack), anonymous;
    count: SELECT COUNT(*) of products (the least any list must do).
The ratio is operation ÷ baseline; the median over the repetitions and the spread are printed.
"""

from __future__ import annotations

import json

from _scratch import allow_test_client, database, machine, national, parse_args, start_django, summary, timed


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    directory = start_django(args.keep)
    info = national(args)

    from django.test import Client

    from ocop.accounts.models import User
    from ocop.registry.models import Product

    allow_test_client()  # the test client's "testserver" host, without template instrumentation
    officer = Client()
    officer.force_login(User.objects.get(username="trunguong"))
    anonymous = Client()

    def get(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    results = []
    urls = [
        "/registry/products/",
        "/registry/products/?q=gao",
        "/registry/products/?q=dak",
        "/registry/products/?q=dong+thap",
        "/registry/products/?province=82",
        "/api/v1/products/?q=gao",
    ]
    for url in urls:
        get(officer, url)  # warm caches (templates, SQLite pages) before measuring
        get(anonymous, "/accounts/login/")
        page_base, count_base, operation = [], [], []
        for _i in range(args.repeat):
            page_base += timed(lambda: get(anonymous, "/accounts/login/"), 1)
            count_base += timed(lambda: Product.objects.count(), 1)
            operation += timed(lambda url=url: get(officer, url), 1)
        results.append(summary(f"GET {url} ÷ login page", operation, page_base))
        results.append(summary(f"GET {url} ÷ COUNT(*) products", operation, count_base))

    from ocop.core.text import fold

    report = {
        "machine": machine(),
        "database": database(directory),
        "producers": args.producers,
        "products": Product.objects.count(),
        "matches": {q: Product.objects.filter(search_text__contains=fold(q)).count() for q in ("gao", "dak")},
        **info,
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
