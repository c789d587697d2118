"""What a report shows, read from its frozen figures: one ``Document`` that the page, the XLSX and
the PDF all render, so the three always show the same numbers.

Nothing here queries the database: labels of stars, flows, sectors and producer types are the
platform's (in the reader's language); names of units, plans and indicators are those frozen in the
figures (a unit renamed since keeps its name in an old report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ocop.core.formatting import format_date, format_number
from ocop.registry import classification

from ..models import PeriodicReport, ReportStatus
from .figures import FLOWS, OCOP, STARS

Cell = int | float | Decimal | str | None


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = True
    width: int = 12  # characters, for the spreadsheet (the text columns grow to fit their cells)


@dataclass
class Table:
    key: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None  # the "Tổng cộng" line, printed in bold
    after_total: list[list[Cell]] = field(default_factory=list)  # lines outside the total
    note: str = ""
    empty: str = ""  # said instead of an empty table

    @property
    def lines(self) -> list[dict[str, Any]]:
        """The rows as printed (page, PDF): {"kind": "row" or "total", "cells": [(text, numeric)]}."""
        numeric = [column.numeric for column in self.columns]

        def cells(line: Sequence[Cell]) -> list[tuple[str, bool]]:
            return [(shown(value), numeric[index]) for index, value in enumerate(line)]

        printed = [{"kind": "row", "cells": cells(line)} for line in self.rows]
        if self.total:
            printed.append({"kind": "total", "cells": cells(self.total)})
        printed += [{"kind": "row", "cells": cells(line)} for line in self.after_total]
        return printed

    @property
    def column_percents(self) -> list[int]:
        """Each column's share of the printed width, from its width in characters."""
        total = sum(column.width for column in self.columns) or 1
        return [max(4, round(100 * column.width / total)) for column in self.columns]

    @property
    def short_title(self) -> str:
        """The name of its spreadsheet tab."""
        return {
            "stars": _("Hạng sao"),
            "flows": _("Biến động trong kỳ"),
            "sectors": _("Theo ngành"),
            "producers": _("Chủ thể"),
            "areas": _("Theo địa bàn"),
            "targets": _("Chỉ tiêu kế hoạch"),
            "rollup": _("Các tỉnh đã nộp"),
            "missing": _("Các tỉnh chưa nộp"),
        }.get(self.key, self.title)

    @property
    def wide(self) -> bool:
        """Landscape when printed (more than five columns)."""
        return len(self.columns) > 5


@dataclass
class Document:
    report: PeriodicReport
    heading: str  # "BÁO CÁO"
    title: str  # "Kết quả thực hiện Chương trình OCOP 6 tháng đầu năm 2026"
    unit: str
    period: str  # "01/01/2026 – 30/06/2026"
    as_of: dt.date | None
    as_of_line: str  # "Số liệu tính đến ngày 30/06/2026"
    partial_note: str  # set when the period was not over when the figures were taken
    status_line: str  # "Đã nộp ngày … bởi …" or "Dự thảo — số liệu lấy lúc …"
    narrative: str
    summary: list[tuple[str, Cell]]
    tables: list[Table]

    @property
    def has_figures(self) -> bool:
        return bool(self.report.figures)

    @property
    def summary_lines(self) -> list[tuple[str, str]]:
        return [(label, shown(value) if value is not None else "—") for label, value in self.summary]

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.narrative.splitlines() if part.strip()]


def star_label(key: str) -> str:
    return {
        "3": _("3 sao"),
        "4": _("4 sao"),
        "4p": _("4 sao tiềm năng 5 sao"),
        "5": _("5 sao"),
        "revoked": _("Bị thu hồi giấy chứng nhận"),
        "none": _("Chưa có sao hoặc hết hiệu lực"),
    }[key]


def star_short(key: str) -> str:
    return {
        "3": _("3★"),
        "4": _("4★"),
        "4p": _("4★ tiềm năng 5★"),
        "5": _("5★"),
        "revoked": _("Thu hồi"),
        "none": _("Chưa có sao"),
    }[key]


def flow_label(key: str) -> str:
    return {
        "new": _("Sản phẩm được công nhận lần đầu"),
        "reevaluated": _("Sản phẩm được đánh giá lại, công nhận lại (giấy chứng nhận mới)"),
        "upgraded": _("— trong đó được nâng hạng sao"),
        "expired": _("Giấy chứng nhận hết hạn mà sản phẩm chưa được công nhận lại"),
        "revoked": _("Giấy chứng nhận bị thu hồi"),
    }[key]


