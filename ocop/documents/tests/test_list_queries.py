"""The expiring-evidence list runs the same queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from ocop.core import clock
from ocop.registry.tests.conftest import communes_of, make_producer, make_product
from ocop.registry.tests.test_list_queries import assert_constant

from .conftest import make_document


def test_evidence_list_query_count_does_not_grow_with_rows(world) -> None:
    communes = communes_of(world.places["hn"], 5)
    soon = clock.today() + dt.timedelta(days=20)

    def grow(n: int) -> None:
        for i in range(n):
            producer = make_producer(communes[i % len(communes)])
            product = make_product(producer) if i % 2 else None
            make_document(producer, product, expiry_date=soon, number=f"{i}/GP")

    assert_constant(world.client("central"), "/documents/expiring/", grow)
