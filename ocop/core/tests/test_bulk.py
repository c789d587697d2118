"""ocop.core.bulk writes the rows Django's bulk_create and simple-history's bulk_create_with_history
write (the imports use it), keys included, and falls back to bulk_create where it cannot."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.db.models import Value
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ocop.accounts.models import Role, User
from ocop.core import bulk
from ocop.registry.models import Producer, Product
from ocop.registry.tests.conftest import make_producer

pytestmark = pytest.mark.django_db

# Differ between the two sets written: the keys, the names (and the text made from them), and the
# times auto_now sets at the insert.
SKIPPED = {"id", "name", "legacy_code", "search_text", "sort_key", "created", "updated"}


def _products(producer: Producer, prefix: str, count: int) -> list[Product]:
    products = []
    for index in range(count):
        product = Product(
            name=f"{prefix} Gạo “ST25” <{index}>",
            name_en="Rice",
            producer=producer,
            unit=producer.unit,
            classification_set="B07",
            description="Đặc sản\nvùng Đồng Tháp\t\\N 100% \\",
            legacy_code=f"{prefix}-{index}",
        )
        product.locate()
        product.refresh_search()
        if index == 1:
            product._change_reason = "dòng riêng"
        products.append(product)
    return products


def _row(product: Product) -> dict:
    stored = Product.objects.get(pk=product.pk)
    return {
        field.attname: getattr(stored, field.attname)
        for field in Product._meta.concrete_fields
        if field.attname not in SKIPPED
    }


def _history(product: Product) -> dict:
    record = Product.history.get(id=product.pk)
    values = {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.attname not in {"history_id", "history_date", *SKIPPED}
    }
    return values


@pytest.mark.parametrize("fast", [True, False], ids=["history-from-values", "history-instances"])
def test_rows_and_history_are_those_of_bulk_create_with_history(unit, monkeypatch, fast) -> None:
    if not fast:  # the fallback: a history instance per row (bulk.history_rows)
        monkeypatch.setattr(bulk, "_history_values", lambda *args, **kwargs: None)
    producer = make_producer(unit("00004"))
    user = User.objects.create(username="nhap", role=Role.CENTRAL)
    theirs = _products(producer, "A", 3)
    ours = _products(producer, "B", 3)
    before = timezone.now()
    bulk_create_with_history(theirs, Product, default_user=user, default_change_reason="Nhập từ tệp a.xlsx")
    bulk.insert_with_history(ours, user=user, reason="Nhập từ tệp a.xlsx")
    # Keys set and the objects saved, in order.
    assert [p.pk for p in ours] == sorted(p.pk for p in ours) and all(p.pk for p in ours)
    assert all(not p._state.adding and p._state.db == "default" for p in ours)
    assert [Product.objects.get(pk=p.pk).legacy_code for p in ours] == ["B-0", "B-1", "B-2"]
    for mine, other in zip(ours, theirs, strict=True):
        assert _row(mine) == _row(other)
        assert _history(mine) == _history(other)
        record = Product.history.get(id=mine.pk)
        assert record.history_type == "+" and record.history_user_id == user.pk
        assert record.history_date >= before
    # The reason of an object wins over the default, as in simple-history.
    assert Product.history.get(id=ours[1].pk).history_change_reason == "dòng riêng"
    assert Product.history.get(id=ours[0].pk).history_change_reason == "Nhập từ tệp a.xlsx"
    stored = Product.objects.get(pk=ours[0].pk)
    assert stored.name == "B Gạo “ST25” <0>" and stored.description == "Đặc sản\nvùng Đồng Tháp\t\\N 100% \\"
    assert stored.search_text == ours[0].search_text and stored.sort_key == ours[0].sort_key
    # auto_now and auto_now_add as bulk_create sets them (pre_save), kept on the objects too.
    assert before <= stored.created == ours[0].created and stored.updated == ours[0].updated


def test_batches_within_the_statement_limit_keep_each_key_with_its_row(unit, monkeypatch) -> None:
    producer = make_producer(unit("00004"))
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    products = _products(producer, "C", 5)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(products)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "COPY"))]
    # SQLite: 2 + 2 + 1 rows (PostgreSQL: one COPY of the five, whatever MAX_ROWS).
    assert len(inserts) == (3 if connection.vendor == "sqlite" else 1)
    for product in products:
        assert Product.objects.get(pk=product.pk).legacy_code == product.legacy_code
    # The keys came from the table's own sequence: a product saved afterwards gets a new one.
    (later,) = _products(producer, "C2", 1)
    later.save()
    assert later.pk > max(p.pk for p in products)


def test_an_expression_or_a_set_key_goes_to_bulk_create(unit) -> None:
    producer = make_producer(unit("00004"))
    (product,) = _products(producer, "D", 1)
    product.name_en = Upper(Value("rice"))
    bulk.insert([product])
    assert Product.objects.get(pk=product.pk).name_en == "RICE"
    (again,) = _products(producer, "E", 1)
    again.pk = product.pk + 1000
    bulk.insert([again])
    assert Product.objects.get(pk=product.pk + 1000).legacy_code == "E-0"


def test_history_rows_are_made_from_the_values_written(unit, monkeypatch) -> None:
    # No history instance per row: the history rows reuse the records' prepared values.
    monkeypatch.setattr(bulk, "history_rows", lambda *args, **kwargs: pytest.fail("history instances built"))
    producer = make_producer(unit("00004"))
    products = _products(producer, "G", 2)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_with_history(products, reason="Nhập từ tệp g.xlsx")
    written = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "COPY"))]
    assert len(written) == 2  # the products, then their history rows
    records = Product.history.filter(id__in=[p.pk for p in products]).order_by("id")
    assert [(r.id, r.legacy_code, r.history_type) for r in records] == [
        (p.pk, p.legacy_code, "+") for p in products
    ]
    assert [r.history_change_reason for r in records] == ["Nhập từ tệp g.xlsx", "dòng riêng"]


def test_rows_bulk_create_wrote_get_their_history_too(unit) -> None:
    producer = make_producer(unit("00004"))
    (product,) = _products(producer, "H", 1)
    product.name_en = Upper(Value("rice"))  # an expression: bulk_create writes the row
    bulk.insert_with_history([product], reason="Nhập từ tệp h.xlsx")
    record = Product.history.get(id=product.pk)
    assert record.name_en == "RICE" and record.history_change_reason == "Nhập từ tệp h.xlsx"


@pytest.mark.django_db(transaction=True)
def test_a_failing_batch_leaves_nothing_written(unit, monkeypatch) -> None:
    producer = make_producer(unit("00004"))
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    products = _products(producer, "F", 4)
    # The first statement writes two rows; the second's two rows share a GTIN (unique).
    products[2].gtin = products[3].gtin = "8938505974191"
    with pytest.raises(IntegrityError):
        bulk.insert_with_history(products)
    assert not Product.objects.filter(legacy_code__startswith="F-").exists()
    assert not Product.history.filter(legacy_code__startswith="F-").exists()


def test_nothing_to_insert() -> None:
    assert bulk.insert([]) == [] and bulk.insert_with_history([]) == []
