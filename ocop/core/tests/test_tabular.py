"""core.tabular: reading any spreadsheet a user may upload, and writing templates, exports and error
reports that Excel/LibreOffice (and our own reader) open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ocop.core import tabular
from ocop.core.tabular import Column, RowError, Spec, TabularError, read_rows, row_number, write_error_report
from ocop.core.tests import bombs

SPEC = Spec(
    title="Mẫu thử",
    instructions=["Điền mỗi dòng một bản ghi."],
    columns=[
        Column("Tên", "name", required=True, help="Tên đầy đủ"),
        Column("Loại", "kind", choices=[("A", "Loại A"), ("B", "Loại B")]),
        Column("Tỉnh", "province", choices=[(f"{i:02d}", f"Tỉnh số {i}") for i in range(1, 100)]),
    ],
    example={"name": "Ví dụ", "kind": "A"},
)


def xlsx(rows: list[list]) -> bytes:
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    r,
                    c,
                    dt.datetime.combine(value, dt.time()),
                    workbook.add_format({"num_format": "dd/mm/yyyy"}),
                )
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return stream.getvalue()


# --- reading ---------------------------------------------------------------------------------------


def test_csv_semicolon_bom_and_row_numbers():
    data = "\ufeffTên;Loại\nHợp tác xã A;A\n;\nHộ B;B\n".encode()
    rows = read_rows(data, "ds.csv")
    assert rows == [{"Tên": "Hợp tác xã A", "Loại": "A"}, {"Tên": "Hộ B", "Loại": "B"}]
    assert [row_number(r) for r in rows] == [2, 4]  # the blank line keeps its number


def test_csv_comma_with_quoted_separators_and_newlines():
    data = 'Tên,Ghi chú\n"Nước mắm ""Ba Làng"", 40°N","dòng 1\ndòng 2"\n'.encode()
    assert read_rows(io.BytesIO(data), "x.CSV") == [
        {"Tên": 'Nước mắm "Ba Làng", 40°N', "Ghi chú": "dòng 1\ndòng 2"}
    ]


def test_xlsx_cells_come_back_as_the_text_the_user_typed():
    data = xlsx(
        [["Tên", "Số", "Ngày", "Mã"], ["  A  ", 12.0, dt.date(2024, 3, 15), "00004"], [None, 1.5, None, None]]
    )
    rows = read_rows(data, "ds.xlsx")
    assert rows[0] == {"Tên": "A", "Số": "12", "Ngày": "15/03/2024", "Mã": "00004"}
    assert rows[1] == {"Tên": "", "Số": "1.5", "Ngày": "", "Mã": ""}


def test_ods_and_upload_objects(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ds.xlsx", xlsx([["Tên"], ["A"]]))
    upload.read()  # a view may have peeked at it already
    assert read_rows(upload, upload.name) == [{"Tên": "A"}]
    path = tmp_path / "ds.csv"
    path.write_text("Tên\nA\n", encoding="utf-8")
    assert read_rows(path, path.name) == [{"Tên": "A"}]


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "a.xlsx", "trống"),
        (b"   \n\n", "a.csv", "trống"),
        (b"PK\x03\x04" + b"\x00" * 100, "a.xlsx", "hỏng"),
        (bytes(range(256)) * 10, "a.ods", "hỏng"),
        (bytes(range(256)) * 10, "a.xls", "hỏng"),
        ("Tên;Tên\nA;B\n".encode(), "a.csv", "hai lần"),
        ("Tên\nA\n".encode("utf-16-le"), "a.csv", "UTF"),
        ("Tên\nA\n".encode("cp1258"), "a.csv", "UTF-8"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4, "anh.csv", "CSV"),
        (b"a", "a.pdf", "không được hỗ trợ"),
        (b"a", "khong-duoi", "không được hỗ trợ"),
    ],
)
def test_bad_files_raise_tabular_error_in_vietnamese(data, name, fragment):
    with pytest.raises(TabularError, match=fragment):
        read_rows(data, name)


def test_utf16_with_bom_is_read():
    assert read_rows("Tên\nA\n".encode("utf-16"), "a.csv") == [{"Tên": "A"}]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.binary(max_size=400))
def test_read_rows_never_fails_with_anything_but_tabular_error(content):
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        rows = read_rows(data, "tep.csv")
    except TabularError as error:
        assert str(error)
        return
    for row in rows:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.items())
        assert row_number(row) >= 2


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20),
            min_size=2,
            max_size=2,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_csv_round_trip_through_spec(rows):
    spec = Spec(columns=[Column("Cột một", "a"), Column("Cột hai", "b")])
    stream = io.BytesIO()
    spec.write_rows([{"a": a, "b": b} for a, b in rows], stream, "csv")
    read = [spec.keyed(r) for r in read_rows(stream.getvalue(), "x.csv")]
    expected = [{"a": a.strip(), "b": b.strip()} for a, b in rows if a.strip() or b.strip()]
    assert read == expected


# --- writing ---------------------------------------------------------------------------------------


def test_template_has_bold_frozen_header_drop_downs_example_and_instructions():
    stream = io.BytesIO()
    SPEC.write_template(stream)
    data = stream.getvalue()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names[0] == "Dữ liệu" and "Hướng dẫn" in workbook.sheet_names
    sheet = workbook.get_sheet_by_index(0).to_python()
    assert sheet[0] == ["Tên", "Loại", "Tỉnh"]
    assert sheet[1][:2] == ["Ví dụ", "A"]
    guide = [c for row in workbook.get_sheet_by_name("Hướng dẫn").to_python() for c in row]
    assert "Mẫu thử" in guide and "Loại A" in guide and "Tên đầy đủ" in guide
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert '<pane ySplit="1"' in xml and 'state="frozen"' in xml
    assert '<formula1>"A,B"</formula1>' in xml
    assert "DanhMuc!$A$1:$A$99" in xml  # 99 codes do not fit in an inline list
    assert 'name="DanhMuc" sheetId="2" state="hidden"' in workbook_xml


def test_rows_export_as_xlsx_and_csv_with_template_headers():
    rows = [{"name": 'Nước mắm; "đặc biệt"', "kind": "B", "province": "01"}, {"name": "=1+1", "kind": None}]
    for fmt in ("xlsx", "csv"):
        stream = io.BytesIO()
        SPEC.write_rows(rows, stream, fmt)
        read = [SPEC.keyed(r) for r in read_rows(stream.getvalue(), f"x.{fmt}")]
        assert read == [
            {"name": 'Nước mắm; "đặc biệt"', "kind": "B", "province": "01"},
            {"name": "=1+1", "kind": "", "province": ""},  # text, never a formula
        ]


ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tX", "\rX"]


def test_csv_cells_a_spreadsheet_would_run_get_the_owasp_quote():
    spec = Spec(columns=[Column("Tên", "name"), Column("Số", "number")])
    stream = io.BytesIO()
    rows = [{"name": attack, "number": -2} for attack in ATTACKS] + [
        {"name": "+84 912 345 678", "number": -1.5}
    ]
    spec.write_rows(rows, stream, "csv")
    written = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"), newline="")))
    assert [row[0] for row in written[1:]] == ["'" + attack for attack in ATTACKS] + ["'+84 912 345 678"]
    # A number is not a formula: a numeric value stays a plain negative number.
    assert [row[1] for row in written[1:]] == ["-2"] * len(ATTACKS) + ["-1.5"]
    # Reading drops exactly the quote the export added (then the surrounding spaces, as always).
    assert [spec.keyed(r)["name"] for r in read_rows(stream.getvalue(), "x.csv")] == [
        '=HYPERLINK("http://x","y")',
        "+1+1",
        "-2",
        "@SUM(A1)",
        "X",
        "X",
        "+84 912 345 678",
    ]


def test_xlsx_cells_stay_typed_text_never_formulas():
    spec = Spec(columns=[Column("Tên", "name")])
    stream = io.BytesIO()
    spec.write_rows([{"name": attack} for attack in ATTACKS], stream, "xlsx")
    data = stream.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    assert xml.count('t="s"') == len(ATTACKS) + 1  # every cell (the header too) is a shared string
    assert "'=HYPERLINK" not in strings  # typed text needs no quote
    cells = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in cells[1:]] == ATTACKS
    assert all(isinstance(row[0], str) for row in cells)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="'=+-@\t\r \"a1Đ,;", max_size=8), min_size=1, max_size=10))
def test_formula_like_values_round_trip_in_both_formats(names):
    spec = Spec(columns=[Column("Tên", "name"), Column("Mã", "code")])
    expected = [{"name": name.strip(), "code": "x"} for name in names]
    for fmt in ("csv", "xlsx"):
        stream = io.BytesIO()
        spec.write_rows([{"name": name, "code": "x"} for name in names], stream, fmt)
        assert [spec.keyed(r) for r in read_rows(stream.getvalue(), f"x.{fmt}")] == expected, fmt


def test_keyed_tolerates_header_case_spacing_and_required_marks():
    assert SPEC.keyed({" tên * ": "A", "LOẠI": "B", "Khác": "x"}) == {
        "name": "A",
        "kind": "B",
        "province": "",
    }
    assert SPEC.missing_headers([{"Loại": "A"}]) == ["Tên"]


def test_error_report_lists_row_column_value_message():
    stream = io.BytesIO()
    errors = [
        RowError(3, "Mã số thuế", "0100109107", "Sai chữ số kiểm tra."),
        RowError(5, "", "", "Trùng dòng 3."),
    ]
    write_error_report(errors, stream)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(stream.getvalue())).get_sheet_by_index(0).to_python()
    assert rows == [
        ["Dòng", "Cột", "Giá trị", "Lỗi"],
        ["3", "Mã số thuế", "0100109107", "Sai chữ số kiểm tra."],
        ["5", "", "", "Trùng dòng 3."],
    ]
    assert str(errors[0]) == "Dòng 3, cột “Mã số thuế” (“0100109107”): Sai chữ số kiểm tra."


def test_error_report_is_xlsx_with_the_offending_value_as_typed_text():
    stream = io.BytesIO()
    write_error_report([RowError(2, "Tên", ATTACKS[0], "Sai."), RowError(3, "Tên", "'+84", "Sai.")], stream)
    data = stream.getvalue()
    assert data[:2] == b"PK"  # the only error report is a workbook, never a CSV
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [row[2] for row in rows[1:]] == [ATTACKS[0], "''+84"]  # so that it reads back as "'+84"
    assert read_rows(data, "loi.xlsx")[1]["Giá trị"] == "'+84"


# --- bounded reading (issue 9.7): a hostile file is refused before a cell is read ------------------

ARCHIVE_REFUSED = re.escape("vượt giới hạn (tối đa 50 MB sau khi giải nén, tỉ lệ nén tối đa 100 lần)")


@pytest.mark.parametrize(("build", "name"), [(bombs.xlsx, "bom.xlsx"), (bombs.ods, "bom.ods")])
def test_archive_beyond_the_uncompressed_total_is_refused_before_reading(build, name, monkeypatch):
    data = build(tabular.MAX_UNCOMPRESSED_BYTES + 2**20)  # 51 MB of "A", ~50 KB on disk
    assert len(data) < 200_000
    monkeypatch.setattr(tabular, "_spreadsheet_cells", lambda data: pytest.fail("a cell was read"))
    with pytest.raises(TabularError, match=ARCHIVE_REFUSED):
        read_rows(data, name)


@pytest.mark.parametrize(("build", "name"), [(bombs.xlsx, "bom.xlsx"), (bombs.ods, "bom.ods")])
def test_archive_member_beyond_the_ratio_is_refused(build, name):
    with pytest.raises(TabularError, match=ARCHIVE_REFUSED):
        read_rows(build(4 * 2**20), name)  # 4 MB compressed ~1000 times


@pytest.mark.parametrize(("build", "name"), [(bombs.xlsx, "ok.xlsx"), (bombs.ods, "ok.ods")])
def test_small_archives_of_the_same_shape_are_read(build, name):
    assert read_rows(build(300), name) == [{"Tên": "A" * 300}]


def test_archive_lying_about_its_sizes_is_refused():
    data = bytearray(bombs.xlsx(4 * 2**20))
    # Declare the 4 MB sheet as 1 KB in the central directory (which readers trust).
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    at = data.rfind(info.file_size.to_bytes(4, "little"))
    assert at > info.header_offset + 100
    data[at : at + 4] = (1024).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    with pytest.raises(TabularError, match="hỏng"):
        read_rows(bytes(data), "noi-doi.xlsx")


def test_file_beyond_the_size_cap_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1024)
    data = "Tên\n".encode() + b"a\n" * 1000
    path = tmp_path / "lon.xls"
    path.write_bytes(data)
    upload = SimpleUploadedFile("lon.csv", data)
    for file in (data, io.BytesIO(data), path, upload):
        with pytest.raises(TabularError, match="Tệp quá lớn. Tệp nhập tối đa"):
            read_rows(file, "lon.csv")
    assert read_rows(data[:100], "nho.csv")[0] == {"Tên": "a"}


def test_csv_field_beyond_the_limit_is_refused():
    data = b"T\xc3\xaan;Lo\xe1\xba\xa1i\nA;" + b"x" * (tabular.MAX_CSV_FIELD + 1) + b"\n"
    with pytest.raises(TabularError, match="một ô quá dài"):
        read_rows(data, "dai.csv")
    quoted = b'T\xc3\xaan\n"' + b"x\n" * tabular.MAX_CSV_FIELD + b'"\n'  # one field over many lines
    with pytest.raises(TabularError, match="một ô quá dài"):
        read_rows(quoted, "dai.csv")
    # Under the limit a long cell is read, cut at MAX_CELL characters.
    rows = read_rows(b"T\xc3\xaan\n" + b"x" * (tabular.MAX_CELL + 5) + b"\n", "dai.csv")
    assert rows == [{"Tên": "x" * tabular.MAX_CELL}]


def test_csv_with_too_many_rows_is_refused():
    data = "Tên\n".encode() + b"a\n" * (tabular.MAX_ROWS + 1)
    with pytest.raises(TabularError, match="quá nhiều dòng"):
        read_rows(data, "nhieu.csv")
    assert len(read_rows("Tên\n".encode() + b"a\n" * tabular.MAX_ROWS, "du.csv")) == tabular.MAX_ROWS


def test_parse_day_reads_the_dates_people_type_in_spreadsheets() -> None:
    import datetime as dt

    from ocop.core.tabular import parse_day

    day = dt.date(2025, 6, 16)
    for text in ("16/06/2025", "16-06-2025", "16.06.2025", "2025-06-16", " 16/06/2025 00:00:00"):
        assert parse_day(text) == day
    assert parse_day("") is None
    for bad in ("32/01/2025", "16/06", "ngày 16", "06/16/2025"):
        with pytest.raises(ValueError):
            parse_day(bad)
