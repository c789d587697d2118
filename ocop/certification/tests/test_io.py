"""History import: decisions and certificates from a spreadsheet, all or nothing, idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from ocop.certification import io as history
from ocop.certification.models import AuthorityLevel, Certificate, CertificateStatus, Decision
from ocop.core.tabular import TabularError, read_rows
from ocop.registry.models import Product
from ocop.registry.tests.conftest import make_producer, make_product

from .conftest import TODAY

pytestmark = pytest.mark.django_db

HEADERS = {c.key: str(c.header) for c in history.HISTORY_SPEC.columns}


def csv_file(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS.values())
    for row in rows:
        writer.writerow([row.get(key, "") for key in HEADERS])
    return out.getvalue().encode("utf-8")


def row(product: Product, **values: str) -> dict[str, str]:
    base = {
        "product_code": product.code,
        "star": "4",
        "decision_number": "55/QĐ-UBND",
        "decision_date": "10/01/2025",
        "authority": "UBND thành phố Hà Nội",
        "issue_date": "10/01/2025",
    }
    base.update(values)
    return base


def test_acceptance_expired_and_valid_histories(products) -> None:
    old, recent = products["hn1"], products["hn2"]
    result = history.import_file(
        csv_file(
            row(old, decision_number="12/QĐ-UBND", decision_date="10/01/2023", issue_date="10/01/2023"),
            row(recent, certificate_number="GCN 0123"),
        ),
        "lich-su.csv",
        None,
    )
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated) == (2, 0)
    expired = Certificate.objects.get(product=old)
    assert expired.legal_basis == "QD1048+781"  # in force on 10/01/2023 (148 took effect 24/02/2023)
    assert expired.status_on(TODAY) == CertificateStatus.EXPIRED
    valid = Certificate.objects.get(product=recent)
    assert (valid.star, valid.expiry, valid.number) == (4, dt.date(2028, 1, 10), "GCN 0123")
    assert valid.status_on(TODAY) == CertificateStatus.VALID
    stars = dict(Product.objects.with_current_star(TODAY).values_list("pk", "current_star"))
    assert stars[old.pk] is None and stars[recent.pk] == 4
    assert valid.decision.authority_level == AuthorityLevel.PROVINCE
    assert valid.history.first().history_change_reason.startswith("Nhập lịch sử")


def test_one_bad_row_rejects_the_whole_file(products) -> None:
    result = history.import_file(
        csv_file(
            row(products["hn1"]),
            row(products["hn2"], star="2"),
            row(products["hcm1"], decision_date="31/02/2025"),
        ),
        "lich-su.csv",
        None,
    )
    assert not result.ok and result.created == 0
    assert not Certificate.objects.exists() and not Decision.objects.exists()
    by_row = {(e.row, e.column): e for e in result.errors}
    assert by_row[(3, "Hạng sao")].value == "2"
    assert "1–2 sao" in by_row[(3, "Hạng sao")].message
    assert "Ngày không hợp lệ" in by_row[(4, "Ngày quyết định")].message
    assert str(by_row[(3, "Hạng sao")]).startswith("Dòng 3, cột “Hạng sao”")


def test_reimport_updates_never_duplicates(products) -> None:
    data = csv_file(row(products["hn1"]), row(products["hn2"]))
    first = history.import_file(data, "a.csv", None)
    second = history.import_file(
        csv_file(row(products["hn1"], star="3"), row(products["hn2"])), "a.csv", None
    )
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 1, 1)
    assert Certificate.objects.count() == 2 and Decision.objects.count() == 1  # one decision, two products
    assert Certificate.objects.get(product=products["hn1"]).star == 3
    codes_before = set(Certificate.objects.values_list("code", flat=True))
    history.import_file(data, "a.csv", None)
    assert set(Certificate.objects.values_list("code", flat=True)) == codes_before
    unchanged = Certificate.objects.get(product=products["hn2"])
    assert unchanged.history.count() == 1  # re-imports that change nothing write no history
    again = history.import_file(data, "a.csv", None, dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert {p["action"] for p in again.preview} == {"unchanged"}


def test_ocop_import_history_command(tmp_path, products) -> None:
    from django.core.management import call_command

    path = tmp_path / "lich-su.csv"
    path.write_bytes(csv_file(row(products["hn1"])))
    call_command("import", "history", str(path))
    assert Certificate.objects.get().product == products["hn1"]


def test_duplicate_rows_in_a_file_are_reported(products) -> None:
    result = history.import_file(csv_file(row(products["hn1"]), row(products["hn1"])), "a.csv", None)
    assert [e.row for e in result.errors] == [3]
    assert "Trùng với dòng 2" in result.errors[0].message


def test_legacy_code_district_decision_and_inferred_level(world) -> None:
    producer = make_producer(world.places["hn1"], tax_code="0100109106")
    legacy = make_product(producer, legacy_code="83-829-28780-3-2022")
    named = make_product(producer, name="Mật ong hoa nhãn")
    result = history.import_file(
        csv_file(
            {
                "product_code": "83-829-28780-3-2022",
                "star": "3",
                "decision_number": "1887/QĐ-UBND",
                "decision_date": "16/06/2025",
                "authority": "UBND huyện Đắk Song",
            },
            {
                "producer_tax_code": "0100109106",
                "product_name": "mật ong hoa NHÃN",
                "star": "4 sao - tiềm năng 5 sao",
                "decision_number": "77/QĐ-UBND",
                "decision_date": "02/03/2021",
                "authority": "UBND thành phố Hà Nội",
                "legal_basis": "QĐ 1048 sửa đổi bởi 781",
            },
        ),
        "cu.csv",
        None,
    )
    assert result.ok, [str(e) for e in result.errors]
    district = Certificate.objects.select_related("decision").get(product=legacy)
    assert district.decision.authority_level == AuthorityLevel.DISTRICT
    assert (district.legal_basis, district.issue_date, district.expiry) == (
        "QD148",
        dt.date(2025, 6, 16),
        dt.date(2028, 6, 16),
    )
    potential = Certificate.objects.get(product=named)
    assert potential.star == 4 and potential.potential_5_star and potential.legal_basis == "QD1048+781"


def test_rules_of_the_time_are_checked(products) -> None:
    result = history.import_file(
        csv_file(
            row(products["hn1"], star="5"),  # 5★ needs the Ministry
            row(products["hn2"], decision_number="56/QĐ-UBND", legal_basis="QD26/2026"),  # not yet in force
            row(products["hcm1"], issue_date="09/01/2025"),  # before the decision
        ),
        "a.csv",
        None,
    )
    columns = {(e.row, e.column) for e in result.errors}
    assert columns == {(2, "Hạng sao"), (3, "Căn cứ pháp lý"), (4, "Ngày cấp giấy chứng nhận")}


def test_scope_of_the_importing_user(world, products) -> None:
    data = csv_file(row(products["hn1"]))
    other_province = history.import_file(data, "a.csv", world.users["province_hcm"])
    assert other_province.errors[0].column == "Mã sản phẩm"  # not found: existence stays hidden
    commune = history.import_file(data, "a.csv", world.users["commune_hn1"])
    assert "không có quyền" in commune.errors[0].message
    own = history.import_file(data, "a.csv", world.users["province_hn"])
    assert own.ok and own.created == 1
    record = Certificate.objects.get().history.first()
    assert record.history_user == world.users["province_hn"]


def test_dry_run_writes_nothing_and_previews(products) -> None:
    result = history.import_file(csv_file(row(products["hn1"])), "a.csv", None, dry_run=True)
    assert result.ok and result.created == 1 and not Certificate.objects.exists()
    assert result.preview[0]["action"] == "create"
    assert result.preview[0]["expiry"] == "10/01/2028"


def test_progress_is_reported(products) -> None:
    seen = []
    history.import_file(
        csv_file(row(products["hn1"])), "a.csv", None, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (2, 2)


def test_file_errors() -> None:
    with pytest.raises(TabularError):
        history.import_file(b"a,b\n1,2\n", "a.csv", None)
    with pytest.raises(TabularError):
        history.import_file(b"", "a.csv", None)


def test_template_and_export_round_trip(products) -> None:
    template = io.BytesIO()
    history.write_template(template)
    rows = read_rows(template.getvalue(), "mau.xlsx")
    assert list(rows[0]) == list(HEADERS.values())
    history.import_file(csv_file(row(products["hn1"]), row(products["hn2"], star="3")), "a.csv", None)
    exported = io.BytesIO()
    history.export_queryset(Certificate.objects.all(), exported)
    again = history.import_file(exported.getvalue(), "export.xlsx", None)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)


ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tX", "\rX"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_values_are_neutralised_and_round_trip(world, products, fmt) -> None:
    from django.urls import reverse
    from python_calamine import CalamineWorkbook

    file = csv_file(
        row(products["hn1"], authority=ATTACKS[0], signer=ATTACKS[1]),
        row(products["hn2"], decision_number="56/QĐ-UBND", authority=ATTACKS[3], signer=ATTACKS[2]),
    )
    assert history.import_file(file, "a.csv", None).ok
    Product.objects.filter(pk=products["hn1"].pk).update(name=ATTACKS[4])  # informational column
    exported = io.BytesIO()
    history.export_queryset(Certificate.objects.all(), exported, fmt)
    columns = list(HEADERS)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(exported.getvalue().decode("utf-8-sig"), newline="")))[1:]
        cells = [
            {key: r[columns.index(key)] for key in ("authority", "signer", "product_name")} for r in rows
        ]
        # The scoped list's export (?export=csv, the history export) writes the same cells.
        response = world.client("province_hn").get(
            reverse("certification:certificate_list"), {"export": "csv"}
        )
        assert b"".join(response.streaming_content) == exported.getvalue()
    else:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(exported.getvalue())).get_sheet_by_index(0)
        rows = sheet.to_python()[1:]
        cells = [
            {key: r[columns.index(key)] for key in ("authority", "signer", "product_name")} for r in rows
        ]
    quote = "'" if fmt == "csv" else ""  # XLSX: typed text, needs none
    assert sorted(cells, key=str) == sorted(
        [
            {
                "authority": quote + ATTACKS[0],
                "signer": quote + ATTACKS[1],
                "product_name": quote + ATTACKS[4],
            },
            {
                "authority": quote + ATTACKS[3],
                "signer": quote + ATTACKS[2],
                "product_name": products["hn2"].name,
            },
        ],
        key=str,
    )
    again = history.import_file(exported.getvalue(), f"export.{fmt}", None)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2), again.errors
    assert sorted(Decision.objects.values_list("authority", "signer")) == sorted(
        [(ATTACKS[0], ATTACKS[1]), (ATTACKS[3], ATTACKS[2])]
    )


def test_hostile_files_are_refused_before_reading() -> None:
    from ocop.core.tests import bombs

    with pytest.raises(TabularError, match="50 MB"):
        history.import_file(bombs.ods(60 * 2**20), "bom.ods", None)
    with pytest.raises(TabularError, match="một ô quá dài"):
        history.import_file(b"a\n" + b"x" * 200_000 + b"\n", "dai.csv", None)
    assert Certificate.objects.count() == 0


# --- a province's published list, loaded with column mapping only ----------------------------------

# As published by a province (names, the commune as written before 2025, star, decision): no codes,
# no tax numbers, no authority. The officer renames the columns to the template's headers; nothing else.
PUBLISHED = [
    # producer, product, place (before 2025), ngành, star, decision number, decision date
    (
        "HTX Nông nghiệp Mỹ Hiệp",
        "Gạo hữu cơ Mỹ Hiệp",
        "Xã Mỹ Hiệp, huyện Cao Lãnh, tỉnh Đồng Tháp",
        "Thực phẩm",
        "3",
        "1524/QĐ-UBND-HC",
        "29/12/2022",
    ),
    (
        "HTX Nông nghiệp Mỹ Hiệp",
        "Bột gạo lứt Mỹ Hiệp",
        "Xã Mỹ Hiệp, huyện Cao Lãnh, tỉnh Đồng Tháp",
        "Thực phẩm",
        "3",
        "1524/QĐ-UBND-HC",
        "29/12/2022",
    ),
    (
        "Công ty TNHH Sa Giang Food",
        "Bánh phồng tôm Sa Giang",
        "Xã Tân Khánh Đông, thành phố Sa Đéc, tỉnh Đồng Tháp",
        "Thực phẩm",
        "4",
        "1524/QĐ-UBND-HC",
        "29/12/2022",
    ),
    (
        "Hộ kinh doanh Nguyễn Thị Hồng",
        "Nem Lai Vung",
        "Xã Tân Dương, huyện Lai Vung, tỉnh Đồng Tháp",
        "Thực phẩm",
        "3",
        "812/QĐ-UBND-HC",
        "15/08/2024",
    ),
    (
        "Cơ sở Trà sen Tháp Mười",
        "Trà tim sen Tháp Mười",
        "Xã Mỹ Hòa, huyện Tháp Mười, tỉnh Đồng Tháp",
        "Đồ uống / Chè",
        "3",
        "812/QĐ-UBND-HC",
        "15/08/2024",
    ),
    (
        "HTX Nông nghiệp Mỹ Hiệp",
        "Nếp Mỹ Hiệp",
        "Xã Mỹ Hiệp, huyện Cao Lãnh, tỉnh Đồng Tháp",
        "Thực phẩm",
        "4",
        "812/QĐ-UBND-HC",
        "15/08/2024",
    ),
]


def _mapped_csv(headers: dict[str, str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers.values())
    for values in rows:
        writer.writerow([values.get(key, "") for key in headers])
    return out.getvalue().encode("utf-8")


def test_a_province_published_list_loads_through_producers_products_history(db, monkeypatch) -> None:
    from ocop.core import clock
    from ocop.registry import io as registry_io

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    producers = {(p, place): None for p, _n, place, *_ in PUBLISHED}
    headers = {
        c.key: str(c.header) for c in registry_io.PRODUCER_SPEC.columns if c.key in ("name", "address")
    }
    result = registry_io.import_file(
        "producers",
        _mapped_csv(headers, [{"name": name, "address": place} for name, place in producers]),
        "chu-the.csv",
        None,
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 4

    keys = ("producer_name", "name", "place", "legacy_classification")
    headers = {c.key: str(c.header) for c in registry_io.PRODUCT_SPEC.columns if c.key in keys}
    rows = [dict(zip(keys, (p, n, place, group), strict=True)) for p, n, place, group, *_ in PUBLISHED]
    result = registry_io.import_file("products", _mapped_csv(headers, rows), "san-pham.csv", None)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 6

    keys = ("producer_name", "product_name", "place", "star", "decision_number", "decision_date")
    headers = {c.key: str(c.header) for c in history.HISTORY_SPEC.columns if c.key in keys}
    rows = [
        dict(zip(keys, (p, n, place, star, number, day), strict=True))
        for p, n, place, _g, star, number, day in PUBLISHED
    ]
    result = history.import_file(_mapped_csv(headers, rows), "danh-sach.csv", None)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 6
    # Several certificates under one decision, the province's People's Committee as authority.
    assert Decision.objects.count() == 2
    decision = Decision.objects.get(number="1524/QĐ-UBND-HC")
    assert decision.certificates.count() == 3
    assert decision.authority == "UBND tỉnh Đồng Tháp" and decision.authority_level == "province"
    assert decision.legal_basis == "QD1048+781"
    assert Decision.objects.get(number="812/QĐ-UBND-HC").legal_basis == "QD148"
    stars = dict(Product.objects.with_current_star(TODAY).values_list("name", "current_star"))
    assert stars["Nếp Mỹ Hiệp"] == 4 and stars["Gạo hữu cơ Mỹ Hiệp"] is None  # expired 29/12/2025
    assert Product.objects.get(name="Trà tim sen Tháp Mười").legacy_classification == "Đồ uống / Chè"
    # Loading the same list again changes nothing.
    result = history.import_file(_mapped_csv(headers, rows), "danh-sach.csv", None)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 6)


def test_revocations_share_a_decision_and_round_trip(products, monkeypatch) -> None:
    from ocop.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    first, second = products["hn1"], products["hn2"]
    revoked = {
        "revoked_on": "01/06/2025",
        "revocation_ground": "b",
        "revocation_number": "77/QĐ-UBND",
        "revocation_date": "01/06/2025",
        "revocation_authority": "UBND thành phố Hà Nội",
    }
    result = history.import_file(csv_file(row(first, **revoked), row(second, **revoked)), "thu-hoi.csv", None)
    assert result.ok, [str(e) for e in result.errors]
    revocation = Decision.objects.get(number="77/QĐ-UBND")
    assert revocation.kind == "revocation" and revocation.revoked_certificates.count() == 2
    assert {c.status_on(TODAY) for c in Certificate.objects.all()} == {CertificateStatus.REVOKED}
    # A revocation without its ground, or a ground without a date, is refused on its cell.
    result = history.import_file(
        csv_file(row(first, revoked_on="01/06/2025"), row(second, revocation_ground="b")), "x.csv", None
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "Căn cứ thu hồi"), (3, "Ngày thu hồi")]

    # The export carries the revocation and the codes: a second installation gets the same records.
    stream = io.BytesIO()
    history.export_queryset(Certificate.objects.all(), stream, "csv")
    before = sorted(
        Certificate.objects.values_list(
            "code", "product__code", "revoked_on", "revocation_ground", "revocation_decision__number"
        )
    )
    Certificate.objects.all().delete()
    Decision.objects.all().delete()
    result = history.import_file(stream.getvalue(), "lich-su.csv", None)
    assert result.ok and result.created == 2, [str(e) for e in result.errors]
    after = sorted(
        Certificate.objects.values_list(
            "code", "product__code", "revoked_on", "revocation_ground", "revocation_decision__number"
        )
    )
    assert after == before


def test_export_history_command(products, tmp_path) -> None:
    from django.core.management import call_command

    history.import_file(csv_file(row(products["hn1"])), "a.csv", None)
    target = tmp_path / "lich-su.xlsx"
    call_command("export", "history", str(target))
    rows = read_rows(target.read_bytes(), "lich-su.xlsx")
    assert rows[0][HEADERS["certificate_code"]] == Certificate.objects.get().code
    assert rows[0][HEADERS["decision_number"]] == "55/QĐ-UBND"
