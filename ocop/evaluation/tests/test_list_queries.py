"""The rounds and dossiers lists run the same queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from ocop.evaluation.models import Dossier, Round
from ocop.registry.tests.conftest import communes_of, make_producer, make_product
from ocop.registry.tests.test_list_queries import assert_constant


def test_round_list_query_count_does_not_grow_with_rows(world) -> None:
    provinces = [world.places["hn"], world.places["hcm"]]
    made = {"n": 0}

    def grow(n: int) -> None:
        for _ in range(n):
            made["n"] += 1
            Round.objects.create(
                province=provinces[made["n"] % 2],
                year=2000 + made["n"],
                number=1,
                proposals_by=dt.date(2026, 3, 1),
                closes_by=dt.date(2026, 6, 1),
            )

    assert_constant(world.client("central"), "/evaluation/rounds/", grow)


def test_dossier_list_query_count_does_not_grow_with_rows(world) -> None:
    communes = communes_of(world.places["hn"], 5)

    def grow(n: int) -> None:
        for i in range(n):
            product = make_product(make_producer(communes[i % len(communes)]))
            Dossier.objects.create(product=product, sheet=product.classification_set)

    assert_constant(world.client("central"), "/evaluation/dossiers/", grow)
