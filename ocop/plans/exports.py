"""Spreadsheet exports: the list of plans and a plan's progress, as .xlsx or .csv (core.tabular)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from ocop.core.choices import display
from ocop.core.tabular import Column, Spec

from .models import Plan
from .progress import TargetProgress

PLANS = Spec(
    title=_("Kế hoạch và chỉ tiêu"),
    columns=[
        Column(_("Mã kế hoạch"), "id", width=10),
        Column(_("Tên kế hoạch / đề án"), "title", width=50),
        Column(_("Cấp"), "level", width=12),
        Column(_("Mã tỉnh"), "province_code", width=8),
        Column(_("Tỉnh/thành phố"), "province", width=24),
        Column(_("Mã xã"), "commune_code", width=8),
        Column(_("Xã/phường/đặc khu"), "commune", width=24),
        Column(_("Từ năm"), "start_year", width=8),
        Column(_("Đến năm"), "end_year", width=8),
        Column(_("Số văn bản"), "document_number", width=18),
        Column(_("Ngày ban hành"), "document_date", width=14),
        Column(_("Cơ quan ban hành"), "document_issuer", width=30),
        Column(_("Kinh phí (đồng)"), "budget", width=18),
        Column(_("Số chỉ tiêu"), "target_count", width=10),
    ],
)

PROGRESS = Spec(
    title=_("Tiến độ thực hiện chỉ tiêu"),
    columns=[
        Column(_("Mã kế hoạch"), "plan_id", width=10),
        Column(_("Kế hoạch"), "plan", width=40),
        Column(_("Mã chỉ tiêu"), "indicator", width=28),
        Column(_("Chỉ tiêu"), "name", width=40),
        Column(_("Đơn vị tính"), "unit", width=12),
        Column(_("Mục tiêu"), "target", width=12),
        Column(_("Thời hạn"), "deadline", width=12),
        Column(_("Giá trị đầu kỳ"), "baseline", width=14),
        Column(_("Giá trị hiện tại"), "current", width=14),
        Column(_("Tỷ lệ đạt (%)"), "share", width=12),
        Column(_("Giá trị theo tiến độ"), "expected", width=14),
        Column(_("Đúng tiến độ"), "on_track", width=12),
        Column(_("Tính đến ngày"), "day", width=14),
    ],
)


def _plan_rows(plans: Iterable[Plan]) -> Iterator[dict[str, Any]]:
    for plan in plans:
        yield {
            "id": plan.pk,
            "title": plan.title,
            "level": display(plan, "level"),
            "province_code": plan.province.code if plan.province_id else "",
            "province": plan.province.name if plan.province_id else "",
            "commune_code": plan.commune.code if plan.commune_id else "",
            "commune": plan.commune.name if plan.commune_id else "",
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "document_number": plan.document_number,
            "document_date": plan.document_date,
            "document_issuer": plan.document_issuer,
            "budget": plan.budget,
            "target_count": getattr(plan, "target_count", ""),
        }


def write_plans(plans: Iterable[Plan], stream: IO[bytes], fmt: str) -> None:
    PLANS.write_rows(_plan_rows(plans), stream, fmt)


def _flag(value: bool | None) -> str:
    if value is None:
        return ""
    return str(_("Có")) if value else str(_("Không"))


def write_progress(rows: list[TargetProgress], stream: IO[bytes], fmt: str) -> None:
    def lines() -> Iterator[dict[str, Any]]:
        for row in rows:
            data = row.as_row()
            data["on_track"] = _flag(row.on_track)
            data["deadline"] = row.target.deadline
            data["day"] = row.day
            yield data

    PROGRESS.write_rows(lines(), stream, fmt)
