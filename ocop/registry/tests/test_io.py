"""Registry spreadsheet import/export: templates, validation through the models, duplicates, scope,
all-or-nothing files, the export → import round trip, and the `ocop import` / `ocop export` commands."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from ocop.core.tabular import TabularError, read_rows
from ocop.registry import io as registry_io
from ocop.registry.io import PRODUCER_SPEC, PRODUCT_SPEC, export_queryset, import_file, write_template
from ocop.registry.models import Producer, Product, ProductCodeCounter

from .conftest import make_producer, make_product

# Real tax codes with valid check digits (see test_codes.py).
VIETTEL, VINAMILK, VIETCOMBANK, FPT = "0100109106", "0300588569", "0100112437", "0101248141"


def csv_bytes(spec, rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(spec.headers)
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in spec.columns])
    return out.getvalue().encode("utf-8")


def producer_row(**values: str) -> dict[str, str]:
    row = {"name": "Hợp tác xã Mật ong Ba Đình", "producer_type": "HTX", "unit_code": "00004"}
    row.update(values)
    return row


def product_row(**values: str) -> dict[str, str]:
    row = {"name": "Mật ong hoa nhãn", "producer_tax_code": VIETTEL, "classification_set": "B07"}
    row.update(values)
    return row


def import_csv(kind: str, rows: list[dict[str, str]], user=None, **kwargs):
    spec = PRODUCER_SPEC if kind == "producers" else PRODUCT_SPEC
    return import_file(kind, csv_bytes(spec, rows), f"{kind}.csv", user, **kwargs)


# --- template ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["producers", "products"])
def test_template_opens_with_headers_example_and_instructions(db, kind):
    stream = io.BytesIO()
    write_template(kind, stream)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(stream.getvalue()))
    spec = PRODUCER_SPEC if kind == "producers" else PRODUCT_SPEC
    data = workbook.get_sheet_by_index(0).to_python()
    assert data[0] == spec.headers
    assert any(data[1]), "one example row under the header"
    assert "Hướng dẫn" in workbook.sheet_names
    guide = workbook.get_sheet_by_name("Hướng dẫn").to_python()
    text = "\n".join(str(cell) for line in guide for cell in line)
    assert "ngày/tháng/năm" in text
    assert all(str(header) in text for header in spec.headers)


def test_template_has_drop_down_lists_for_coded_columns(db):
    import zipfile

    stream = io.BytesIO()
    write_template("producers", stream)
    with zipfile.ZipFile(io.BytesIO(stream.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<dataValidation ") >= 5  # type, legal form, gender, ethnicity, disability, status
    assert '"HTX,THT,DN_SME,TRANG_TRAI,HO_SX,TOURISM_ORG"' in sheet
    assert '"01,02,03,' in sheet  # the 55 ethnic groups
    products = io.BytesIO()
    write_template("products", products)
    with zipfile.ZipFile(io.BytesIO(products.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '"B01,B02,' in sheet and ',B26"' in sheet


def test_template_example_row_is_importable_shape(db):
    """The template re-read as a file gives the example row keyed by the spec's columns."""
    stream = io.BytesIO()
    write_template("products", stream)
    rows = read_rows(stream.getvalue(), "mau.xlsx")
    assert PRODUCT_SPEC.keyed(rows[0])["classification_set"] == "B07"


# --- producers --------------------------------------------------------------------------------------


