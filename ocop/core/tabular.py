"""Generic tabular import/export: read spreadsheets and CSV, write templates, exports and error reports.

Reading: :func:`read_rows` turns the first sheet of an .xlsx/.xls/.ods (python-calamine) or a
.csv (UTF-8 with or without BOM, ";" or "," sniffed) into a list of dicts keyed by the header
row. Everything a user can get wrong about the *file* raises :class:`TabularError` with a
Vietnamese message; what they get wrong in a *row* is the importer's business (:class:`RowError`).

Writing: a :class:`Spec` lists :class:`Column` s (Vietnamese header, internal key, coded choices)
and writes an import template (.xlsx with drop-down lists and an instructions sheet) or rows
(.xlsx or .csv with exactly the template's headers, so an export re-imports unchanged).

Formula injection: a CSV cell a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``,
``@``, tab, carriage return) is written with a ``'`` before it (:func:`ocop.core.cells.neutralise`,
OWASP); .xlsx cells are typed text (``write_string``, ``strings_to_formulas`` off), never formulas.
Reading drops exactly that quote (:func:`ocop.core.cells.restore`), so an export imports back with
its original values.

Domain-free: the registry's and the evaluation's importers build on it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from ocop.core.cells import escapes, neutralise, restore

from .text import is_clean
from .validators import CLEAN_TEXT_MESSAGE

__all__ = [
    "EXTENSIONS",
    "Column",
    "ImportResult",
    "RowError",
    "Spec",
    "TabularError",
    "Row",
    "read_rows",
    "row_number",
    "write_error_report",
]

SPREADSHEET_EXTENSIONS = (".xlsx", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")

# Bounds on what a user may upload: beyond them a file is a mistake (or an attack), not a register.
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL = 10_000

# Bounds on the *file*, checked before a cell is read, so that reading an upload takes bounded memory
# (issue 9.7: a 620 KB .xlsx holding one 600 MB cell took a worker to 1.8 GB). `read_rows` applies them,
# so every import gets them: the registry wizard, `ocop import`, the certification history import.
MAX_FILE_BYTES = 10 * 1024 * 1024  # the file itself, any format (the wizard's upload cap too)
# .xlsx and .ods are ZIP archives: their members are checked (declared sizes, then the actual
# decompressed sizes, streamed) before the spreadsheet reader opens them.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all members together, uncompressed
MAX_RATIO = 100  # uncompressed ÷ compressed, for a member of at least RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024  # smaller members (styles, a short sheet) may compress better
MAX_CSV_FIELD = 100_000  # characters in one CSV field (csv.field_size_limit); longer: refused
ZIP_EXTENSIONS = (".xlsx", ".ods")

# The csv module's limit is per process; nothing else in OCOP reads CSV, and its default (131,072)
# would otherwise let a field of that size through before our check.
csv.field_size_limit(MAX_CSV_FIELD)


class TabularError(Exception):
    """The file as a whole cannot be read; the message is Vietnamese and can be shown as is."""


@dataclass
class Column:
    """One column of a spreadsheet: the header the user sees and the key the code uses.

    choices: (code, label) pairs of a coded column; the template offers the codes in a drop-down
    list and explains them on the instructions sheet.
    required: the column must be in the file and every row must fill it. when: a column some rows
    must fill, the condition as the importer enforces it ("Khi không có …"), shown in the template's
    "Bắt buộc" column.
    """

    header: str
    key: str
    required: bool = False
    when: str = ""
    choices: list[tuple[str, str]] | None = None
    help: str = ""
    width: int = 20


@dataclass
class RowError:
    """A problem in one cell (or a whole row when column is ""); row is the spreadsheet row number
    as the user sees it (the header is row 1, so the first data row is 2)."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("Dòng %(row)s") % {"row": self.row}
        if self.column:
            where += f", {_('cột')} “{self.column}”"
        if self.value:
            where += f" (“{self.value}”)"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do); nothing is written when there are errors."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    dry_run: bool = False
    unchanged: int = 0  # rows naming an existing record with nothing to change (nothing written)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading ---------------------------------------------------------------------------------------


class Row(dict):
    """A read row: header → text, plus ``number``, its row number in the spreadsheet, and
    ``errors``: cells breaking the text rule (NUL, unpaired surrogates; `core.text.is_clean`),
    which the importers report with the row's own errors. Such a cell reads without the bad
    characters, so that nothing looks the raw text up."""

    number: int = 0
    errors: list[RowError] = []  # noqa: RUF012 - read_rows gives each row its own list


