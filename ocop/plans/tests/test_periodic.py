"""Periodic reports: what a report holds (counted on paper from the plans' test world), frozen once
filed (page, XLSX and PDF alike), the national roll-up of the provinces' filed reports, and the
refusals of the steps.

The world (ocop/plans/tests/conftest.py): "today" is 23/11/2026. Hà Nội's six-month report of 2026
counts as of 30/06/2026: 3★ three, late, new; 4★ four; 4★ tiềm năng 5★ potential; 5★ five;
revoked (revoked 01/04/2026); without a star: removed (removed from the programme) and expired.
In 01/01–30/06/2026: new 1 (new), re-evaluated 1 (late), upgraded 0, expired 1 (late's first
certificate lapsed 01/02/2026 before its renewal), revoked 1.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ocop.certification.tests.conftest import make_certificate
from ocop.core import clock
from ocop.plans import periodic
from ocop.plans.models import PeriodicReport, PlanLevel, ReportKind, ReportStatus
from ocop.plans.periodic import display, pdf, steps, workbook
from ocop.registry.tests.conftest import make_producer, make_product

from .conftest import make_plan, make_target

pytestmark = pytest.mark.django_db

HN_STARS = {"3": 3, "4": 1, "4p": 1, "5": 1, "revoked": 1, "none": 2}
HN_FLOWS = {"new": 1, "reevaluated": 1, "upgraded": 0, "expired": 1, "revoked": 1}


def hn_report(data, kind: str = ReportKind.SEMIANNUAL, year: int = 2026, user: str = "province_hn"):
    return steps.create(data.world.users[user], kind, year, data.places["hn"])


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def xlsx_cells(content: bytes) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        return nfc("\n".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()


# --- what a report holds ---------------------------------------------------------------------------


def test_province_six_month_report_counts_as_of_the_period_end(data) -> None:
    make_target(make_plan(province=data.places["hn"]), "products_recognised", 10)
    report = hn_report(data)
    assert (report.level, report.province, report.commune, report.status) == (
        PlanLevel.PROVINCE,
        data.places["hn"],
        None,
        ReportStatus.DRAFT,
    )
    assert (report.period_start, report.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    figures = report.figures
    assert figures["as_of"] == "2026-06-30" and figures["complete"] is True
    assert figures["unit"] == {"level": "province", "code": "01", "name": data.places["hn"].name}
    assert figures["stars"] == HN_STARS
    assert figures["ocop"] == 6
    assert figures["flows"] == HN_FLOWS
    assert figures["communes_with_ocop"] == 2
    producers = {row["code"]: (row["count"], row["ocop"]) for row in figures["producers"]}
    assert producers["HTX"] == (1, 1) and producers["DN_SME"] == (1, 1)
    assert producers["HO_SX"] == (1, 1) and producers["THT"] == (1, 0)
    assert figures["cooperatives_and_enterprises_share"] == 66.7
    # The communes of the province that have products, with their stars.
    areas = {row["code"]: row for row in figures["areas"]["rows"]}
    assert figures["areas"]["level"] == "commune"
    assert set(areas) == {data.places["hn1"].code, data.places["hn2"].code}
    hn2 = areas[data.places["hn2"].code]
    assert (hn2["4p"], hn2["5"], hn2["revoked"], hn2["none"]) == (1, 1, 1, 1)
    # Sectors add up to the products counted.
    assert sum(row["products"] for row in figures["sectors"]) == sum(HN_STARS.values())
    assert sum(row["ocop"] for row in figures["sectors"]) == 6
    # Targets and their progress as of the period's end (the plans' own rows).
    (target,) = figures["targets"]
    assert (target["indicator"], target["target"], target["current"]) == ("products_recognised", 10.0, 6.0)
    assert figures["rollup"] is None
    assert report.generated_at is not None and report.created_by == data.world.users["province_hn"]


def test_report_of_a_running_period_counts_as_of_today_and_says_so(data, monkeypatch) -> None:
    report = hn_report(data, ReportKind.ANNUAL)
    assert report.figures["as_of"] == "2026-11-23" and report.figures["complete"] is False
    document = display.document(report)
    assert "23/11/2026" in document.as_of_line
    assert "31/12/2026" in document.partial_note
    # After the period: a refresh counts as of 31/12.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 5))
    periodic.generate(report, data.world.users["province_hn"])
    assert report.figures["as_of"] == "2026-12-31" and report.figures["complete"] is True
    assert display.document(report).partial_note == ""


def test_commune_report_has_no_area_table_and_counts_its_commune(data) -> None:
    report = steps.create(data.world.users["commune_hn1"], ReportKind.SEMIANNUAL, 2026, data.places["hn1"])
    assert (report.level, report.province, report.commune) == (
        PlanLevel.COMMUNE,
        data.places["hn"],
        data.places["hn1"],
    )
    # hn1: three, four, removed (none), late, new.
    assert report.figures["stars"] == {"3": 3, "4": 1, "4p": 0, "5": 0, "revoked": 0, "none": 1}
    assert report.figures["areas"] is None
    assert "areas" not in {table.key for table in display.document(report).tables}


def test_document_tables_show_the_frozen_numbers(data) -> None:
    report = hn_report(data)
    document = display.document(report)
    tables = {table.key: table for table in document.tables}
    assert list(tables) == ["stars", "flows", "sectors", "producers", "areas", "targets"]
    stars = tables["stars"]
    assert [row[1] for row in stars.rows] == [3, 1, 1, 1]
    assert stars.total[1] == 6
    assert [row[1] for row in stars.after_total] == [1, 2]  # revoked, none: outside the total
    assert [row[1] for row in tables["flows"].rows] == [1, 1, 0, 1, 1]
    assert tables["targets"].rows == [] and tables["targets"].empty


# --- frozen once filed ------------------------------------------------------------------------------


def test_filed_report_never_changes_even_when_certificates_are_issued_afterwards(data) -> None:
    user = data.world.users["province_hn"]
    report = hn_report(data)
    steps.write_narrative(report, user, "Sáu tháng đầu năm, tỉnh công nhận thêm 1 sản phẩm.")
    periodic.file(report, user)
    report.refresh_from_db()
    assert report.status == ReportStatus.FILED and report.filed_by == user and report.filed_at is not None
    figures = report.figures
    xlsx_before = io.BytesIO()
    workbook.write(display.document(report), xlsx_before)
    pdf_before = pdf_text(pdf.render(display.document(report)))

    # A new product recognised in the period, after filing: the platform's figures change...
    product = make_product(make_producer(data.places["hn1"]), name="Mật ong rừng")
    make_certificate(product, star=5, issue_date=dt.date(2026, 5, 1))
    # ...the filed report does not, and cannot be refreshed, re-written or filed again.
    for step, args in (
        (periodic.generate, (report, user)),
        (steps.write_narrative, (report, user, "Sửa sau khi nộp")),
        (periodic.file, (report, user)),
    ):
        with pytest.raises(ValidationError) as refusal:
            step(*args)
        assert "Báo cáo đã nộp" in " ".join(refusal.value.messages)
    report.refresh_from_db()
    assert report.figures == figures and report.figures["stars"]["5"] == 1
    assert report.narrative == "Sáu tháng đầu năm, tỉnh công nhận thêm 1 sản phẩm."
    xlsx_after = io.BytesIO()
    workbook.write(display.document(report), xlsx_after)
    assert xlsx_cells(xlsx_after.getvalue()) == xlsx_cells(xlsx_before.getvalue())
    assert pdf_text(pdf.render(display.document(report))) == pdf_before
    # A fresh count (a new draft of the same kind elsewhere) does see the new product.
    fresh = steps.create(data.world.users["commune_hn1"], ReportKind.SEMIANNUAL, 2026, data.places["hn1"])
    assert fresh.figures["stars"]["5"] == 1


def test_draft_refresh_takes_new_certificates(data) -> None:
    user = data.world.users["province_hn"]
    report = hn_report(data)
    make_certificate(make_product(make_producer(data.places["hn1"])), star=5, issue_date=dt.date(2026, 5, 1))
    periodic.generate(report, user)
    assert report.figures["stars"]["5"] == 2 and report.figures["flows"]["new"] == 2


def test_history_records_who_made_refreshed_and_filed(data) -> None:
    user = data.world.users["province_hn"]
    report = hn_report(data)
    periodic.generate(report, user)
    steps.write_narrative(report, user, "Đánh giá")
    periodic.file(report, user)
    entries = list(report.history.order_by("history_date", "history_id"))
    assert [entry.history_type for entry in entries] == ["+", "~", "~", "~"]
    assert entries[-1].status == ReportStatus.FILED and entries[-1].filed_by_id == user.pk
    assert entries[-2].narrative == "Đánh giá" and entries[-2].status == ReportStatus.DRAFT


# --- XLSX and PDF -------------------------------------------------------------------------------------


def test_xlsx_opens_and_holds_the_numbers(data) -> None:
    make_target(make_plan(province=data.places["hn"]), "products_recognised", 10)
    report = hn_report(data)
    steps.write_narrative(
        report, data.world.users["province_hn"], "=Dòng đầu\n- Tồn tại: còn ít sản phẩm 5 sao"
    )
    stream = io.BytesIO()
    workbook.write(display.document(report), stream)
    sheets = xlsx_cells(stream.getvalue())
    assert list(sheets) == [
        "Báo cáo",
        "Hạng sao",
        "Biến động trong kỳ",
        "Theo ngành",
        "Chủ thể",
        "Theo địa bàn",
        "Chỉ tiêu kế hoạch",
    ]
    front = sheets["Báo cáo"]
    flat = [nfc(str(cell)) for row in front for cell in row]
    assert any(data.places["hn"].name in cell for cell in flat)
    assert "Số liệu tính đến ngày 30/06/2026" in flat
    assert "Kỳ báo cáo: 01/01/2026 – 30/06/2026" in flat
    assert "=Dòng đầu" in flat and "- Tồn tại: còn ít sản phẩm 5 sao" in flat  # text, not formulas
    stars = {nfc(str(row[0])): row[1] for row in sheets["Hạng sao"] if len(row) > 1}
    assert stars["3 sao"] == 3 and stars["4 sao tiềm năng 5 sao"] == 1 and stars["5 sao"] == 1
    assert stars["Tổng số sản phẩm OCOP còn hiệu lực"] == 6 and stars["Bị thu hồi giấy chứng nhận"] == 1
    flows = [row[1] for row in sheets["Biến động trong kỳ"] if len(row) > 1 and isinstance(row[1], float)]
    assert flows == [1, 1, 0, 1, 1]
    targets = [
        row for row in sheets["Chỉ tiêu kế hoạch"] if "products_recognised" in str(row) or "OCOP" in str(row)
    ]
    assert any(10 in row and 6 in row for row in targets)


def test_xlsx_is_set_up_for_printing(data) -> None:
    import zipfile

    report = hn_report(data)
    stream = io.BytesIO()
    workbook.write(display.document(report), stream)
    with zipfile.ZipFile(io.BytesIO(stream.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet6.xml").decode()  # "Theo địa bàn": wide
        book = archive.read("xl/workbook.xml").decode()
    assert 'paperSize="9"' in sheet and 'orientation="landscape"' in sheet  # A4 landscape
    assert '<pageSetUpPr fitToPage="1"/>' in sheet and 'fitToHeight="0"' in sheet  # one page wide
    assert "<mergeCell " in sheet  # the title block across the table
    # The table's header row repeated on every printed page.
    assert (
        '<definedName name="_xlnm.Print_Titles" localSheetId="5">\'Theo địa bàn\'!$8:$8</definedName>' in book
    )


def test_pdf_starts_with_pdf_and_names_the_unit(data) -> None:
    report = hn_report(data)
    content = pdf.render(display.document(report))
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert nfc(data.places["hn"].name).upper() in text.upper()
    assert "30/06/2026" in text and "DỰ THẢO" in text


# --- the national roll-up -------------------------------------------------------------------------


def test_national_report_rolls_up_the_provinces_filed_reports(data) -> None:
    province_hn = data.world.users["province_hn"]
    hn = hn_report(data)
    steps.write_narrative(hn, province_hn, "Hà Nội: đánh giá")
    periodic.file(hn, province_hn)
    # TP HCM has a draft only: not filed, so not counted.
    hcm = steps.create(data.world.users["province_hcm"], ReportKind.SEMIANNUAL, 2026, data.places["hcm"])
    # An annual report of Hà Nội is another period.
    steps.write_narrative(hn_report(data, ReportKind.ANNUAL), province_hn, "x")

    national = steps.create(data.world.users["central"], ReportKind.SEMIANNUAL, 2026, None)
    assert (national.level, national.province, national.commune) == (PlanLevel.COUNTRY, None, None)
    rollup = national.figures["rollup"]
    (filed,) = rollup["filed"]
    assert (filed["report"], filed["code"], filed["stars"]["4p"], filed["ocop"]) == (hn.pk, "01", 1, 6)
    assert filed["flows"] == HN_FLOWS and filed["as_of"] == "2026-06-30"
    missing = {row["code"] for row in rollup["missing"]}
    assert "79" in missing and "01" not in missing and len(missing) == 33
    assert rollup["totals"]["ocop"] == 6 and rollup["totals"]["flows"]["revoked"] == 1
    # Its own national figures: Hà Nội's and TP HCM's products.
    assert national.figures["stars"]["4"] == 2 and national.figures["ocop"] == 7
    assert national.figures["areas"]["level"] == "province" and len(national.figures["areas"]["rows"]) == 34
    tables = {table.key: table for table in display.document(national).tables}
    assert tables["rollup"].rows[0][0] == data.places["hn"].name
    assert tables["rollup"].total[-1] == 1  # revoked, the last column
    assert len(tables["missing"].rows) == 33
    # TP HCM files later: the national draft takes it on refresh.
    steps.write_narrative(hcm, data.world.users["province_hcm"], "TP HCM")
    periodic.file(hcm, data.world.users["province_hcm"])
    periodic.generate(national, data.world.users["central"])
    assert [row["code"] for row in national.figures["rollup"]["filed"]] == ["01", "79"]
    assert national.figures["rollup"]["totals"]["ocop"] == 7


# --- refusals ----------------------------------------------------------------------------------------


def test_one_report_per_unit_kind_and_period(data) -> None:
    first = hn_report(data)
    with pytest.raises(steps.DuplicateReport) as refusal:
        hn_report(data, user="admin")
    assert refusal.value.existing == first
    assert "Đã có báo cáo 6 tháng đầu năm 2026" in refusal.value.messages[0]
    assert PeriodicReport.objects.count() == 1
    steps.create(data.world.users["central"], ReportKind.SEMIANNUAL, 2026, None)
    with pytest.raises(steps.DuplicateReport):
        steps.create(data.world.users["admin"], ReportKind.SEMIANNUAL, 2026, None)


@pytest.mark.parametrize(
    ("kind", "year", "message"),
    [
        ("monthly", 2026, "Loại báo cáo không hợp lệ"),
        (ReportKind.ANNUAL, 2017, "Năm báo cáo phải từ 2018"),
        (ReportKind.SEMIANNUAL, 2027, "Kỳ báo cáo chưa bắt đầu (từ ngày 01/01/2027)"),
    ],
)
def test_bad_kind_year_or_period_is_refused_with_a_message(data, kind, year, message) -> None:
    with pytest.raises(ValidationError) as refusal:
        hn_report(data, kind, year)
    assert message in refusal.value.messages[0]
    assert not PeriodicReport.objects.exists()


def test_a_former_unit_cannot_have_a_report(data, former_province_tien_giang) -> None:
    with pytest.raises(ValidationError) as refusal:
        steps.create(data.world.users["admin"], ReportKind.SEMIANNUAL, 2026, former_province_tien_giang)
    assert "hiện hành" in refusal.value.messages[0]


def test_filing_needs_a_narrative(data) -> None:
    report = hn_report(data)
    assert steps.filing_problems(report) == ["Cần viết nội dung đánh giá trước khi nộp báo cáo."]
    with pytest.raises(ValidationError):
        periodic.file(report, data.world.users["province_hn"])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.filed_at is None


def test_narrative_too_long_is_refused(data) -> None:
    report = hn_report(data)
    with pytest.raises(ValidationError) as refusal:
        steps.write_narrative(report, data.world.users["province_hn"], "x" * (steps.NARRATIVE_MAX + 1))
    assert "Nội dung đánh giá dài quá 20.000 ký tự" in refusal.value.messages[0]


@pytest.mark.parametrize(
    ("user", "unit"),
    [
        ("central", "hn"),  # the Ministry makes the national report, not a province's
        ("province_hcm", "hn"),
        ("province_hn", None),
        ("commune_hn1", "hn"),
        ("commune_hn1", "hn2"),
        ("viewer_hn", "hn"),
        ("council_hn", "hn"),
        ("producer_hn1", "hn1"),
    ],
)
def test_steps_refuse_what_the_role_may_not_make(data, user, unit) -> None:
    with pytest.raises(PermissionDenied):
        steps.create(data.world.users[user], ReportKind.SEMIANNUAL, 2026, data.places.get(unit))
    assert not PeriodicReport.objects.exists()


def test_province_office_makes_its_communes_reports(data) -> None:
    report = steps.create(data.world.users["province_hn"], ReportKind.SEMIANNUAL, 2026, data.places["hn2"])
    assert report.level == PlanLevel.COMMUNE
    # The commune office of hn1 neither reads nor writes hn2's report.
    with pytest.raises(PermissionDenied):
        periodic.generate(report, data.world.users["commune_hn1"])
    with pytest.raises(PermissionDenied):
        periodic.generate(report, data.world.users["central"])


def test_generate_makes_an_unsaved_report(data) -> None:
    """The demo loader's path: an unsaved report with its kind, year and unit, then generate and file."""
    user = data.world.users["province_hn"]
    report = PeriodicReport(kind=ReportKind.SEMIANNUAL, year=2026, province=data.places["hn"])
    report.narrative = "Báo cáo mẫu"
    periodic.generate(report, user)
    assert report.pk is not None and report.period_end == dt.date(2026, 6, 30)
    assert report.figures["stars"] == HN_STARS
    periodic.file(report, user)
    assert PeriodicReport.objects.get().status == ReportStatus.FILED


def test_today_is_the_clock(data, monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 3, 15))
    report = hn_report(data)
    assert report.figures["as_of"] == "2026-03-15" and report.figures["flows"]["new"] == 1