def test_import_producers_creates_located_validated_records(db):
    result = import_csv(
        "producers",
        [
            producer_row(tax_code=VIETTEL, registration_date="15/03/2019", representative_ethnicity="01"),
            producer_row(
                name="Hộ Nguyễn Văn B", producer_type="Hộ sản xuất, hộ gia đình có đăng ký kinh doanh"
            ),
        ],
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    first = Producer.objects.get(tax_code=VIETTEL)
    assert first.commune.code == "00004" and first.province.code == "01"
    assert str(first.registration_date) == "2019-03-15"
    assert Producer.objects.get(name="Hộ Nguyễn Văn B").producer_type == "HO_SX"  # label accepted
    assert first.history.first().history_change_reason == "Nhập từ tệp producers.csv"


def test_bad_row_among_good_writes_nothing_and_reports_row_column_value_message(db):
    rows = [producer_row(name=f"HTX {i}") for i in range(5)]
    rows[3]["tax_code"] = "0100109107"  # wrong check digit
    rows[4]["workforce_total"] = "mười"
    result = import_csv("producers", rows)
    assert not result.ok
    assert Producer.objects.count() == 0
    assert (result.created, result.updated) == (0, 0)
    by_row = {e.row: e for e in result.errors}
    assert by_row[5].column == "Mã số thuế" and by_row[5].value == "0100109107"
    assert "kiểm tra" in by_row[5].message
    assert by_row[6].column == "Tổng số lao động" and by_row[6].value == "mười"

    report = io.BytesIO()
    from ocop.core.tabular import write_error_report

    write_error_report(result.errors, report)
    lines = CalamineWorkbook.from_filelike(io.BytesIO(report.getvalue())).get_sheet_by_index(0).to_python()
    assert lines[0] == ["Dòng", "Cột", "Giá trị", "Lỗi"]
    assert [str(v) for v in lines[1][:3]] == ["5", "Mã số thuế", "0100109107"]


def test_model_rules_are_the_ones_applied(db):
    """Model clean(): legal form only for SMEs, local workforce ≤ total, 'other' ethnicity named."""
    result = import_csv(
        "producers",
        [
            producer_row(legal_form="jsc"),
            producer_row(name="B", workforce_total="5", workforce_local="9"),
            producer_row(name="C", representative_ethnicity="99"),
        ],
    )
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "Loại hình doanh nghiệp"),
        (3, "Lao động tại địa phương"),
        (4, "Dân tộc (khác)"),
    }


def test_producer_duplicates_in_file_are_reported(db):
    result = import_csv(
        "producers", [producer_row(tax_code=VIETTEL), producer_row(name="X", tax_code=VIETTEL)]
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "Mã số thuế")]
    assert "dòng 2" in result.errors[0].message


def test_producer_with_existing_tax_code_or_id_is_updated(db, unit):
    existing = make_producer(unit("00004"), name="Tên cũ", tax_code=VIETTEL)
    other = make_producer(unit("00004"), name="Chủ thể khác")
    result = import_csv(
        "producers",
        [producer_row(name="Tên mới", tax_code=VIETTEL), producer_row(id=str(other.pk), name="Khác (sửa)")],
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 2)
    existing.refresh_from_db()
    other.refresh_from_db()
    assert (existing.name, other.name) == ("Tên mới", "Khác (sửa)")
    assert Producer.objects.count() == 2


def test_id_row_cannot_take_another_producers_tax_code(db, unit):
    make_producer(unit("00004"), tax_code=VIETTEL)
    other = make_producer(unit("00004"))
    result = import_csv("producers", [producer_row(id=str(other.pk), tax_code=VIETTEL)])
    assert [e.column for e in result.errors] == ["Mã số thuế"]


def test_dry_run_validates_and_writes_nothing(db):
    result = import_csv("producers", [producer_row()], dry_run=True)
    assert result.ok and result.created == 1 and result.dry_run
    assert result.preview[0]["action"] == "create" and result.preview[0]["row"] == 2
    assert Producer.objects.count() == 0


# --- files the user got wrong -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "fragment"),
    [
        (bytes(range(256)) * 40, "danh-sach.xlsx", "hỏng"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "anh.csv", "CSV"),
        (b"\x00\x01garbage\x02\x03" * 50, "rac.csv", "CSV"),
        (b"", "trong.xlsx", "trống"),
        (b"", "trong.csv", "trống"),
        (b"a,b\n1,2\n", "ds.txt", "không được hỗ trợ"),
    ],
)
def test_unreadable_files_raise_a_vietnamese_error_and_write_nothing(db, content, filename, fragment):
    with pytest.raises(TabularError, match=fragment):
        import_file("producers", content, filename, None)
    assert Producer.objects.count() == 0


def test_missing_required_columns_are_named(db):
    with pytest.raises(TabularError, match="Tên chủ thể"):
        import_file("producers", "Địa chỉ\nxã A\n".encode(), "a.csv", None)
    with pytest.raises(TabularError, match="Tên sản phẩm"):
        import_file("products", "Tên chủ thể\nHTX A\n".encode(), "a.csv", None)


