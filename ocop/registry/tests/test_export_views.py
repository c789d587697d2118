"""List export (?export=xlsx|csv): the current filters, the user's scope, the import template's
columns, a dated folded file name, and a query count that does not grow with the rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ocop.registry.io import PRODUCER_SPEC, PRODUCT_SPEC, product_export_spec

from .conftest import World, make_producer, make_product


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def xlsx_rows(response) -> list[list[str]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(body(response)))
    return [[str(cell) for cell in row] for row in workbook.get_sheet_by_index(0).to_python()]


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def column(rows: list[list[str]], spec, key: str) -> list[str]:
    index = spec.headers.index(str(spec.column(key).header))
    return [row[index] for row in rows[1:]]


@pytest.fixture
def registry(world: World) -> dict:
    hn1, hn2, hcm1 = (world.places[k] for k in ("hn1", "hn2", "hcm1"))
    producers = {
        "hn1": make_producer(hn1, name="Hợp tác xã Mật ong Ba Vì"),
        "hn1b": make_producer(hn1, name="Hộ kinh doanh Chè Đỗ Quyên"),
        "hn2": make_producer(hn2, name="Hợp tác xã Gốm Bát Tràng"),
        "hcm1": make_producer(hcm1, name="Công ty Nước mắm Cần Giờ"),
    }
    products = {
        "honey": make_product(producers["hn1"], name="Mật ong hoa nhãn"),
        "tea": make_product(producers["hn1b"], name="Chè búp khô"),
        "pottery": make_product(producers["hn2"], name="Bình gốm men lam", classification_set="B19"),
        "fish_sauce": make_product(producers["hcm1"], name="Nước mắm cốt"),
    }
    return {"producers": producers, "products": products}


def test_commune_officer_exports_only_their_commune(world: World, registry: dict) -> None:
    response = world.client("commune_hn1").get(reverse("registry:product_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="san-pham-{today}.xlsx"'
    rows = xlsx_rows(response)
    # The import template's columns (the file re-imports), then the status from the certificates.
    assert rows[0] == product_export_spec().headers
    assert rows[0][: len(PRODUCT_SPEC.headers)] == PRODUCT_SPEC.headers
    assert rows[0][-1] == "Tình trạng hiện tại (theo giấy chứng nhận)"
    assert sorted(column(rows, PRODUCT_SPEC, "name")) == ["Chè búp khô", "Mật ong hoa nhãn"]
    assert set(column(rows, PRODUCT_SPEC, "code")) == {
        registry["products"]["honey"].code,
        registry["products"]["tea"].code,
    }

    producers = xlsx_rows(
        world.client("commune_hn1").get(reverse("registry:producer_list"), {"export": "xlsx"})
    )
    assert producers[0] == PRODUCER_SPEC.headers
    assert sorted(column(producers, PRODUCER_SPEC, "name")) == [
        "Hộ kinh doanh Chè Đỗ Quyên",
        "Hợp tác xã Mật ong Ba Vì",
    ]


def test_export_keeps_the_filters_csv(world: World, registry: dict) -> None:
    client = world.client("province_hn")
    # Search without diacritics, as on the page: only the matching producer of Hà Nội.
    response = client.get(reverse("registry:producer_list"), {"q": "mat ong", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="chu-the-{today}.csv"'
    rows = csv_rows(response)
    assert rows[0] == PRODUCER_SPEC.headers
    assert column(rows, PRODUCER_SPEC, "name") == ["Hợp tác xã Mật ong Ba Vì"]

    # A unit filter and a classification filter together.
    response = client.get(
        reverse("registry:product_list"),
        {"commune": world.places["hn2"].code, "classification_set": "B19", "export": "csv"},
    )
    assert column(csv_rows(response), PRODUCT_SPEC, "name") == ["Bình gốm men lam"]
    # Without filters the province officer gets their province, never Hồ Chí Minh's products.
    names = column(
        csv_rows(client.get(reverse("registry:product_list"), {"export": "csv"})), PRODUCT_SPEC, "name"
    )
    assert sorted(names) == ["Bình gốm men lam", "Chè búp khô", "Mật ong hoa nhãn"]


def test_export_of_an_out_of_scope_filter_is_empty(world: World, registry: dict) -> None:
    # Asking for another province's commune cannot widen the scope: the filter choice is refused.
    response = world.client("commune_hn1").get(
        reverse("registry:product_list"), {"commune": world.places["hcm1"].code, "export": "xlsx"}
    )
    assert response.status_code == 200
    assert xlsx_rows(response) == [product_export_spec().headers]


def test_export_access(world: World, registry: dict, client) -> None:
    url = reverse("registry:product_list")
    # Anonymous: to the login page, no file.
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    # Unknown format: 404, not a server error.
    assert world.client("province_hn").get(url, {"export": "pdf"}).status_code == 404
    # Read-only roles export what they may see.
    rows = xlsx_rows(world.client("council_hn").get(url, {"export": "xlsx"}))
    assert len(rows) == 4


def test_list_pages_link_exports_with_current_filters(world: World, registry: dict) -> None:
    client = world.client("province_hn")
    page = client.get(reverse("registry:product_list"), {"q": "mat ong", "page": "1", "sort": "name"})
    links = dict(page.context["export_links"])
    assert set(links) == {"xlsx", "csv"}
    assert "q=mat+ong" in links["xlsx"] and "export=xlsx" in links["xlsx"] and "sort=name" in links["xlsx"]
    assert "page=" not in links["xlsx"]
    html = page.content.decode()
    assert 'data-export="csv"' in html
    assert "core/js/export-links.js" in html
    # Import buttons only for roles that may add.
    assert reverse("registry:import", args=["products"]) in html
    viewer_page = world.client("viewer_hn").get(reverse("registry:producer_list")).content.decode()
    assert reverse("registry:import", args=["producers"]) not in viewer_page
    assert 'data-export="xlsx"' in viewer_page


def test_export_query_count_does_not_grow_with_rows(world: World, django_assert_max_num_queries) -> None:
    client = world.client("province_hn")
    client.get(reverse("registry:producer_list"))  # warm the session

    def populate(n: int) -> None:
        for _ in range(n):
            producer = make_producer(world.places["hn1"])
            make_product(producer)

    populate(2)
    budgets = {}
    for name in ("registry:producer_list", "registry:product_list"):
        with django_assert_max_num_queries(20) as counted:
            body(client.get(reverse(name), {"export": "xlsx"}))
        budgets[name] = len(counted.captured_queries)
    populate(10)
    for name, before in budgets.items():
        with django_assert_max_num_queries(before):
            response = client.get(reverse(name), {"export": "csv"})
            assert len(csv_rows(response)) == 13


ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tX", "\rX"]


def test_list_exports_neutralise_formula_like_names(world: World) -> None:
    producer = make_producer(world.places["hn1"], name="=1+1")
    for name in ATTACKS:
        make_product(producer, name=name)
    client = world.client("province_hn")
    csv_file = csv_rows(client.get(reverse("registry:product_list"), {"export": "csv"}))
    assert sorted(column(csv_file, PRODUCT_SPEC, "name")) == sorted("'" + name for name in ATTACKS)
    assert column(csv_file, PRODUCT_SPEC, "producer_name") == ["'=1+1"] * len(ATTACKS)
    producers = csv_rows(client.get(reverse("registry:producer_list"), {"export": "csv"}))
    assert column(producers, PRODUCER_SPEC, "name") == ["'=1+1"]
    # XLSX: typed text cells holding the names as they are.
    response = client.get(reverse("registry:product_list"), {"export": "xlsx"})
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(body(response)))
    cells = workbook.get_sheet_by_index(0).to_python()
    names = [row[PRODUCT_SPEC.headers.index(str(PRODUCT_SPEC.column("name").header))] for row in cells[1:]]
    assert sorted(names) == sorted(ATTACKS) and all(isinstance(name, str) for name in names)
