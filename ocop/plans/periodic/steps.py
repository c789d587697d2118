"""The steps of a periodic report: make it, refresh its figures while a draft, write its narrative,
file it. Nothing else writes a report.

Each step checks the user's right through ``ocop.core.scoping`` (PermissionDenied), refuses bad
input with a Vietnamese ValidationError, and runs in one transaction holding the report's row, so
nothing is half-written and two officers never file or refresh the same report at once. The
changes go to the report's history (who, when, what; the reason the request carries).

A filed report is final: its figures, narrative and status never change again. A figure found
wrong afterwards is explained in the narrative of the next report (the annual report of the same
year counts the whole year again) — see the README, "Báo cáo định kỳ".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.core import clock
from ocop.core.concurrency import lock_row
from ocop.core.scoping import ADD, CHANGE, can
from ocop.geo.models import Level, Structure, Unit

from ..models import PeriodicReport, PlanLevel, ReportKind, ReportStatus
from . import figures, rules

# A narrative is a short text an officer writes; the limit keeps the PDF to a few pages.
NARRATIVE_MAX = 20_000


class DuplicateReport(ValidationError):
    """The unit already has its report for the period (``existing``: that report, when known)."""

    def __init__(self, report: PeriodicReport, existing: PeriodicReport | None) -> None:
        super().__init__(duplicate_message(report))
        self.existing = existing


def _require(user: Any, action: str, report: PeriodicReport) -> None:
    if not can(user, action, report):
        raise PermissionDenied


def _locked(report: PeriodicReport) -> PeriodicReport:
    # Lock the row alone (PostgreSQL refuses FOR UPDATE on the nullable side of a join), then read
    # it with its units: a second writer waits here and sees the first one's write.
    lock_row(PeriodicReport, report.pk)
    return PeriodicReport.objects.select_related("province", "commune").get(pk=report.pk)


def _refuse_filed(report: PeriodicReport) -> None:
    if report.status == ReportStatus.FILED:
        raise ValidationError(_("Báo cáo đã nộp: số liệu và nội dung được giữ nguyên, không sửa được nữa."))


def new_report(kind: str, year: int, unit: Unit | None) -> PeriodicReport:
    """The unsaved report of ``unit`` (None: the country) for the period; ValidationError if the
    kind, the year or the unit cannot have a report."""
    report = PeriodicReport()
    _place(report, kind, year, unit)
    return report


def _place(report: PeriodicReport, kind: str, year: int, unit: Unit | None) -> None:
    """Sets the report's level, units and period from its kind, year and unit, checking them."""
    if kind not in ReportKind.values:
        raise ValidationError(_("Loại báo cáo không hợp lệ: chọn báo cáo 6 tháng hoặc báo cáo năm."))
    if isinstance(year, bool) or not isinstance(year, int) or not rules.FIRST_YEAR <= year <= rules.LAST_YEAR:
        raise ValidationError(
            _("Năm báo cáo phải từ %(first)s đến %(last)s.")
            % {"first": rules.FIRST_YEAR, "last": rules.LAST_YEAR}
        )
    start, end = rules.period_bounds(kind, year)
    if start > clock.today():
        raise ValidationError(
            _("Kỳ báo cáo chưa bắt đầu (từ ngày %(start)s): chưa lập được báo cáo.")
            % {"start": start.strftime("%d/%m/%Y")}
        )
    report.kind, report.year, report.period_start, report.period_end = kind, year, start, end
    if unit is None:
        report.level, report.province, report.commune = PlanLevel.COUNTRY, None, None
    elif unit.structure != Structure.CURRENT or unit.level not in (Level.PROVINCE, Level.COMMUNE):
        raise ValidationError(_("Đơn vị báo cáo phải là toàn quốc, một tỉnh hoặc một xã hiện hành."))
    elif unit.level == Level.PROVINCE:
        report.level, report.province, report.commune = PlanLevel.PROVINCE, unit, None
    else:
        report.level, report.province, report.commune = PlanLevel.COMMUNE, unit.current_province, unit


