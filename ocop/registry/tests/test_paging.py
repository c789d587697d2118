"""Pages read in two steps (the page's keys, then its rows; ocop.core.paging) hold exactly the rows
and the order that slicing the list gives, in the lists and the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import Length

from ocop.core.paging import keys_with_count, page_slice
from ocop.registry.models import Product

from .conftest import communes_of, make_producer, make_product

# The page's keys carry the number of matches (paging.keys_with_count), by database.
CARRIED = "SELECT COUNT(*) FROM PAGING_MATCHES" if connection.vendor == "sqlite" else "COUNT(*) OVER"


@pytest.fixture
def products(world) -> list[Product]:
    communes = communes_of(world.places["hn"], 4)
    made = []
    for i in range(12):
        # Equal names in pairs: the order's tie-break (pk) decides between them.
        producer = make_producer(communes[i % 4], name=f"Hợp tác xã gạo {i % 3}")
        made.append(make_product(producer, name=f"Gạo thơm {i // 2}"))
    return made


@pytest.mark.parametrize(
    "ordering", [("sort_key", "pk"), ("-code_sequence", "-pk"), ("producer__sort_key", "-pk")]
)
def test_page_slice_gives_the_rows_and_order_of_slicing(products, ordering) -> None:
    queryset = (
        Product.objects.with_programme_status()
        .select_related("producer", "province")
        .prefetch_related("images")
        .order_by(*ordering)
    )
    for start, stop in [(0, 5), (5, 10), (10, 20), (30, 40)]:
        expected = list(queryset[start:stop])
        got = page_slice(queryset, start, stop)
        assert [p.pk for p in got] == [p.pk for p in expected]
        assert [p.programme_status for p in got] == [p.programme_status for p in expected]
        assert all(p.producer.name for p in got)


@pytest.mark.parametrize(
    "ordering",
    [
        ("sort_key", "pk"),
        ("-code_sequence", "-pk"),
        ("search_rank", "-name", "pk"),  # an annotation, a descending text column
        (F("name").desc(), "pk"),  # an expression
        ("producer__sort_key", "-pk"),  # across a relation
        ("producer", "pk"),  # a relation: its model's ordering (kept by the window)
        (F("gtin").asc(nulls_last=True), "pk"),  # NULLS LAST (kept by the window)
    ],
)
def test_keys_with_count_are_those_of_slicing_and_count(products, ordering) -> None:
    queryset = Product.objects.annotate(search_rank=Length("name") % 3).order_by(*ordering)
    every = list(queryset.values_list("pk", flat=True))
    for start, stop in [(0, 5), (5, 10), (10, 20)]:
        assert keys_with_count(queryset, start, stop) == (every[start:stop], 12)
    assert keys_with_count(queryset, 30, 40) == ([], None)  # past the end: nothing carries the count
    assert keys_with_count(queryset.filter(pk__in=[]), 0, 5) == ([], None)
    narrowed = queryset.filter(name__startswith="Gạo thơm 1")
    assert keys_with_count(narrowed, 0, 1) == (list(narrowed.values_list("pk", flat=True)[:1]), 2)


def test_page_slice_falls_back_to_slicing_where_keys_would_not_do(products) -> None:
    grouped = Product.objects.values("producer_id").annotate(n=Count("pk")).order_by("producer_id")
    assert list(page_slice(grouped, 0, 3)) == list(grouped[0:3])
    distinct = Product.objects.order_by("name").distinct()
    assert list(page_slice(distinct, 2, 6)) == list(distinct[2:6])


def test_api_pages_join_up_to_the_whole_ranked_search(world, products) -> None:
    client = world.client("central")
    whole = client.get("/api/v1/products/?q=gao&limit=12").json()
    assert whole["count"] == 12
    halves = [
        client.get(f"/api/v1/products/?q=gao&limit=6&offset={offset}").json()["items"] for offset in (0, 6)
    ]
    assert [p["id"] for p in halves[0] + halves[1]] == [p["id"] for p in whole["items"]]


def test_list_pages_join_up_to_the_whole_sorted_list(world, products) -> None:
    client = world.client("central")
    first = client.get("/registry/products/?q=gao&sort=-code").context["table"]
    rows = [row.record.pk for row in first.paginated_rows]
    expected = list(
        first.data.data.values_list("pk", flat=True)[:50]
    )  # the filtered, sorted queryset of the page
    assert rows == expected and len(rows) == 12


def test_a_table_page_reads_its_keys_and_the_count_in_one_statement(products) -> None:
    from django.core.paginator import EmptyPage
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ocop.registry.tables import ProductTable

    queryset = Product.objects.select_related("producer", "province").order_by("sort_key", "pk")
    expected = list(queryset.values_list("pk", flat=True))
    for number, orphans, keys in [(1, 0, expected[0:5]), (2, 0, expected[5:10]), (2, 2, expected[5:12])]:
        table = ProductTable(queryset)
        with CaptureQueriesContext(connection) as queries:
            table.paginate(per_page=5, page=number, orphans=orphans, count_with_keys=True)
            assert [row.record.pk for row in table.page.object_list] == keys
            assert table.paginator.count == 12 and len(table.rows) == 12
        sql = [q["sql"].upper() for q in queries.captured_queries]
        # One statement: on SQLite the matches taken once into a common table, on PostgreSQL a
        # window (paging.keys_with_count); no separate COUNT.
        assert sum(CARRIED in s for s in sql) == 1, sql
        assert not any("COUNT(*) AS" in s and "OVER" not in s for s in sql), sql
    with pytest.raises(EmptyPage):  # past the end: no row carries the count, a COUNT(*) says so
        ProductTable(queryset).paginate(per_page=5, page=4, count_with_keys=True)
    table = ProductTable(queryset)  # without a search: a COUNT(*), then the keys
    with CaptureQueriesContext(connection) as queries:
        table.paginate(per_page=5, page=2)
        assert [row.record.pk for row in table.page.object_list] == expected[5:10]
    assert not any(CARRIED in q["sql"].upper() for q in queries.captured_queries)


def test_a_search_list_reads_its_page_keys_with_the_count(world, products) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("central")
    for url, windowed in [("/registry/products/?q=gao", True), ("/registry/products/", False)]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and response.context["table"].paginator.count == 12
        sql = [q["sql"].upper() for q in queries.captured_queries if "REGISTRY_PRODUCT" in q["sql"].upper()]
        assert any(CARRIED in s for s in sql) is windowed, url
        assert any('COUNT(*) AS "__COUNT" FROM "REGISTRY_PRODUCT"' in s for s in sql) is not windowed, url