def test_header_only_file_is_an_error(db):
    with pytest.raises(TabularError, match="không có dòng dữ liệu"):
        import_file("producers", csv_bytes(PRODUCER_SPEC, []), "a.csv", None)


# --- addresses --------------------------------------------------------------------------------------


def test_commune_code_takes_precedence_over_address(db):
    result = import_csv("producers", [producer_row(address="Thôn 1, xã Không Có, tỉnh Không Có")])
    assert result.ok, result.errors
    assert Producer.objects.get().commune.code == "00004"


def test_former_unit_code_resolves_to_the_current_commune(db, unit):
    former = unit("00004", "former")
    result = import_csv("producers", [producer_row(unit_code="", former_unit_code="00004")])
    assert result.ok, result.errors
    producer = Producer.objects.get()
    assert producer.unit == former and producer.province.code == "01"


def test_codes_that_lost_their_leading_zeros(db):
    """Excel turns 00004 into 4: accepted when only one unit fits, otherwise an error naming both."""
    result = import_csv("producers", [producer_row(unit_code="4")])
    assert not result.ok and "04 = " in result.errors[0].message and "00004 = " in result.errors[0].message
    result = import_csv("producers", [producer_row(unit_code="0004")])
    assert result.ok, result.errors
    assert Producer.objects.get().unit.code == "00004"


def test_unknown_codes_are_row_errors(db):
    result = import_csv("producers", [producer_row(unit_code="99999"), producer_row(name="B", unit_code="")])
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Mã đơn vị hành chính (hiện hành)"),
        (3, "Mã đơn vị hành chính (hiện hành)"),
    ]


class _FakeCandidate:
    def __init__(self, unit, commune, province, confidence):
        self.unit, self.current_commune, self.current_province = unit, commune, province
        self.confidence, self.explanation = confidence, ""


class _FakeResult:
    def __init__(self, candidates, best):
        self.candidates, self.best, self.ambiguous = candidates, best, best is None
        self.message = "Địa chỉ khớp với nhiều đơn vị." if best is None else ""


def test_free_text_address_is_matched_and_ambiguity_is_an_error_with_suggestions(db, unit, monkeypatch):
    from ocop.geo import matching

    ba_dinh = unit("00004")
    hanoi = unit("01")
    other = unit("00008")

    def fake_match(text, **kwargs):
        if "Ba Đình" in text:
            candidate = _FakeCandidate(ba_dinh, ba_dinh, hanoi, 0.95)
            return _FakeResult([candidate], candidate)
        candidates = [_FakeCandidate(ba_dinh, ba_dinh, hanoi, 0.5), _FakeCandidate(other, other, hanoi, 0.5)]
        return _FakeResult(candidates, None)

    monkeypatch.setattr(matching, "match_address", fake_match)
    result = import_csv(
        "producers",
        [
            producer_row(unit_code="", address="Số 1, phường Ba Đình, Hà Nội"),
            producer_row(name="B", unit_code="", address="Thôn 2, xã Mơ Hồ"),
        ],
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "Địa chỉ")]
    assert "00004" in result.errors[0].message and "00008" in result.errors[0].message
    assert Producer.objects.count() == 0
    result = import_csv("producers", [producer_row(unit_code="", address="Số 1, phường Ba Đình, Hà Nội")])
    assert result.ok and Producer.objects.get().commune == ba_dinh


# --- products ---------------------------------------------------------------------------------------


@pytest.fixture
def viettel(db, unit) -> Producer:
    return make_producer(unit("00004"), name="HTX Viettel", tax_code=VIETTEL)


def test_import_products_assigns_codes_from_the_commune_counter(db, viettel):
    result = import_csv("products", [product_row(), product_row(name="Mật ong rừng", gtin="8934588012228")])
    assert result.ok, result.errors
    products = list(Product.objects.order_by("code_sequence"))
    assert [p.code_sequence for p in products] == [1, 2]
    assert products[0].code.startswith("01-00004-1-")
    assert products[0].commune == viettel.commune  # no place given: the producer's
    assert ProductCodeCounter.objects.get(commune=viettel.commune).last == 2
    assert products[0].history.count() == 1
    # Products created later in the UI continue the same sequence.
    assert make_product(viettel).code_sequence == 3


