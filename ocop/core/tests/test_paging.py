"""Pages are read keys first, then the rows of those keys (ocop.core.paging)."""

from __future__ import annotations

from ocop.core.paging import rows_queryset
from ocop.registry import search
from ocop.registry.models import Product
from ocop.registry.tests.conftest import make_producer, make_product, world  # noqa: F401


def test_rows_of_the_keys_are_read_without_a_searchs_conditions(world) -> None:  # noqa: F811
    producer = make_producer(world.places["hn1"])
    rice = [make_product(producer, name=f"Gạo nếp {i}") for i in range(3)]
    make_product(producer, name="Trà sen")
    found = search.search_products(Product.objects.select_related("producer", "province"), "gao nep")
    keys = list(found.values_list("pk", flat=True)[:2])
    rows = rows_queryset(found, keys)
    sql = str(rows.query)
    assert "search_text" not in sql.split("WHERE", 1)[1] and "LIKE" not in sql.split("WHERE", 1)[1]
    assert sorted(row.pk for row in rows) == sorted(keys) and set(keys) <= {p.pk for p in rice}
    assert all(hasattr(row, "search_rank") for row in rows)  # the annotations stay


def test_rows_keep_the_conditions_when_a_join_could_repeat_them(world) -> None:  # noqa: F811
    """A filter across a to-many relation (the product's certificates) joins one row per match:
    there the conditions stay, so a product is never read twice."""
    producer = make_producer(world.places["hn1"])
    product = make_product(producer, name="Gạo nếp")
    queryset = Product.objects.filter(producer__products__name__startswith="Gạo")
    rows = rows_queryset(queryset, [product.pk])
    assert "WHERE" in str(rows.query) and "startswith" not in str(rows.query)
    assert "LIKE" in str(rows.query).split("WHERE", 1)[1]
    assert [row.pk for row in rows] == [product.pk]
