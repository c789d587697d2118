"""The public catalogue runs the same queries whatever the number of products on the page."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from ocop.certification.tests.conftest import make_certificate
from ocop.registry.tests.conftest import communes_of, make_producer, make_product
from ocop.registry.tests.test_list_queries import count_queries


def test_catalogue_query_count_does_not_grow_with_rows(world, anonymous) -> None:
    communes = communes_of(world.places["hn"], 5)

    def grow(n: int) -> None:
        for i in range(n):
            product = make_product(make_producer(communes[i % len(communes)]))
            make_certificate(product, issue_date=dt.date(2025, 1, 10), star=3 + i % 3)

    grow(3)
    cache.clear()
    anonymous.get("/san-pham/")
    cache.clear()
    few = count_queries(anonymous, "/san-pham/")
    grow(30)  # more than a page of 24
    cache.clear()
    assert count_queries(anonymous, "/san-pham/") == few