def test_product_producer_by_name_and_ambiguous_names(db, unit):
    make_producer(unit("00004"), name="Hộ Trần Văn C")
    make_producer(unit("00008"), name="HTX Trùng Tên")
    make_producer(unit("00004"), name="HTX Trùng Tên")
    result = import_csv(
        "products",
        [
            product_row(producer_tax_code="", producer_name="hộ trần văn c"),
            product_row(producer_tax_code="", producer_name="HTX Trùng Tên"),
            product_row(producer_tax_code=VINAMILK),
        ],
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "Tên chủ thể"), (4, "Mã số thuế chủ thể")]
    assert "2 chủ thể cùng tên" in result.errors[0].message


def test_product_duplicates_are_reported_or_updated_by_code(db, viettel):
    existing = make_product(viettel, name="Mật ong hoa nhãn")
    result = import_csv("products", [product_row()])
    assert [e.column for e in result.errors] == ["Tên sản phẩm"]
    assert existing.code in result.errors[0].message

    result = import_csv("products", [product_row(name="Mật ong rừng"), product_row(name="mật ong rừng")])
    assert [(e.row, e.column) for e in result.errors] == [(3, "Tên sản phẩm")]

    result = import_csv("products", [product_row(code=existing.code, packaging="Hũ 250 g")])
    assert result.ok and result.updated == 1
    existing.refresh_from_db()
    assert existing.packaging == "Hũ 250 g"
    assert Product.objects.count() == 1


def test_product_rules_come_from_the_model(db, viettel):
    result = import_csv(
        "products",
        [
            product_row(gtin="8934588012229"),  # wrong check digit
            product_row(name="B", classification_set=""),  # no set and no legacy classification
            product_row(name="C", classification_set="B99"),
            product_row(name="D", legacy_code="83-829"),
            product_row(name="E", code="82-28756-12-1999"),
        ],
    )
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Mã GTIN (mã vạch)"),
        (3, "Bộ sản phẩm"),
        (4, "Bộ sản phẩm"),
        (5, "Mã sản phẩm cũ"),
        (6, "Mã sản phẩm OCOP"),
    ]


def test_gtin_duplicates_in_file_and_database(db, viettel):
    make_product(viettel, name="Có GTIN", gtin="8934588012228")
    result = import_csv("products", [product_row(gtin="8934588012228")])
    assert [e.column for e in result.errors] == ["Mã GTIN (mã vạch)"]
    result = import_csv(
        "products", [product_row(gtin="8934588012235"), product_row(name="B", gtin="8934588012235")]
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "Mã GTIN (mã vạch)")]


def test_gtins_of_the_database_are_looked_up_once_for_the_whole_file(
    db, viettel, django_assert_max_num_queries
):
    holder = make_product(viettel, name="Có GTIN", gtin="8934588012228")
    # The 14-digit form with spaces is the same GTIN.
    rows = [product_row(name=f"Sản phẩm {n}") for n in range(40)]
    rows.append(product_row(name="Khác", gtin="0 8934588012228"))
    with django_assert_max_num_queries(30):  # not one query per row
        result = import_csv("products", rows, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(42, "Mã GTIN (mã vạch)")]
    assert result.errors[0].message == "Mã GTIN 8934588012228 đã được gán cho một sản phẩm khác."
    # The product holding it may keep it.
    result = import_csv("products", [product_row(code=holder.code, name="Có GTIN", gtin="8934588012228")])
    assert result.errors == []


# --- scope ------------------------------------------------------------------------------------------


def test_rows_outside_the_users_scope_are_errors(world):
    hn1, hcm1 = world.places["hn1"], world.places["hcm1"]
    rows = [producer_row(unit_code=hn1.code), producer_row(name="B", unit_code=hcm1.code)]
    result = import_csv("producers", rows, user=world.users["commune_hn1"])
    assert [e.row for e in result.errors] == [3]
    assert "phạm vi" in result.errors[0].message
    assert Producer.objects.count() == 0
    assert import_csv("producers", rows, user=world.users["central"]).ok
    viewer = import_csv(
        "producers", [producer_row(name="C", unit_code=hn1.code)], user=world.users["viewer_hn"]
    )
    assert not viewer.ok