def _without_unclean(text: str) -> str:
    return "".join(ch for ch in text.replace("\x00", "") if is_clean(ch))


def _cell_text(value: Any) -> str:
    """A cell as the text a user typed: 12.0 → "12", dates as dd/mm/yyyy, booleans as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f}"


def _too_large() -> TabularError:
    return TabularError(
        _("Tệp quá lớn. Tệp nhập tối đa %(max)s MB; hãy chia thành nhiều tệp nhỏ hơn.")
        % {"max": _mb(MAX_FILE_BYTES)}
    )


def _read_bytes(file: Any) -> bytes:
    """The file's bytes, never more than MAX_FILE_BYTES of them (TabularError beyond)."""
    limit = MAX_FILE_BYTES
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | PurePath):
        if os.path.getsize(file) > limit:
            raise _too_large()
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        if hasattr(file, "seek"):
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)
        if hasattr(file, "chunks"):  # Django UploadedFile: streamed from disk for large uploads
            parts, size = [], 0
            for chunk in file.chunks():
                size += len(chunk)
                if size > limit:
                    raise _too_large()
                parts.append(chunk)
            data = b"".join(parts)
        else:
            read = file.read(limit + 1)
            data = read.encode("utf-8") if isinstance(read, str) else read
    if len(data) > limit:
        raise _too_large()
    return data


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError)


def _archive_refusal() -> TabularError:
    return TabularError(
        _(
            "Tệp bảng tính bị từ chối: nội dung giải nén vượt giới hạn (tối đa %(max)s MB sau khi giải "
            "nén, tỉ lệ nén tối đa %(ratio)s lần). Hãy mở tệp bằng Excel/LibreOffice, xoá các ô quá "
            "dài và lưu lại, hoặc chia thành nhiều tệp nhỏ hơn."
        )
        % {"max": _mb(MAX_UNCOMPRESSED_BYTES), "ratio": MAX_RATIO}
    )


