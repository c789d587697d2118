"""/oversight/stats/: the oversight figures of a unit and period (ocop.oversight.stats), and their export.

Both read the same GET parameters: ``unit`` (a current province or commune in the user's scope),
``year``, or ``start``/``end`` (dd/mm/yyyy; they win over the year).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import IO, Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.certification.models import RevocationGround
from ocop.core import clock
from ocop.core.cells import neutralise
from ocop.core.forms import BootstrapFormMixin, DateInput
from ocop.core.generic import EXPORT_CONTENT_TYPES, EXPORT_SPOOL_BYTES, export_filename
from ocop.core.scoping import ADD, role_can
from ocop.geo.models import Level, Unit

from .. import stats
from ..models import FindingKind, Inspection, Outcome

FIRST_YEAR = 2019  # the history import reaches back to the plans of the 2018–2020 programme


class StatsForm(BootstrapFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("Địa bàn"), coerce=int, required=False, empty_value=None)
    year = forms.TypedChoiceField(label=gettext_lazy("Năm"), coerce=int, required=False, empty_value=None)
    start = forms.DateField(label=gettext_lazy("Từ ngày"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Đến ngày"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        today = clock.today()
        self.fields["year"].choices = [("", _("Năm nay"))] + [
            (year, str(year)) for year in range(today.year, FIRST_YEAR - 1, -1)
        ]
        chosen = self._chosen_unit()
        province = None
        if stats.area_of(user) == "national" and chosen is not None:
            province = chosen if chosen.level == Level.PROVINCE else chosen.current_province
        choices: list[tuple[Any, str]] = []
        if stats.area_of(user) == "national":
            choices.append(("", _("Toàn quốc")))
        for unit in stats.units_in_scope(user, province):
            prefix = "— " if unit.level == Level.COMMUNE and stats.area_of(user) != "commune" else ""
            choices.append((unit.pk, f"{prefix}{unit.name}"))
        if stats.area_of(user) == "national" and province is not None:
            # The other provinces stay one click away.
            choices += [(unit.pk, unit.name) for unit in stats.units_in_scope(user) if unit.pk != province.pk]
        self.fields["unit"].choices = choices

    def _chosen_unit(self) -> Unit | None:
        raw = self.data.get("unit") if self.is_bound else None
        if not raw:
            return None
        try:
            unit = Unit.objects.select_related("current_province").get(pk=int(raw))
        except (Unit.DoesNotExist, TypeError, ValueError):
            return None
        return unit if stats.in_scope(self.user, unit) else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        return data

    def query(self) -> dict[str, Any]:
        """The keyword arguments of stats.figures() the form asks for (the defaults when invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if not start and not end and data.get("year"):
            start, end = dt.date(data["year"], 1, 1), dt.date(data["year"], 12, 31)
        return {"unit": data.get("unit"), "start": start, "end": end}


def _figures(request: HttpRequest) -> tuple[StatsForm, dict[str, Any]] | HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if stats.area_of(user) == "none":
        raise PermissionDenied
    form = StatsForm(request.GET or None, user=user)
    try:
        figures = stats.figures(user, **form.query())
    except (PermissionDenied, ValueError):
        figures = stats.figures(user)
    return form, figures


def _unit_label(figures: dict[str, Any]) -> str:
    return figures["unit"]["name"] if figures["unit"] else _("Toàn quốc")


def _tables(figures: dict[str, Any]) -> dict[str, Any]:
    """Labelled rows of the figures' tables (the page's and the export's)."""
    conclusions = figures["conclusions"]
    findings = figures["findings"]
    grounds = figures["revocations"]["by_ground"]
    return {
        "conclusions": [(str(o.label), conclusions[o.value]) for o in Outcome],
        "findings": [
            (str(kind.label), [findings[kind.value][a.value] for a in stats.ANSWERS]) for kind in FindingKind
        ],
        "answers": [str(a.label) for a in stats.ANSWERS],
        "grounds": [(g.value, str(g.label), grounds.get(g.value, 0)) for g in RevocationGround],
    }


def stats_page(request: HttpRequest) -> HttpResponse:
    """Figures of the chosen unit and period: headline cards, tables, provinces for national users."""
    outcome = _figures(request)
    if isinstance(outcome, HttpResponse):
        return outcome
    form, figures = outcome
    query = request.GET.urlencode()
    context = {
        "form": form,
        "f": figures,
        "unit_label": _unit_label(figures),
        "tables": _tables(figures),
        "query": query,
        # The history of past inspections comes in through the registry's import wizard.
        "may_import": role_can(request.user, ADD, Inspection),
        "province_columns": [label for _group, _key, label in PROVINCE_COLUMNS],
        "province_rows": [
            (row["province"], [province_value(row, group, key) for group, key, _label in PROVINCE_COLUMNS])
            for row in figures["by_province"] or []
        ],
    }
    return render(request, "oversight/stats.html", context)


def stats_export(request: HttpRequest) -> HttpResponse:
    """The same figures as an .xlsx workbook: the summary, and the provinces for national users."""
    outcome = _figures(request)
    if isinstance(outcome, HttpResponse):
        return outcome
    _form, figures = outcome
    stream = tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    try:
        write_workbook(figures, stream)
    except BaseException:
        stream.close()
        raise
    stream.seek(0)
    name = _("Số liệu kiểm tra giám sát %(unit)s") % {"unit": _unit_label(figures)}
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=export_filename(name, "xlsx"),
        content_type=EXPORT_CONTENT_TYPES["xlsx"],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def summary_rows(figures: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    """(section, label, number) lines of the summary sheet; a None number is a section heading."""
    f = figures
    tables = _tables(f)
    rows: list[tuple[str, str, int | None]] = [
        (_("Chủ thể"), _("Theo kế hoạch"), f["producers"]["planned"]),
        (_("Chủ thể"), _("Đã kiểm tra"), f["producers"]["inspected"]),
        (_("Sản phẩm"), _("Theo kế hoạch"), f["products"]["planned"]),
        (_("Sản phẩm"), _("Đã kiểm tra"), f["products"]["inspected"]),
    ]
    rows += [(_("Kết luận theo sản phẩm"), label, count) for label, count in tables["conclusions"]]
    for kind, counts in tables["findings"]:
        rows += [(kind, answer, count) for answer, count in zip(tables["answers"], counts, strict=True)]
    rows += [
        (_("Cảnh báo"), _("Đã đưa ra"), f["warnings"]["issued"]),
        (_("Cảnh báo"), _("Chưa khắc phục"), f["warnings"]["open"]),
        (_("Cảnh báo"), _("Quá hạn khắc phục"), f["warnings"]["overdue"]),
        (_("Cảnh báo"), _("Đã khắc phục"), f["warnings"]["closed"]),
        (_("Thu hồi giấy chứng nhận"), _("Tổng số"), f["revocations"]["total"]),
        (_("Thu hồi giấy chứng nhận"), _("Theo kết luận kiểm tra"), f["revocations"]["from_inspection"]),
    ]
    rows += [(_("Thu hồi giấy chứng nhận"), label, count) for _code, label, count in tables["grounds"]]
    rows += [
        (_("Đưa ra khỏi chương trình"), _("Sản phẩm"), f["removed"]),
        (_("Phản ánh của người tiêu dùng"), _("Đã nhận"), f["reports"]["received"]),
        (_("Phản ánh của người tiêu dùng"), _("Chưa xử lý"), f["reports"]["new"]),
        (_("Phản ánh của người tiêu dùng"), _("Đang xử lý"), f["reports"]["in_progress"]),
        (_("Phản ánh của người tiêu dùng"), _("Đã xử lý xong"), f["reports"]["closed"]),
        (_("Dấu hiệu từ lượt quét"), _("Cần xem xét (hiện nay)"), f["signals"]["open"]),
    ]
    return rows


PROVINCE_COLUMNS = (
    ("producers", "planned", gettext_lazy("Chủ thể theo kế hoạch")),
    ("producers", "inspected", gettext_lazy("Chủ thể đã kiểm tra")),
    ("products", "planned", gettext_lazy("Sản phẩm theo kế hoạch")),
    ("products", "inspected", gettext_lazy("Sản phẩm đã kiểm tra")),
    ("warnings", "open", gettext_lazy("Cảnh báo chưa khắc phục")),
    ("revocations", "total", gettext_lazy("Thu hồi")),
    ("removed", None, gettext_lazy("Đưa ra khỏi chương trình")),
    ("reports", "received", gettext_lazy("Phản ánh đã nhận")),
    ("signals", "open", gettext_lazy("Dấu hiệu cần xem xét")),
)


def province_value(row: dict[str, Any], group: str, key: str | None) -> int:
    return row[group] if key is None else row[group][key]


def write_workbook(figures: dict[str, Any], stream: IO[bytes]) -> None:
    """Typed cells only: text as text (never a formula), numbers as numbers."""
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
    bold = workbook.add_format({"bold": True, "bg_color": "#E7F1E8", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 13})

    def text(sheet: Any, line: int, column: int, value: str, style: Any = None) -> None:
        sheet.write_string(line, column, neutralise(str(value)), style)

    sheet = workbook.add_worksheet(_("Tổng hợp"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, 2, 12)
    text(sheet, 0, 0, _("Số liệu kiểm tra, giám sát sản phẩm OCOP"), title)
    text(sheet, 1, 0, _("Địa bàn"))
    text(sheet, 1, 1, _unit_label(figures))
    text(sheet, 2, 0, _("Thời gian"))
    text(sheet, 2, 1, f"{figures['start']:%d/%m/%Y} – {figures['end']:%d/%m/%Y}")
    text(sheet, 4, 0, _("Nhóm"), bold)
    text(sheet, 4, 1, _("Chỉ tiêu"), bold)
    text(sheet, 4, 2, _("Số lượng"), bold)
    for line, (group, label, count) in enumerate(summary_rows(figures), start=5):
        text(sheet, line, 0, group)
        text(sheet, line, 1, label)
        sheet.write_number(line, 2, count or 0)
    if figures["by_province"] is not None:
        sheet = workbook.add_worksheet(_("Theo tỉnh"))
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, len(PROVINCE_COLUMNS), 14)
        text(sheet, 0, 0, _("Tỉnh, thành phố"), bold)
        for column, (_group, _key, label) in enumerate(PROVINCE_COLUMNS, start=1):
            text(sheet, 0, column, str(label), bold)
        for line, row in enumerate(figures["by_province"], start=1):
            text(sheet, line, 0, row["province"]["name"])
            for column, (group, key, _label) in enumerate(PROVINCE_COLUMNS, start=1):
                sheet.write_number(line, column, province_value(row, group, key))
    workbook.close()