def test_updating_a_record_outside_scope_is_refused(world):
    outside = make_producer(world.places["hcm1"], tax_code=VIETTEL)
    result = import_csv(
        "producers",
        [producer_row(tax_code=VIETTEL, unit_code=world.places["hn1"].code)],
        user=world.users["province_hn"],
    )
    assert not result.ok and "quyền" in result.errors[0].message
    outside.refresh_from_db()
    assert outside.province == world.places["hcm"]


# --- export and round trip --------------------------------------------------------------------------


def _snapshot(model, exclude: set[str]) -> list[dict]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
    return sorted(
        (dict(zip(fields, values, strict=True)) for values in model.objects.values_list(*fields)), key=str
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_into_an_empty_registry_gives_the_same_records(db, unit, fmt):
    hanoi_commune, dong_thap = unit("00004"), unit("82")
    former = unit("00004", "former")
    a = make_producer(
        hanoi_commune,
        name="Công ty Cổ phần Ví Dụ",
        producer_type="DN_SME",
        legal_form="jsc",
        community_capital_share="51.50",
        tax_code=VIETTEL,
        registration_date="2019-03-15",
        representative_name="Nguyễn Thị D",
        representative_gender="female",
        representative_ethnicity="99",
        representative_ethnicity_other="Người Pháp",
        representative_disability=True,
        address="Số 1, Ba Đình",
        phone="024 1234 5678",
        email="vidu@example.vn",
        workforce_total=30,
        workforce_local=12,
    )
    b = make_producer(former, name="Hộ Lê Văn E", producer_type="HO_SX", status="suspended")
    c = make_producer(dong_thap, name="Trang trại Đồng Tháp", producer_type="TRANG_TRAI", tax_code=VINAMILK)
    make_product(
        a,
        name='Nước mắm; "đặc biệt", 40°N',
        gtin="8934588012228",
        story="Dòng 1\nDòng 2",
        name_en="Fish sauce",
    )
    make_product(
        a,
        name="Mật ong",
        classification_set="",
        legacy_classification="Thực phẩm / Chế biến từ thủy, hải sản",
        legacy_code="83-829-28780-3-2022",
    )
    make_product(b, name="Bánh tráng", status="recognised", unit=unit("00008"))
    make_product(c, name="Xoài cát", packaging="Thùng 10 kg")

    producer_fields = {"id", "created", "updated"}
    product_fields = {"id", "producer_id", "created", "updated"}
    producers_before = _snapshot(Producer, producer_fields)
    products_before = _snapshot(Product, product_fields)
    product_producers = sorted(Product.objects.values_list("name", "code", "producer__name"))
    assert sum(1 for p in products_before if p["code"]) == 3  # the province-level product has none

    producers_file, products_file = io.BytesIO(), io.BytesIO()
    export_queryset("producers", Producer.objects.all(), producers_file, fmt)
    export_queryset("products", Product.objects.all(), products_file, fmt)

    Product.objects.all().delete()
    Producer.objects.all().delete()
    ProductCodeCounter.objects.all().delete()

    first = import_file("producers", producers_file.getvalue(), f"producers.{fmt}", None)
    assert first.ok, first.errors
    second = import_file("products", products_file.getvalue(), f"products.{fmt}", None)
    assert second.ok, second.errors
    assert _snapshot(Producer, producer_fields) == producers_before
    assert _snapshot(Product, product_fields) == products_before
    assert sorted(Product.objects.values_list("name", "code", "producer__name")) == product_producers
    # The counters moved past the imported codes: the next product gets a fresh number.
    newcomer = make_product(Producer.objects.get(tax_code=VIETTEL), name="Mới")
    assert newcomer.code_sequence == 3


def test_export_reimported_into_the_same_registry_updates_in_place(db, viettel):
    make_product(viettel)
    stream = io.BytesIO()
    export_queryset("products", Product.objects.all(), stream, "xlsx")
    result = import_file("products", stream.getvalue(), "products.xlsx", None)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert result.preview[0]["action"] == "unchanged"
    product = Product.objects.get()
    assert product.history.count() == 1  # an unchanged row writes nothing, not even history


ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tX", "\rX"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_like_names_are_harmless_in_the_file_and_round_trip(db, unit, fmt):
    """CSV cells a spreadsheet would run get the OWASP quote, XLSX cells are typed text; either
    way the import gives back the original values (a "+84" phone number too)."""
    commune = unit("00004")
    producers = [
        make_producer(commune, name=name, phone="+84 912 345 678", address="'=quoted")
        for name in ['=HYPERLINK("http://x","y")', "@SUM(A1)"]
    ]
    for producer, name in zip(producers * 3, ATTACKS, strict=True):
        make_product(producer, name=name)
    producer_fields = {"id", "created", "updated"}
    product_fields = {"id", "producer_id", "created", "updated"}
    producers_before = _snapshot(Producer, producer_fields)
    products_before = _snapshot(Product, product_fields)

    producers_file, products_file = io.BytesIO(), io.BytesIO()
    export_queryset("producers", Producer.objects.all(), producers_file, fmt)
    export_queryset("products", Product.objects.all(), products_file, fmt)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(products_file.getvalue().decode("utf-8-sig"), newline="")))
        names = [row[PRODUCT_SPEC.headers.index(str(PRODUCT_SPEC.column("name").header))] for row in rows[1:]]
        assert sorted(names) == sorted("'" + name for name in ATTACKS)
        rows = list(csv.reader(io.StringIO(producers_file.getvalue().decode("utf-8-sig"), newline="")))
        header = rows[0]
        assert {row[header.index(str(PRODUCER_SPEC.column("phone").header))] for row in rows[1:]} == {
            "'+84 912 345 678"
        }
        assert {row[header.index(str(PRODUCER_SPEC.column("address").header))] for row in rows[1:]} == {
            "''=quoted"
        }
    else:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(products_file.getvalue())).get_sheet_by_index(0)
        cells = sheet.to_python()
        names = [
            row[PRODUCT_SPEC.headers.index(str(PRODUCT_SPEC.column("name").header))] for row in cells[1:]
        ]
        assert sorted(names) == sorted(ATTACKS)  # text cells, no quote, no formula
        with zipfile.ZipFile(io.BytesIO(products_file.getvalue())) as archive:
            assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()

    Product.objects.all().delete()
    Producer.objects.all().delete()
    ProductCodeCounter.objects.all().delete()
    first = import_file("producers", producers_file.getvalue(), f"producers.{fmt}", None)
    assert first.ok, first.errors
    second = import_file("products", products_file.getvalue(), f"products.{fmt}", None)
    assert second.ok, second.errors
    assert _snapshot(Producer, producer_fields) == producers_before
    # Every product as it was, except that the import drops the spaces around a value (as always):
    # the tab and the carriage return before "X" go.
    spaced = {"search_text", "sort_key", "name"}
    assert _snapshot(Product, product_fields | spaced) == _snapshot_of(products_before, spaced)
    assert sorted(Product.objects.values_list("name", flat=True)) == sorted(n.strip() for n in ATTACKS)
    assert [p for p in _snapshot(Product, product_fields) if p["name"] != "X"] == [
        p for p in products_before if p["name"].strip() != "X"
    ]