def flow_short(key: str) -> str:
    return {
        "new": _("Mới"),
        "reevaluated": _("Đánh giá lại"),
        "upgraded": _("Nâng hạng"),
        "expired": _("Hết hạn"),
        "revoked": _("Thu hồi"),
    }[key]


def _sector_label(code: str, name: str) -> str:
    try:
        return f"{code}. {classification.get_sector(code).label}"
    except ValueError:
        return name or _("Chưa xếp ngành (phân loại cũ)")


def _producer_type_label(code: str, name: str) -> str:
    try:
        return str(classification.ProducerType(code).label)
    except ValueError:
        return name or code


def _day(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _number(value: Any) -> Cell:
    """A frozen number as a number (JSON keeps decimals as strings or floats)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return int(number) if number == number.to_integral_value() else number


def _star_table(figures: dict[str, Any]) -> Table:
    stars = figures.get("stars") or {}
    return Table(
        "stars",
        _("Sản phẩm OCOP theo hạng sao"),
        [Column(_("Hạng sao"), numeric=False, width=40), Column(_("Số sản phẩm"), width=14)],
        [[star_label(key), int(stars.get(key, 0))] for key in STARS],
        total=[_("Tổng số sản phẩm OCOP còn hiệu lực"), sum(int(stars.get(key, 0)) for key in OCOP)],
        after_total=[[star_label(key), int(stars.get(key, 0))] for key in ("revoked", "none")],
        note=_(
            "“4 sao” không gồm sản phẩm 4 sao tiềm năng 5 sao: tổng OCOP = 3 sao + 4 sao + 4 sao tiềm năng "
            "5 sao + 5 sao. Sản phẩm bị thu hồi và sản phẩm chưa có sao tính riêng, ngoài tổng."
        ),
    )


def _flow_table(figures: dict[str, Any], period: str) -> Table:
    flows = figures.get("flows") or {}
    return Table(
        "flows",
        _("Biến động trong kỳ (%(period)s)") % {"period": period},
        [Column(_("Nội dung"), numeric=False, width=56), Column(_("Số lượng"), width=12)],
        [[flow_label(key), int(flows.get(key, 0))] for key in FLOWS],
        note=_(
            "Đếm theo giấy chứng nhận có ngày cấp, ngày hết hạn hoặc ngày thu hồi trong kỳ, "
            "đến ngày tính số liệu."
        ),
    )


def _sector_table(figures: dict[str, Any]) -> Table:
    rows = [
        [
            _sector_label(row.get("code", ""), row.get("name", "")),
            int(row.get("products", 0)),
            int(row.get("ocop", 0)),
        ]
        for row in figures.get("sectors") or []
    ]
    return Table(
        "sectors",
        _("Sản phẩm theo ngành"),
        [
            Column(_("Ngành"), numeric=False, width=44),
            Column(_("Số sản phẩm"), width=14),
            Column(_("Trong đó OCOP còn hiệu lực"), width=16),
        ],
        rows,
        total=[_("Tổng cộng"), sum(row[1] for row in rows), sum(row[2] for row in rows)],
    )


def _producer_table(figures: dict[str, Any]) -> Table:
    rows = [
        [
            _producer_type_label(row.get("code", ""), row.get("name", "")),
            int(row.get("count", 0)),
            int(row.get("ocop", 0)),
        ]
        for row in figures.get("producers") or []
    ]
    return Table(
        "producers",
        _("Chủ thể theo loại hình"),
        [
            Column(_("Loại hình chủ thể"), numeric=False, width=40),
            Column(_("Số chủ thể"), width=12),
            Column(_("Trong đó có sản phẩm OCOP"), width=16),
        ],
        rows,
        total=[_("Tổng cộng"), sum(row[1] for row in rows), sum(row[2] for row in rows)],
        note=_("Chủ thể trên địa bàn (trừ chủ thể đã giải thể) vào ngày tính số liệu."),
    )


AREA_KEYS = (*STARS, "revoked")


def _area_table(figures: dict[str, Any]) -> Table | None:
    areas = figures.get("areas")
    if not areas:
        return None
    by_province = areas.get("level") == "province"
    rows = []
    for row in areas.get("rows") or []:
        counts = [int(row.get(key, 0)) for key in AREA_KEYS]
        rows.append([row.get("name", ""), *counts[:4], sum(counts[:4]), counts[4]])
    columns = [
        Column(_("Tỉnh, thành phố") if by_province else _("Xã, phường, đặc khu"), numeric=False, width=30),
        *(Column(star_short(key), width=10) for key in STARS),
        Column(_("Tổng OCOP"), width=11),
        Column(star_short("revoked"), width=10),
    ]
    total = [_("Tổng cộng"), *(sum(row[index] for row in rows) for index in range(1, len(columns)))]
    return Table(
        "areas",
        _("Sản phẩm OCOP theo tỉnh, thành phố") if by_province else _("Sản phẩm OCOP theo xã, phường"),
        columns,
        rows,
        total=total if rows else None,
        empty=_("Chưa có sản phẩm OCOP trên địa bàn."),
        note="" if by_province else _("Chỉ liệt kê các xã, phường có sản phẩm trong chương trình."),
    )


def _on_track(value: Any) -> str:
    if value is True:
        return _("Đạt tiến độ")
    if value is False:
        return _("Chậm tiến độ")
    return "—"


def _target_table(figures: dict[str, Any]) -> Table:
    rows = []
    for row in figures.get("targets") or []:
        deadline = _day(row.get("deadline"))
        rows.append(
            [
                row.get("plan", ""),
                row.get("name") or row.get("indicator", ""),
                row.get("unit", ""),
                _number(row.get("baseline")),
                _number(row.get("target")),
                format_date(deadline) if deadline else "",
                _number(row.get("current")),
                _number(row.get("share")),
                _number(row.get("expected")),
                _on_track(row.get("on_track")),
            ]
        )
    return Table(
        "targets",
        _("Chỉ tiêu kế hoạch và tiến độ thực hiện"),
        [
            Column(_("Kế hoạch"), numeric=False, width=30),
            Column(_("Chỉ tiêu"), numeric=False, width=34),
            Column(_("Đơn vị tính"), numeric=False, width=10),
            Column(_("Đầu kỳ"), width=10),
            Column(_("Mục tiêu"), width=10),
            Column(_("Thời hạn"), numeric=False, width=11),
            Column(_("Thực hiện"), width=10),
            Column(_("Tỷ lệ hoàn thành (%)"), width=12),
            Column(_("Cần đạt đến nay"), width=12),
            Column(_("Đánh giá"), numeric=False, width=14),
        ],
        rows,
        empty=_("Đơn vị chưa có kế hoạch với chỉ tiêu đến hạn trong thời gian này."),
        note=_(
            "Tiến độ tính đến ngày số liệu; “Cần đạt đến nay”: giá trị cần có nếu tiến độ đều "
            "từ đầu kỳ kế hoạch."
        ),
    )


def _rollup_tables(figures: dict[str, Any]) -> list[Table]:
    rollup = figures.get("rollup")
    if rollup is None:
        return []
    columns = [
        Column(_("Tỉnh, thành phố"), numeric=False, width=26),
        Column(_("Ngày nộp"), numeric=False, width=11),
        Column(_("Số liệu đến ngày"), numeric=False, width=11),
        *(Column(star_short(key), width=9) for key in STARS),
        Column(_("Tổng OCOP"), width=10),
        *(Column(flow_short(key), width=10) for key in FLOWS),
    ]
    rows = []
    for row in rollup.get("filed") or []:
        stars, flows = row.get("stars") or {}, row.get("flows") or {}
        filed, as_of = _day(row.get("filed_on")), _day(row.get("as_of"))
        rows.append(
            [
                row.get("name", ""),
                format_date(filed) if filed else "",
                format_date(as_of) if as_of else "",
                *(int(stars.get(key, 0)) for key in STARS),
                sum(int(stars.get(key, 0)) for key in OCOP),
                *(int(flows.get(key, 0)) for key in FLOWS),
            ]
        )
    totals = rollup.get("totals") or {}
    total_stars, total_flows = totals.get("stars") or {}, totals.get("flows") or {}
    total = [
        _("Tổng các tỉnh đã nộp (%(count)s)") % {"count": len(rows)},
        "",
        "",
        *(int(total_stars.get(key, 0)) for key in STARS),
        sum(int(total_stars.get(key, 0)) for key in OCOP),
        *(int(total_flows.get(key, 0)) for key in FLOWS),
    ]
    filed = Table(
        "rollup",
        _("Báo cáo các tỉnh, thành phố đã nộp cho kỳ này"),
        columns,
        rows,
        total=total if rows else None,
        empty=_("Chưa tỉnh, thành phố nào nộp báo cáo kỳ này."),
        note=_(
            "Số liệu do các tỉnh đã nộp (giữ nguyên như khi nộp), để đối chiếu với số liệu toàn quốc ở trên."
        ),
    )
    missing_rows: list[list[Cell]] = [
        [index, row.get("name", "")] for index, row in enumerate(rollup.get("missing") or [], start=1)
    ]
    missing = Table(
        "missing",
        _("Tỉnh, thành phố chưa nộp báo cáo kỳ này"),
        [
            Column(pgettext("row number", "STT"), width=6),
            Column(_("Tỉnh, thành phố"), numeric=False, width=30),
        ],
        missing_rows,
        empty=_("Tất cả các tỉnh, thành phố đã nộp báo cáo."),
    )
    return [filed, missing]


def _status_line(report: PeriodicReport) -> str:
    if report.status == ReportStatus.FILED and report.filed_at is not None:
        who = report.filed_by
        name = (who.get_full_name().strip() or who.get_username()) if who is not None else "—"
        return _("Đã nộp ngày %(day)s, người nộp: %(name)s") % {
            "day": format_date(_local_day(report.filed_at)),
            "name": name,
        }
    return _("Dự thảo, chưa nộp")


def _local_day(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def document(report: PeriodicReport) -> Document:
    """The report as every format shows it (the page, the XLSX, the PDF)."""
    figures = report.figures or {}
    period = f"{format_date(report.period_start)} – {format_date(report.period_end)}"
    as_of = _day(figures.get("as_of"))
    partial_note = ""
    if as_of is not None and not figures.get("complete", as_of >= report.period_end):
        partial_note = _(
            "Kỳ báo cáo chưa kết thúc khi lấy số liệu: số liệu tính đến ngày %(day)s, chưa đủ cả kỳ "
            "(kỳ kết thúc ngày %(end)s)."
        ) % {"day": format_date(as_of), "end": format_date(report.period_end)}
    stars = figures.get("stars") or {}
    summary: list[tuple[str, Cell]] = []
    tables: list[Table] = []
    if figures:
        summary = [
            (_("Sản phẩm OCOP còn hiệu lực"), sum(int(stars.get(key, 0)) for key in OCOP)),
            (star_label("5"), int(stars.get("5", 0))),
            (star_label("4p"), int(stars.get("4p", 0))),
            (_("Mới công nhận trong kỳ"), int((figures.get("flows") or {}).get("new", 0))),
            (_("Bị thu hồi trong kỳ"), int((figures.get("flows") or {}).get("revoked", 0))),
        ]
        summary.append(
            (
                _("Tỷ lệ chủ thể là HTX, doanh nghiệp (%)"),
                _number(figures.get("cooperatives_and_enterprises_share")),
            )
        )
        if figures.get("unit", {}).get("level") != "commune":
            summary.append((_("Số xã, phường có sản phẩm OCOP"), int(figures.get("communes_with_ocop", 0))))
        tables = [
            _star_table(figures),
            _flow_table(figures, period),
            _sector_table(figures),
            _producer_table(figures),
        ]
        if (areas := _area_table(figures)) is not None:
            tables.append(areas)
        tables.append(_target_table(figures))
        tables += _rollup_tables(figures)
    kind_title = (
        _("Kết quả thực hiện Chương trình OCOP 6 tháng đầu năm %(year)s")
        if report.kind == "semiannual"
        else _("Kết quả thực hiện Chương trình OCOP năm %(year)s")
    ) % {"year": report.year}
    return Document(
        report=report,
        heading=_("BÁO CÁO"),
        title=kind_title,
        unit=figures.get("unit", {}).get("name") or report.unit_name,
        period=period,
        as_of=as_of,
        as_of_line=_("Số liệu tính đến ngày %(day)s") % {"day": format_date(as_of)} if as_of else "",
        partial_note=partial_note,
        status_line=_status_line(report),
        narrative=report.narrative,
        summary=summary,
        tables=tables,
    )


def shown(value: Cell) -> str:
    """A cell as printed on the page and in the PDF (Vietnamese number format)."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_number(value)
    return str(value)
