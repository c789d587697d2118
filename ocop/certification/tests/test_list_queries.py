"""The certificate lists run the same queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.core import clock
from ocop.registry.tests.conftest import communes_of, make_producer, make_product
from ocop.registry.tests.test_list_queries import assert_constant

from .conftest import make_certificate


@pytest.mark.parametrize(
    "url",
    [
        "/evaluation/certificates/",
        "/evaluation/certificates/?status=valid&expiring_within=180",
        "/evaluation/certificates/expiring/",
    ],
)
def test_certificate_lists_query_count_does_not_grow_with_rows(world, url) -> None:
    communes = communes_of(world.places["hn"], 5)
    # Issued almost three years ago: valid today and expiring within the window.
    issued = clock.today() - dt.timedelta(days=3 * 365 - 60)

    def grow(n: int) -> None:
        for i in range(n):
            product = make_product(make_producer(communes[i % len(communes)]))
            make_certificate(product, issue_date=issued, star=3 + i % 2)

    assert_constant(world.client("central"), url, grow)