def _snapshot_of(rows: list[dict], exclude: set[str]) -> list[dict]:
    return sorted(({k: v for k, v in row.items() if k not in exclude} for row in rows), key=str)


# --- speed ------------------------------------------------------------------------------------------


def test_import_of_many_product_rows_uses_bulk_queries(db, viettel, django_assert_max_num_queries):
    rows = [product_row(name=f"Sản phẩm {i}") for i in range(300)]
    with django_assert_max_num_queries(40):
        result = import_csv("products", rows)
    assert result.ok, result.errors[:3]
    assert Product.objects.count() == 300
    assert len(set(Product.objects.values_list("code", flat=True))) == 300


# --- commands ---------------------------------------------------------------------------------------


def test_cli_import_export_and_exit_codes(db, tmp_path: Path, unit, capsys):
    good = tmp_path / "chu-the.csv"
    good.write_bytes(csv_bytes(PRODUCER_SPEC, [producer_row(tax_code=VIETTEL)], delimiter=";"))
    call_command("import", "producers", str(good))
    assert Producer.objects.count() == 1

    bad = tmp_path / "san-pham.csv"
    bad.write_bytes(csv_bytes(PRODUCT_SPEC, [product_row(), product_row(name="B", gtin="123")]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "products", str(bad))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Dòng 3" in err and "Mã GTIN" in err
    report = tmp_path / "san-pham.csv.loi.xlsx"
    assert report.exists()
    assert Product.objects.count() == 0
    custom = tmp_path / "bao-cao.xlsx"
    with pytest.raises(SystemExit):
        call_command("import", "products", str(bad), "--errors", str(custom))
    assert custom.exists()

    with pytest.raises(CommandError, match="trống"):
        empty = tmp_path / "trong.xlsx"
        empty.write_bytes(b"")
        call_command("import", "producers", str(empty))

    out = tmp_path / "xuat.xlsx"
    call_command("export", "producers", str(out))
    assert read_rows(out, out.name)[0]["Mã số thuế"] == VIETTEL
    with pytest.raises(CommandError):
        call_command("export", "producers", str(tmp_path / "xuat.pdf"))


def test_cli_dry_run_and_as_user(db, tmp_path: Path, world):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes(PRODUCER_SPEC, [producer_row(unit_code=world.places["hcm1"].code)]))
    call_command("import", "producers", str(path), "--dry-run")
    assert Producer.objects.count() == 0
    with pytest.raises(SystemExit):
        call_command("import", "producers", str(path), "--as", "commune_hn1")
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command("import", "producers", str(path), "--as", "nobody")
    call_command("import", "producers", str(path), "--as", "commune_hcm1")
    assert Producer.objects.get().history.first().history_user == world.users["commune_hcm1"]