def _check_archive(data: bytes) -> None:
    """Refuse an .xlsx/.ods whose members would decompress beyond the bounds (a "zip bomb").

    First the sizes the archive declares (total, and the ratio of each large member), then the
    members are decompressed in 1 MB chunks and counted, so an archive lying about its sizes is
    refused too (zipfile stops at the declared size and checks the CRC). Nothing is kept in memory.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_ZIP_ERRORS, ValueError):
        return  # not a ZIP: the spreadsheet reader says the file is corrupt
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
            raise _archive_refusal()
        for member in members:
            if member.file_size >= RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _archive_refusal()
        total = 0
        try:
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(2**20):
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED_BYTES:
                            raise _archive_refusal()
        except (*_ZIP_ERRORS, NotImplementedError, RuntimeError, EOFError):
            # Corrupt, encrypted or an unknown compression: the spreadsheet reader can't either.
            raise TabularError(
                _(
                    "Không đọc được tệp bảng tính: tệp bị hỏng hoặc không đúng định dạng "
                    "(.xlsx, .xls, .ods). Hãy mở tệp bằng Excel/LibreOffice và lưu lại. (%(detail)s)"
                )
                % {"detail": "zip"}
            ) from None


def _spreadsheet_cells(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            return []
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own and plain errors (zip, xml, encoding...)
        raise TabularError(
            _(
                "Không đọc được tệp bảng tính: tệp bị hỏng hoặc không đúng định dạng "
                "(.xlsx, .xls, .ods). Hãy mở tệp bằng Excel/LibreOffice và lưu lại. (%(detail)s)"
            )
            % {"detail": str(error)[:200] or type(error).__name__}
        ) from None


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TabularError(
            _(
                "Tệp CSV không đúng mã hoá UTF-8 (hoặc không phải tệp văn bản). Trong Excel hãy chọn "
                "“Lưu thành” → “CSV UTF-8 (phân cách bằng dấu phẩy)”."
            )
        ) from None
    # A text file has no NUL and few control characters; anything else is a binary renamed .csv.
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in text or controls > 8:
        raise TabularError(_("Tệp CSV không phải tệp văn bản (có thể là ảnh hoặc tệp nhị phân bị đổi tên)."))
    return text


def _csv_cells(data: bytes) -> list[list[str]]:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    # The header decides: Vietnamese Excel writes ";" (the decimal separator is ",").
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        rows = []
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except csv.Error as error:
        if "field limit" in str(error):
            raise TabularError(
                _("Tệp CSV có một ô quá dài (tối đa %(max)s ký tự một ô).")
                % {"max": f"{MAX_CSV_FIELD:,}".replace(",", ".")}
            ) from None
        raise TabularError(_("Tệp CSV không hợp lệ: %(detail)s") % {"detail": error}) from None


def read_rows(file: Any, filename: str) -> list[dict[str, str]]:
    """The rows of the file's first sheet as dicts keyed by the (stripped) header cells.

    `file` is a path, bytes, or a binary file object (a Django upload). Values are text as the
    user typed it (cells are converted: 12.0 → "12", dates → dd/mm/yyyy, surrounding spaces
    dropped). Fully empty rows are skipped, so each row is a :class:`Row` (a dict) whose
    ``.number`` is its spreadsheet row number as the user sees it (header = 1, usually).

    Raises TabularError for an unknown extension, a corrupt or wrong-typed file, an empty file,
    a missing or duplicated header, or a file beyond the size bounds: MAX_FILE_BYTES for the file,
    MAX_UNCOMPRESSED_BYTES and MAX_RATIO for an .xlsx/.ods archive (checked before any cell is
    read), MAX_CSV_FIELD characters in a CSV field, MAX_ROWS rows, MAX_COLUMNS columns; a cell is
    cut at MAX_CELL characters.
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise TabularError(
            _("Định dạng tệp “%(ext)s” không được hỗ trợ. Hãy dùng tệp .xlsx, .xls, .ods hoặc .csv.")
            % {"ext": suffix or filename or "?"}
        )
    try:
        data = _read_bytes(file)
    except OSError as error:
        raise TabularError(_("Không đọc được tệp: %(detail)s") % {"detail": error}) from None
    if not data or not data.strip():
        raise TabularError(_("Tệp trống: không có dòng tiêu đề và dữ liệu."))
    if suffix in ZIP_EXTENSIONS:
        _check_archive(data)
    cells = _csv_cells(data) if suffix == ".csv" else _spreadsheet_cells(data)

    # The header is the first non-empty row (a title row above it would become the header, and
    # the importer's "missing columns" error then says what is wrong).
    start = 0
    while start < len(cells) and not any(_cell_text(c) for c in cells[start]):
        start += 1
    if start >= len(cells):
        raise TabularError(_("Tệp trống: không có dòng tiêu đề và dữ liệu."))
    header = [_cell_text(c) for c in cells[start]]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TabularError(_("Tệp có quá nhiều cột (tối đa %(max)s).") % {"max": MAX_COLUMNS})
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            raise TabularError(_("Cột “%(name)s” xuất hiện hai lần ở dòng tiêu đề.") % {"name": name})
        seen.add(name)
    if not seen:
        raise TabularError(_("Thiếu dòng tiêu đề (tên các cột) ở dòng đầu tiên."))
    if len(cells) - start - 1 > MAX_ROWS:
        raise TabularError(
            _("Tệp có quá nhiều dòng (tối đa %(max)s).") % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
        )

    rows: list[dict[str, str]] = []
    for index in range(start + 1, len(cells)):
        raw = cells[index]
        # The quote an export put before a formula-like value goes first (the export → import round
        # trip), then the surrounding spaces as for any cell.
        values = [_cell_text(restore(c) if isinstance(c, str) else c)[:MAX_CELL] for c in raw[: len(header)]]
        if not any(values):
            continue
        row = Row({name: (values[i] if i < len(values) else "") for i, name in enumerate(header) if name})
        row.number = index + 1
        row.errors = []
        for name, value in row.items():
            if not is_clean(value):
                row[name] = _without_unclean(value)
                row.errors.append(RowError(row.number, name, row[name], str(CLEAN_TEXT_MESSAGE)))
        rows.append(row)
    return rows


# The dates a spreadsheet cell may hold (dd/mm/yyyy first; a time part after a space is ignored).
DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def parse_day(value: str) -> dt.date | None:
    """The date in a cell (see DAY_FORMATS), None for an empty cell; ValueError for anything else."""
    if not value:
        return None
    text = value.strip().split(" ")[0]
    for pattern in DAY_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def row_number(row: Mapping[str, str], default: int = 0) -> int:
    """The spreadsheet row number read_rows recorded for a row (`default` for a plain dict)."""
    return getattr(row, "number", default)


