"""Product imports in bulk (issue 11.3): units, producers and code counters resolved once per file,
so the number of queries does not grow with the rows or the communes; codes numbered per commune
in file order, continuing the counters, and never handed out twice by concurrent imports."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.geo.models import Level, Structure, Unit
from ocop.registry.models import Producer, Product, ProductCodeCounter

from .conftest import make_producer, make_product
from .test_io import VIETTEL, import_csv, product_row


def _communes(count: int, province: str = "01") -> list[Unit]:
    communes = Unit.objects.filter(
        structure=Structure.CURRENT, level=Level.COMMUNE, current_province__code=province
    ).select_related("current_province")
    found = list(communes.order_by("code")[:count])
    assert len(found) == count
    return found


def _rows(count: int, communes: list[Unit], prefix: str) -> list[dict[str, str]]:
    return [
        product_row(name=f"{prefix} {i}", unit_code=communes[i % len(communes)].code) for i in range(count)
    ]


def _queries(rows: list[dict[str, str]], **kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        result = import_csv("products", rows, **kwargs)
    assert result.ok, result.errors[:3]
    return len(context.captured_queries)


@pytest.fixture
def viettel(db, unit):
    return make_producer(unit("00004"), name="HTX Viettel", tax_code=VIETTEL)


def test_queries_do_not_grow_with_rows_or_communes(db, viettel):
    communes = _communes(60)
    # Each file: new communes (counters created) and communes with counters already.
    small = _queries(_rows(20, communes[:4], "Nhỏ"))
    large = _queries(_rows(200, communes[2:42], "Lớn"))
    assert Product.objects.count() == 220
    assert large == small
    # The dry run (the wizard's preview) is as flat.
    assert _queries(_rows(20, communes, "Thử"), dry_run=True) == _queries(
        _rows(200, communes, "Thử"), dry_run=True
    )


def test_former_units_and_carried_codes_cost_no_query_per_row(db, viettel, unit):
    communes = _communes(30)

    def rows(count: int, prefix: str, year: int) -> list[dict[str, str]]:
        made = _rows(count, communes, prefix)
        for i, row in enumerate(made):
            if i % 3 == 0:  # a former commune, resolved through its successions
                row.update(unit_code="", former_unit_code="00004")
            elif i % 3 == 1:  # a code issued elsewhere, kept
                commune = communes[i % len(communes)]
                row["code"] = f"01-{commune.code}-{500 + i}-{year}"
        return made

    # Both files name communes without a counter yet (creating them is two more queries per file).
    small = _queries(rows(20, "Nhỏ", 2023))
    assert _queries(rows(200, "Lớn", 2024)) == small


def test_codes_follow_each_communes_counter_in_file_order(db, viettel):
    first, second, third = _communes(3)
    ProductCodeCounter.objects.create(commune=first, last=41)
    make_product(viettel, unit=second)  # the form's path: second's counter at 1
    rows = [
        product_row(name="A1", unit_code=first.code),
        product_row(name="B1", unit_code=second.code),
        product_row(name="A2", unit_code=first.code),
        product_row(name="C1", unit_code=third.code),
        product_row(name="B2", unit_code=second.code),
        # A code carried by the file moves its commune's counter past it before new codes are drawn.
        product_row(name="C-kept", unit_code=third.code, code=f"01-{third.code}-7-2023"),
        product_row(name="C2", unit_code=third.code),
    ]
    result = import_csv("products", rows)
    assert result.ok, result.errors
    sequence = {p.name: (p.commune_id, p.code_sequence) for p in Product.objects.all()}
    assert sequence["A1"] == (first.pk, 42) and sequence["A2"] == (first.pk, 43)
    assert sequence["B1"] == (second.pk, 2) and sequence["B2"] == (second.pk, 3)
    assert sequence["C-kept"] == (third.pk, 7)
    assert sequence["C1"] == (third.pk, 8) and sequence["C2"] == (third.pk, 9)
    assert Product.objects.get(name="A1").code.startswith(f"01-{first.code}-42-")
    last = dict(ProductCodeCounter.objects.values_list("commune_id", "last"))
    assert (last[first.pk], last[second.pk], last[third.pk]) == (43, 3, 9)
    # The form continues where the import stopped.
    assert make_product(viettel, unit=third).code_sequence == 10


def test_carried_code_below_the_counter_leaves_it(db, viettel):
    (commune,) = _communes(1)
    ProductCodeCounter.objects.create(commune=commune, last=20)
    rows = [
        product_row(name="Cũ", unit_code=commune.code, code=f"01-{commune.code}-5-2022"),
        product_row(name="Mới", unit_code=commune.code),
    ]
    assert import_csv("products", rows).ok
    assert Product.objects.get(name="Mới").code_sequence == 21
    assert ProductCodeCounter.objects.get(commune=commune).last == 21


def test_former_unit_resolves_through_its_successions(db, viettel, unit):
    """00004 (former) went into one current commune; 00007 (former) split: province only, no code."""
    result = import_csv(
        "products",
        [
            product_row(name="Một", unit_code="", former_unit_code="00004"),
            product_row(name="Hai", unit_code="", former_unit_code="00007"),
        ],
    )
    assert result.ok, result.errors
    one, two = Product.objects.get(name="Một"), Product.objects.get(name="Hai")
    assert one.unit == unit("00004", Structure.FORMER)
    assert one.commune is not None and one.commune.structure == Structure.CURRENT
    assert one.code.startswith(f"01-{one.commune.code}-1-")
    assert two.province.code == "01" and two.commune is None and two.code is None


def test_history_rows_carry_the_user_and_the_file(db, viettel, world):
    user = world.users["admin"]
    result = import_csv("products", _rows(5, _communes(2), "Có lịch sử"), user=user)
    assert result.ok, result.errors
    for product in Product.objects.all():
        (record,) = product.history.all()
        assert record.history_user == user and record.history_type == "+"
        assert record.history_change_reason == "Nhập từ tệp products.csv"
        assert record.code == product.code


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_never_hand_out_the_same_code(unit) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database for concurrent connections")
    make_producer(unit("00004"), name="HTX Viettel", tax_code=VIETTEL)
    communes = _communes(6)
    errors: list[Exception] = []

    def run(index: int) -> None:
        try:
            # Overlapping communes, listed in a different order by each file.
            order = communes[index % 3 :] + communes[: index % 3]
            result = import_csv("products", _rows(30, order[::-1] if index % 2 else order, f"Tệp {index}"))
            assert result.ok, result.errors[:3]
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Product.objects.count() == 120
    for commune in communes:
        sequences = sorted(Product.objects.filter(commune=commune).values_list("code_sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
        assert ProductCodeCounter.objects.get(commune=commune).last == len(sequences)


def test_new_producers_are_written_in_batches_with_their_history(db, world):
    communes = _communes(12)

    def rows(count: int, prefix: str) -> list[dict[str, str]]:
        return [
            {"name": f"Hợp tác xã {prefix} {i}", "producer_type": "HTX", "unit_code": communes[i % 12].code}
            for i in range(count)
        ]

    def queries(made: list[dict[str, str]]) -> int:
        with CaptureQueriesContext(connection) as context:
            result = import_csv("producers", made, user=world.users["admin"])
        assert result.ok, result.errors[:3]
        return len(context.captured_queries)

    assert queries(rows(20, "Nhỏ")) == queries(rows(200, "Lớn"))
    created = Producer.objects.filter(name__startswith="Hợp tác xã Lớn")
    assert created.count() == 200
    producer = created.get(name="Hợp tác xã Lớn 7")
    assert producer.search_text == "hop tac xa lon 7" and producer.commune == communes[7]
    (record,) = producer.history.all()
    assert record.history_user == world.users["admin"]
    assert record.history_change_reason == "Nhập từ tệp producers.csv"


def test_look_ups_are_chunked_within_the_databases_parameter_limit(db, unit, monkeypatch):
    """Large files query in IN lists of IN_CHUNK values (SQLite refuses too many parameters)."""
    monkeypatch.setattr("ocop.registry.io.importer.IN_CHUNK", 2)
    taxes = ["0100109106", "0300588569", "0100112437", "0101248141"]
    producers = [make_producer(unit("00004"), name=f"HTX {i}", tax_code=tax) for i, tax in enumerate(taxes)]
    (named,) = [make_producer(unit("00004"), name="Hộ Lê Văn Tám")]
    existing = make_product(producers[0], name="Đã có")
    rows = [product_row(name=f"Sản phẩm {i}", producer_tax_code=tax) for i, tax in enumerate(taxes)]
    rows.append(product_row(name="Của hộ", producer_tax_code="", producer_name="Hộ Lê Văn Tám"))
    rows.append(product_row(name="Đã có", code=existing.code, producer_tax_code=taxes[0], description="Mới"))
    result = import_csv("products", rows)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (5, 1)
    assert {p.producer_id for p in Product.objects.filter(name__startswith="Sản phẩm")} == {
        p.pk for p in producers
    }
    assert Product.objects.get(name="Của hộ").producer == named
    assert Product.objects.get(pk=existing.pk).description == "Mới"