def test_large_import_timing(db, viettel, capsys):
    """Not an assertion on speed (shared CI machines vary); prints the time for the report."""
    rows = [product_row(name=f"Sản phẩm {i}", gtin="") for i in range(2000)]
    data = csv_bytes(PRODUCT_SPEC, rows)
    start = time.perf_counter()
    result = import_file("products", data, "lon.csv", None)
    elapsed = time.perf_counter() - start
    assert result.ok
    print(f"2000 product rows imported in {elapsed:.2f}s")
    assert registry_io.BATCH_SIZE > 1


# --- published provincial lists: names only, households, former classifications ---------------------


def _guide_marks(kind: str) -> dict[str, str]:
    stream = io.BytesIO()
    write_template(kind, stream)
    guide = CalamineWorkbook.from_filelike(io.BytesIO(stream.getvalue())).get_sheet_by_name("Hướng dẫn")
    return {str(line[0]): str(line[1]) for line in guide.to_python() if len(line) > 1}


def test_template_marks_each_column_as_the_importer_enforces_it(db):
    """Blank one column of a valid row: refused exactly when the template says the column is needed."""
    make_producer(_unit("00004"), name="Hợp tác xã Mật ong Ba Đình", tax_code=VIETTEL)
    marks = _guide_marks("products")
    full = product_row(producer_name="Hợp tác xã Mật ong Ba Đình", legacy_classification="Thực phẩm")
    for column in PRODUCT_SPEC.columns:
        blanked = {**full, column.key: ""}
        errors = import_csv("products", [blanked], dry_run=True).errors
        if column.required:
            assert marks[column.header] == "Có" and errors, column.header
        else:
            assert not errors, (column.header, [str(e) for e in errors])
            assert marks[column.header] in ("", str(column.when))
    for key, other in (
        ("classification_set", "legacy_classification"),
        ("producer_name", "producer_tax_code"),
    ):
        header = PRODUCT_SPEC.column(key).header
        assert marks[header].startswith("Khi không có")
        assert import_csv("products", [{**full, key: "", other: ""}], dry_run=True).errors, key
    producer_marks = _guide_marks("producers")
    assert producer_marks[PRODUCER_SPEC.column("name").header] == "Có"
    assert producer_marks[PRODUCER_SPEC.column("producer_type").header].startswith("Khi tên")
    assert producer_marks[PRODUCER_SPEC.column("tax_code").header] == ""


def _unit(code: str):
    from ocop.geo.models import Unit

    return Unit.objects.get(structure="current", code=code)