def existing(report: PeriodicReport) -> PeriodicReport | None:
    """The report already made for the same unit, kind and period, if any."""
    return PeriodicReport.objects.filter(
        level=report.level,
        province_id=report.province_id,
        commune_id=report.commune_id,
        kind=report.kind,
        period_start=report.period_start,
    ).first()


def duplicate_message(report: PeriodicReport) -> str:
    return _("Đã có %(report)s của %(unit)s: mỗi đơn vị chỉ có một báo cáo cho mỗi kỳ.") % {
        "report": report.period_label.lower(),
        "unit": report.unit_name,
    }


def create(user: Any, kind: str, year: int, unit: Unit | None, narrative: str = "") -> PeriodicReport:
    """Lập báo cáo: a draft of ``unit`` for the period, with its figures generated now."""
    report = new_report(kind, year, unit)
    report.narrative = _checked_narrative(narrative)
    _insert(report, user)
    return report


def _insert(report: PeriodicReport, user: Any) -> None:
    _require(user, ADD, report)
    if (other := existing(report)) is not None:
        raise DuplicateReport(report, other)
    report.created_by = user
    try:
        with transaction.atomic():
            _fill(report)
            report.save()
    except IntegrityError:
        # Someone made the same report a moment ago (the unique constraints): theirs stands.
        report.pk = None
        raise DuplicateReport(report, existing(report)) from None


def _fill(report: PeriodicReport) -> None:
    today = clock.today()
    day = rules.as_of(report.period_end, today)
    report.figures = figures.build(report, day, today)
    report.generated_at = timezone.now()


def generate(report: PeriodicReport, user: Any) -> None:
    """Lấy số liệu: (re)computes the figures of a draft as of its period's end (or today while the
    period is not over), and saves them; a filed report is refused.

    An unsaved report (kind, year and unit set; the period is derived) is made, as ``create``.
    """
    if report.pk is None:
        _place(report, report.kind, report.year, report.commune or report.province)
        report.narrative = _checked_narrative(report.narrative)
        _insert(report, user)
        return
    with transaction.atomic():
        locked = _locked(report)
        _require(user, CHANGE, locked)
        _refuse_filed(locked)
        _fill(locked)
        locked.save(update_fields=["figures", "generated_at", "updated"])
    report.refresh_from_db()


def _checked_narrative(narrative: str | None) -> str:
    narrative = (narrative or "").strip()
    if len(narrative) > NARRATIVE_MAX:
        raise ValidationError(
            _("Nội dung đánh giá dài quá %(max)s ký tự.") % {"max": f"{NARRATIVE_MAX:,}".replace(",", ".")}
        )
    return narrative


def write_narrative(report: PeriodicReport, user: Any, narrative: str) -> None:
    """The officer's assessment (nội dung đánh giá) of a draft."""
    narrative = _checked_narrative(narrative)
    with transaction.atomic():
        locked = _locked(report)
        _require(user, CHANGE, locked)
        _refuse_filed(locked)
        if locked.narrative != narrative:
            locked.narrative = narrative
            locked.save(update_fields=["narrative", "updated"])
    report.refresh_from_db()


def filing_problems(report: PeriodicReport) -> list[str]:
    """Why the report cannot be filed as it is (empty: it can)."""
    problems = []
    if report.status == ReportStatus.FILED:
        problems.append(_("Báo cáo đã nộp."))
        return problems
    if not report.figures or report.generated_at is None:
        problems.append(_("Báo cáo chưa có số liệu: hãy lấy số liệu trước khi nộp."))
    if not report.narrative.strip():
        problems.append(_("Cần viết nội dung đánh giá trước khi nộp báo cáo."))
    return problems


def file(report: PeriodicReport, user: Any) -> None:
    """Nộp báo cáo: the figures as they stand (what the officer read) are frozen for good, with who
    filed and when. Refused while the narrative is empty; a filed report cannot be filed again."""
    with transaction.atomic():
        locked = _locked(report)
        _require(user, CHANGE, locked)
        _refuse_filed(locked)
        problems = filing_problems(locked)
        if problems:
            raise ValidationError(problems)
        locked.status = ReportStatus.FILED
        locked.filed_at = timezone.now()
        locked.filed_by = user
        locked.save(update_fields=["status", "filed_at", "filed_by", "updated"])
    report.refresh_from_db()