# --- writing ---------------------------------------------------------------------------------------


def _xlsx_text(value: Any) -> Any:
    if value is None:
        return ""
    return value


class Spec:
    """A table layout: columns, a title and instructions; writes templates and exports.

    Subclasses (or instances) set ``columns``, ``title`` and ``instructions``; ``example`` is one
    row (key → text) written under the template's header.
    """

    columns: list[Column] = []
    title: str = ""
    instructions: list[str] = []
    example: dict[str, str] = {}

    def __init__(
        self,
        columns: list[Column] | None = None,
        title: str | None = None,
        instructions: list[str] | None = None,
        example: dict[str, str] | None = None,
    ) -> None:
        if columns is not None:
            self.columns = columns
        if title is not None:
            self.title = title
        if instructions is not None:
            self.instructions = instructions
        if example is not None:
            self.example = example

    # headers ↔ keys

    @property
    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def keyed(self, row: Mapping[str, str]) -> dict[str, str]:
        """A read row (header → text) as key → text; unknown headers are dropped, missing ones are ""."""
        by_header = {_norm_header(h): v for h, v in row.items()} if len(row) else {}
        return {
            c.key: by_header.get(name, "") for c, name in zip(self.columns, self._normalized(), strict=True)
        }

    def _normalized(self) -> list[str]:
        return [_norm_header(str(c.header)) for c in self.columns]

    def read(self, file: Any, filename: str) -> list[tuple[int, Row]]:
        """(spreadsheet row number, values by column key) of every data row of an import file.

        The values are a :class:`Row`: its ``errors`` are the cells breaking the text rule.

        Raises TabularError for an unreadable file, one without data rows or one missing a
        required column — before any row is looked at.
        """
        raw_rows = read_rows(file, filename)
        if not raw_rows:
            raise TabularError(_("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."))
        missing = self.missing_headers(raw_rows)
        if missing:
            raise TabularError(
                _("Tệp thiếu cột bắt buộc: %(columns)s. Hãy dùng tệp mẫu.") % {"columns": ", ".join(missing)}
            )
        # Every row of a file has the file's header as its keys: they are matched to columns once.
        header: dict[str, str] = {}
        for name in raw_rows[0]:
            header[_norm_header(name)] = name
        pairs = [(c.key, header.get(name)) for c, name in zip(self.columns, self._normalized(), strict=True)]
        return [
            (row_number(raw, index + 2), self._keyed_row(raw, pairs)) for index, raw in enumerate(raw_rows)
        ]

    def _keyed_row(self, raw: Mapping[str, str], pairs: list[tuple[str, str | None]]) -> Row:
        row = Row({key: raw.get(name, "") if name is not None else "" for key, name in pairs})
        row.number = row_number(raw)
        row.errors = list(getattr(raw, "errors", []))
        return row

    def missing_headers(self, rows: list[dict[str, str]], header: Iterable[str] | None = None) -> list[str]:
        """Required headers absent from the file (checked on the header of the first row)."""
        present = {_norm_header(h) for h in (header if header is not None else (rows[0] if rows else {}))}
        return [
            str(c.header) for c in self.columns if c.required and _norm_header(str(c.header)) not in present
        ]

    # writing

    def _workbook(self, stream: IO[bytes]) -> Any:
        import xlsxwriter

        return xlsxwriter.Workbook(
            stream,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )

    def _data_sheet(self, workbook: Any, name: str) -> Any:
        sheet = workbook.add_worksheet(name)
        bold = workbook.add_format(
            {"bold": True, "bg_color": "#E7F1E8", "border": 1, "text_wrap": True, "valign": "top"}
        )
        for index, column in enumerate(self.columns):
            sheet.write_string(0, index, str(column.header), bold)
            sheet.set_column(index, index, column.width, workbook.add_format({"num_format": "@"}))
            if column.help:
                sheet.write_comment(0, index, str(column.help), {"x_scale": 2, "y_scale": 2})
        sheet.freeze_panes(1, 0)
        return sheet

    def write_template(self, stream: IO[bytes]) -> None:
        """An .xlsx import template: headers, drop-downs for coded columns, an example row, instructions."""
        workbook = self._workbook(stream)
        sheet = self._data_sheet(workbook, str(_("Dữ liệu")))
        lists = None
        list_column = 0
        for index, column in enumerate(self.columns):
            value = self.example.get(column.key, "")
            if value:
                sheet.write_string(1, index, str(value))
            if not column.choices:
                continue
            codes = [str(code) for code, _label in column.choices]
            validation: dict[str, Any] = {
                "validate": "list",
                "error_type": "warning",
                "error_title": str(_("Giá trị không có trong danh sách")),
                "error_message": str(_("Hãy chọn một mã trong danh sách (xem trang “Hướng dẫn”).")),
                "input_title": str(column.header)[:32],
                "input_message": str(column.help)[:255],
            }
            if sum(len(c) + 1 for c in codes) <= 250:
                validation["source"] = codes
            else:
                # Excel caps an inline list at 255 characters: long lists live on a hidden sheet.
                if lists is None:
                    lists = workbook.add_worksheet("DanhMuc")
                    lists.hide()
                for position, code in enumerate(codes):
                    lists.write_string(position, list_column, code)
                letter = _column_letter(list_column)
                validation["source"] = f"=DanhMuc!${letter}$1:${letter}${len(codes)}"
                list_column += 1
            sheet.data_validation(1, index, 10_000, index, validation)

        guide = workbook.add_worksheet(str(_("Hướng dẫn")))
        title_format = workbook.add_format({"bold": True, "font_size": 14})
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        guide.set_column(0, 0, 34)
        guide.set_column(1, 1, 14)
        guide.set_column(2, 2, 90)
        line = 0
        guide.write_string(line, 0, str(self.title), title_format)
        line += 2
        for text in self.instructions:
            guide.write_string(line, 0, f"• {text}")
            line += 1
        line += 1
        guide.write_string(line, 0, str(_("Cột")), bold)
        guide.write_string(line, 1, str(_("Bắt buộc")), bold)
        guide.write_string(line, 2, str(_("Cách điền")), bold)
        line += 1
        for column in self.columns:
            guide.write_string(line, 0, str(column.header))
            needed = str(_("Có")) if column.required else str(column.when)
            guide.write_string(line, 1, needed, wrap)
            guide.write_string(line, 2, str(column.help), wrap)
            line += 1
            for code, label in column.choices or []:
                if len(column.choices) > 60:
                    break  # long lists (units...) are on the drop-down only
                guide.write_string(line, 1, str(code))
                guide.write_string(line, 2, str(label))
                line += 1
        workbook.close()

    def write_rows(
        self, rows: Iterable[Mapping[str, Any]], stream: IO[bytes] | IO[str], fmt: str = "xlsx"
    ) -> None:
        """Rows (key → value) under the template's headers, as .xlsx or .csv (UTF-8 with BOM for Excel)."""
        if fmt == "csv":
            text = io.StringIO(newline="")
            writer = csv.writer(text)
            writer.writerow(self.headers)
            for row in rows:
                writer.writerow([_csv_text(row.get(c.key)) for c in self.columns])
            data = "\ufeff" + text.getvalue()
            try:
                stream.write(data.encode("utf-8"))  # type: ignore[arg-type]
            except TypeError:
                stream.write(data)  # type: ignore[arg-type]
            return
        if fmt != "xlsx":
            raise ValueError(f"Unknown format {fmt!r}")
        workbook = self._workbook(stream)
        sheet = self._data_sheet(workbook, str(_("Dữ liệu")))
        for line, row in enumerate(rows, start=1):
            for index, column in enumerate(self.columns):
                value = _text(row.get(column.key))
                if value:
                    # Typed text, never a formula; only a value the importer would change (a quote
                    # before a formula-like value) is neutralised, so that it reads back unchanged.
                    sheet.write_string(line, index, neutralise(value) if escapes(value) else value)
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _csv_text(value: Any) -> str:
    """A CSV cell: text a spreadsheet would run as a formula gets the OWASP quote; numbers stay numbers."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)  # a negative number is a number, not a formula
    return neutralise(_text(value))


def _norm_header(header: str) -> str:
    return " ".join(str(header).replace("*", " ").split()).casefold()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def write_error_report(errors: list[RowError], stream: IO[bytes]) -> None:
    """An .xlsx listing each error: row, column, value, message (Vietnamese headers)."""
    spec = Spec(
        columns=[
            Column(_("Dòng"), "row", width=8),
            Column(_("Cột"), "column", width=30),
            Column(_("Giá trị"), "value", width=40),
            Column(_("Lỗi"), "message", width=90),
        ]
    )
    spec.write_rows(
        ({"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in errors), stream
    )