def test_producer_type_is_read_from_the_name_when_the_list_has_none(db):
    result = import_csv(
        "producers",
        [
            {"name": "HTX Nông nghiệp Mỹ Hiệp", "unit_code": "00004"},
            {"name": "Công ty TNHH Thực phẩm Sa Đéc", "unit_code": "00004"},
            {"name": "Hộ kinh doanh Nguyễn Thị Hồng", "unit_code": "00004", "household_id": "087199001234"},
            {"name": "Cơ sở sản xuất bánh phồng Út Hậu", "unit_code": "00004"},
            {"name": "Tổ hợp tác Rau an toàn", "unit_code": "00004"},
        ],
    )
    assert result.ok, [str(e) for e in result.errors]
    types = dict(Producer.objects.values_list("name", "producer_type"))
    assert types == {
        "HTX Nông nghiệp Mỹ Hiệp": "HTX",
        "Công ty TNHH Thực phẩm Sa Đéc": "DN_SME",
        "Hộ kinh doanh Nguyễn Thị Hồng": "HO_SX",
        "Cơ sở sản xuất bánh phồng Út Hậu": "HO_SX",
        "Tổ hợp tác Rau an toàn": "THT",
    }
    assert Producer.objects.get(producer_type="DN_SME").legal_form == "llc"
    result = import_csv("producers", [{"name": "Mật ong Bảy Núi", "unit_code": "00004"}])
    assert [e.column for e in result.errors] == ["Loại hình chủ thể"]
    assert "không cho biết loại hình" in result.errors[0].message


def test_household_number_identifies_the_producer(db):
    household = make_producer(
        _unit("00004"), name="Hộ kinh doanh Lê Văn Tư", producer_type="HO_SX", household_id="001087123456"
    )
    # The producer file updates it by its number; the product file finds it by the same number.
    result = import_csv(
        "producers",
        [{"name": "Hộ kinh doanh Lê Văn Tư", "household_id": "001 087 123 456", "phone": "0912 345 678"}],
    )
    assert result.ok and result.updated == 1, [str(e) for e in result.errors]
    result = import_csv("products", [product_row(producer_tax_code="001087123456")])
    assert result.ok, [str(e) for e in result.errors]
    assert Product.objects.get().producer == household
    bad = import_csv(
        "producers",
        [{"name": "Hộ Ba", "producer_type": "HO_SX", "unit_code": "00004", "household_id": "003087123456"}],
    )
    assert [e.column for e in bad.errors] == ["Số đăng ký hộ kinh doanh / CCCD"]


def test_former_classification_is_checked_against_the_published_lists(db):
    make_producer(_unit("00004"), tax_code=VIETTEL)
    result = import_csv(
        "products",
        [
            product_row(name="Khô cá lóc", classification_set="", legacy_classification="Ngành Thực phẩm"),
            product_row(name="Trà mãng cầu", classification_set="", legacy_classification="Đồ uống / Chè"),
            product_row(name="Chiếu cói", classification_set="", legacy_classification="Đồ dùng"),
        ],
    )
    assert [(e.row, e.column) for e in result.errors] == [(4, "Phân loại cũ")]
    assert "QĐ 1048/QĐ-TTg" in result.errors[0].message
    result = import_csv(
        "products",
        [
            product_row(name="Khô cá lóc", classification_set="", legacy_classification="Ngành Thực phẩm"),
            product_row(name="Trà mãng cầu", classification_set="", legacy_classification="Đồ uống / Chè"),
        ],
    )
    assert result.ok
    assert set(Product.objects.values_list("legacy_classification", flat=True)) == {
        "Thực phẩm",
        "Đồ uống / Chè",
    }


def test_producer_name_shared_by_two_producers_is_resolved_by_the_place(db):
    here = make_producer(_unit("00004"), name="HTX Nông nghiệp Tân Tiến")
    make_producer(_unit("00008"), name="HTX Nông nghiệp Tân Tiến")
    result = import_csv(
        "products",
        [product_row(producer_tax_code="", producer_name="HTX Nông nghiệp Tân Tiến", unit_code="00004")],
    )
    assert result.ok, [str(e) for e in result.errors]
    assert Product.objects.get().producer == here
    result = import_csv(
        "products", [product_row(name="Khác", producer_tax_code="", producer_name="HTX Nông nghiệp Tân Tiến")]
    )
    assert "cùng tên" in result.errors[0].message
