"""A periodic report as an .xlsx workbook (XlsxWriter), laid out for printing.

The first sheet ("Báo cáo") holds the title block, the key figures and the officer's narrative;
each table of the report has its own sheet, which prints on A4 (landscape when it has more than
five columns) fitted to the page's width, with the title block (unit, period, "Số liệu tính đến
ngày dd/mm/yyyy") at the top, the table's header row repeated on every page, borders, columns
sized to their content and the page number in the footer.

Cells are typed: numbers as numbers, text as text (``write_string`` with formulas off: a narrative
line starting with "=" or "-" stays text). Everything comes from ``display.document``, as the page
and the PDF.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from .display import Cell, Document, Table

A4 = 9  # XlsxWriter's paper code
TEXT_WIDTH_MAX = 60
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, counter = base, 2
    while name.casefold() in taken:
        suffix = f" ({counter})"
        name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    taken.add(name.casefold())
    return name


class _Styles:
    def __init__(self, workbook: Any) -> None:
        font = {"font_name": "Times New Roman", "font_size": 11}
        border = {"border": 1, "valign": "vcenter"}
        self.heading = workbook.add_format({**font, "bold": True, "font_size": 14})
        self.title = workbook.add_format({**font, "bold": True, "font_size": 12})
        self.line = workbook.add_format(font)
        self.emphasis = workbook.add_format({**font, "italic": True})
        self.warning = workbook.add_format({**font, "italic": True, "font_color": "#9C2A00"})
        self.header = workbook.add_format(
            {**font, **border, "bold": True, "bg_color": "#E7F1E8", "text_wrap": True, "align": "center"}
        )
        self.text = workbook.add_format({**font, **border, "text_wrap": True})
        self.number = workbook.add_format({**font, **border, "num_format": "#,##0"})
        self.decimal = workbook.add_format({**font, **border, "num_format": "#,##0.0#"})
        self.total_text = workbook.add_format({**font, **border, "bold": True, "bg_color": "#F3F3F3"})
        self.total_number = workbook.add_format(
            {**font, **border, "bold": True, "bg_color": "#F3F3F3", "num_format": "#,##0"}
        )
        self.note = workbook.add_format({**font, "italic": True, "font_size": 10, "text_wrap": True})
        self.paragraph = workbook.add_format({**font, "text_wrap": True, "valign": "top"})


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell_length(value: Cell) -> int:
    if value is None:
        return 0
    if _is_number(value):
        return len(f"{value:,}") if isinstance(value, int) else len(str(value)) + 2
    return max((len(part) for part in str(value).splitlines()), default=0)


def _widths(table: Table) -> list[int]:
    """Each column as wide as its longest cell (text capped, wrapped beyond), at least its default."""
    lines = [*table.rows, *([table.total] if table.total else []), *table.after_total]
    widths = []
    for index, column in enumerate(table.columns):
        longest = max((_cell_length(line[index]) for line in lines if index < len(line)), default=0)
        header = max((len(word) for word in str(column.label).split()), default=0)
        width = max(column.width, header + 2, longest + 2)
        widths.append(min(width, TEXT_WIDTH_MAX) if not column.numeric else min(width, 20))
    return widths


def _page_setup(sheet: Any, landscape: bool, header_row: int | None, document: Document) -> None:
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages long as needed
    sheet.center_horizontally()
    if header_row is not None:
        sheet.repeat_rows(header_row)
    footer = _("Trang &P/&N")
    sheet.set_footer(f"&L{_escape_footer(document.unit)}&R{footer}")


def _escape_footer(text: str) -> str:
    return text.replace("&", "&&")[:100]


def _title_block(sheet: Any, styles: _Styles, document: Document, last_column: int) -> int:
    """Writes the title block; returns the next free row."""
    lines = [
        (f"{document.heading} — {document.title}", styles.heading),
        (_("Đơn vị: %(unit)s") % {"unit": document.unit}, styles.title),
        (_("Kỳ báo cáo: %(period)s") % {"period": document.period}, styles.line),
        (document.as_of_line, styles.line),
    ]
    if document.partial_note:
        lines.append((document.partial_note, styles.warning))
    lines.append((document.status_line, styles.emphasis))
    for row, (text, style) in enumerate(lines):
        if last_column > 0:
            sheet.merge_range(row, 0, row, last_column, "", style)
        sheet.write_string(row, 0, text, style)
    return len(lines) + 1


def _write_cell(sheet: Any, row: int, column: int, value: Cell, styles: _Styles, total: bool = False) -> None:
    if _is_number(value):
        style = (
            styles.total_number if total else (styles.number if isinstance(value, int) else styles.decimal)
        )
        sheet.write_number(row, column, float(value) if isinstance(value, Decimal) else value, style)
    else:
        style = styles.total_text if total else styles.text
        sheet.write_string(row, column, "" if value is None else str(value), style)


def _table_sheet(workbook: Any, styles: _Styles, document: Document, table: Table, taken: set[str]) -> None:
    sheet = workbook.add_worksheet(sheet_name(table.short_title, taken))
    last = len(table.columns) - 1
    for index, width in enumerate(_widths(table)):
        sheet.set_column(index, index, width)
    row = _title_block(sheet, styles, document, last)
    if last > 0:
        sheet.merge_range(row, 0, row, last, "", styles.title)
    sheet.write_string(row, 0, table.title, styles.title)
    row += 1
    header_row = row
    for index, column in enumerate(table.columns):
        sheet.write_string(row, index, str(column.label), styles.header)
    row += 1
    if not table.rows and table.empty:
        if last > 0:
            sheet.merge_range(row, 0, row, last, "", styles.text)
        sheet.write_string(row, 0, table.empty, styles.text)
        row += 1
    for line in table.rows:
        for index, value in enumerate(line):
            _write_cell(sheet, row, index, value, styles)
        row += 1
    if table.total:
        for index, value in enumerate(table.total):
            _write_cell(sheet, row, index, value, styles, total=True)
        row += 1
    for line in table.after_total:
        for index, value in enumerate(line):
            _write_cell(sheet, row, index, value, styles)
        row += 1
    if table.note:
        row += 1
        if last > 0:
            sheet.merge_range(row, 0, row, last, "", styles.note)
        sheet.write_string(row, 0, table.note, styles.note)
        sheet.set_row(row, 15 * (len(table.note) // max(20, sum(_widths(table))) + 1))
    _page_setup(sheet, table.wide, header_row, document)


def _front_sheet(workbook: Any, styles: _Styles, document: Document, taken: set[str]) -> None:
    sheet = workbook.add_worksheet(sheet_name(_("Báo cáo"), taken))
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, 1, 16)
    row = _title_block(sheet, styles, document, 1)
    header_row = None
    if document.summary:
        sheet.merge_range(row, 0, row, 1, "", styles.title)
        sheet.write_string(row, 0, _("Số liệu chính"), styles.title)
        row += 1
        header_row = row
        sheet.write_string(row, 0, _("Chỉ tiêu"), styles.header)
        sheet.write_string(row, 1, _("Giá trị"), styles.header)
        row += 1
        for label, value in document.summary:
            _write_cell(sheet, row, 0, label, styles)
            _write_cell(sheet, row, 1, value if value is not None else "—", styles)
            row += 1
        row += 1
    sheet.merge_range(row, 0, row, 1, "", styles.title)
    sheet.write_string(row, 0, _("Đánh giá của đơn vị"), styles.title)
    row += 1
    paragraphs = [part.strip() for part in document.narrative.splitlines() if part.strip()]
    if not paragraphs:
        paragraphs = [_("(Chưa viết nội dung đánh giá.)")]
    for paragraph in paragraphs:
        sheet.merge_range(row, 0, row, 1, "", styles.paragraph)
        sheet.write_string(row, 0, paragraph, styles.paragraph)
        # Merged cells do not grow with their text: the row is sized for the wrapped lines.
        sheet.set_row(row, 15 * (len(paragraph) // 70 + 1))
        row += 1
    _page_setup(sheet, False, header_row, document)


def write(document: Document, stream: IO[bytes]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        stream,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"title": f"{document.title} — {document.unit}", "comments": document.as_of_line})
    styles = _Styles(workbook)
    taken: set[str] = set()
    _front_sheet(workbook, styles, document, taken)
    for table in document.tables:
        _table_sheet(workbook, styles, document, table, taken)
    workbook.close()
