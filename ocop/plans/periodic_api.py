"""/api/v1/plans/reports: periodic reports (báo cáo định kỳ), scoped like the pages.

List and read (the frozen figures with the report), make a report (its figures generated at once),
refresh the figures of a draft, write its narrative (``PATCH`` with ``If-Match``), file it, and
download it as XLSX or PDF. Every write is a step of ``ocop.plans.periodic.steps``.
"""

import io
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.certification.api import acting, filtered, run_step
from ocop.core import concurrency
from ocop.core.api import MAX_ID, ErrorOut, InputSchema, Pagination
from ocop.core.concurrency import IfMatch
from ocop.core.scoping import ADD, CHANGE, VIEW, get_restricted_object_or_404, request_user, restrict
from ocop.geo.models import Unit

from .models import PeriodicReport
from .periodic import display, pdf, rules, steps, units, workbook
from .periodic.listing import ReportFilterSet, in_order, listed
from .periodic.steps import NARRATIVE_MAX

router = Router(tags=["plans"], auth=api_auth)


class UnitOut(Schema):
    code: str
    name: str


class ReportOut(Schema):
    id: int
    level: str = Field(..., description="country | province | commune")
    unit: UnitOut | None = Field(None, description="Tỉnh hoặc xã của báo cáo; trống: báo cáo toàn quốc")
    province: UnitOut | None = Field(None, description="Tỉnh (của báo cáo cấp tỉnh hoặc cấp xã)")
    kind: str = Field(..., description="semiannual (01/01–30/06) | annual (01/01–31/12)")
    year: int
    title: str
    period_start: date
    period_end: date
    status: str = Field(..., description="draft | filed")
    as_of: date | None = Field(
        None, description="Ngày tính số liệu (cuối kỳ, hoặc ngày lấy số liệu nếu kỳ chưa hết)"
    )
    generated_at: datetime | None
    filed_at: datetime | None
    filed_by: str | None = Field(None, description="Người nộp")

    @staticmethod
    def resolve_unit(obj: PeriodicReport) -> Unit | None:
        return obj.unit

    @staticmethod
    def resolve_as_of(obj: PeriodicReport) -> str | None:
        day = getattr(obj, "figures_as_of", None)
        if day is None and "figures" in obj.__dict__:
            day = (obj.figures or {}).get("as_of")
        return day or None

    @staticmethod
    def resolve_filed_by(obj: PeriodicReport) -> str | None:
        user = obj.filed_by if obj.filed_by_id is not None else None
        return (user.get_full_name().strip() or user.get_username()) if user is not None else None


class ReportDetailOut(ReportOut):
    narrative: str
    figures: dict[str, Any] = Field(
        ...,
        description=(
            "Số liệu đã chốt khi lấy số liệu (giữ nguyên mãi sau khi nộp): xem README, “Báo cáo định kỳ”. "
            "/ The frozen figures (README, “Periodic reports”)."
        ),
    )


class ReportQuery(Schema):
    year: int | None = Field(None, ge=rules.FIRST_YEAR, le=rules.LAST_YEAR)
    kind: Literal["semiannual", "annual"] | None = None
    level: Literal["country", "province", "commune"] | None = None
    status: Literal["draft", "filed"] | None = None
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Mã tỉnh hiện hành (2 chữ số)")
    commune: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã hiện hành (5 chữ số)")


class ReportIn(InputSchema):
    unit: str = Field(
        "country",
        pattern=r"^(country|\d{2}|\d{5})$",
        description="country (toàn quốc), mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số) hiện hành",
    )
    kind: Literal["semiannual", "annual"]
    year: int = Field(..., ge=rules.FIRST_YEAR, le=rules.LAST_YEAR)
    narrative: str = Field("", max_length=NARRATIVE_MAX)


class NarrativeIn(InputSchema):
    narrative: str = Field(..., max_length=NARRATIVE_MAX)


def _reports() -> QuerySet[PeriodicReport]:
    return PeriodicReport.objects.select_related("province", "commune", "filed_by")


def _report(user: Any, report_id: int, action: str = VIEW) -> PeriodicReport:
    if report_id > MAX_ID:
        raise HttpError(404, _("Không tìm thấy."))
    return get_restricted_object_or_404(_reports(), user, action, pk=report_id)


def _answer(user: Any, report_id: int, response: HttpResponse) -> PeriodicReport:
    report = _report(user, report_id)
    concurrency.set_etag(response, report)
    return report


@router.get("/", response=list[ReportOut], summary="Báo cáo định kỳ / periodic reports")
@paginate(Pagination)
def list_reports(request: HttpRequest, filters: Query[ReportQuery]):  # noqa: ANN201 - paginated
    queryset = in_order(listed(restrict(PeriodicReport.objects.all(), request_user(request), VIEW)))
    return filtered(request, filters, queryset.select_related("filed_by"), ReportFilterSet)


@router.get("/{int:report_id}", response=ReportDetailOut, summary="Một báo cáo định kỳ, với số liệu đã chốt")
def get_report(request: HttpRequest, report_id: int, response: HttpResponse) -> PeriodicReport:
    return _answer(request_user(request), report_id, response)


@router.post("/", response={201: ReportDetailOut}, summary="Lập báo cáo định kỳ (lấy số liệu ngay)")
def create_report(
    request: HttpRequest, payload: ReportIn, response: HttpResponse
) -> tuple[int, PeriodicReport]:
    user = acting(request, ADD, PeriodicReport)
    try:
        unit = units.unit_for(payload.unit)
    except Unit.DoesNotExist:
        raise HttpError(
            422, _("Không tìm thấy tỉnh hoặc xã hiện hành có mã %(code)s.") % {"code": payload.unit}
        ) from None
    try:
        report = steps.create(user, payload.kind, payload.year, unit, payload.narrative)
    except steps.DuplicateReport as error:
        raise HttpError(409, " ".join(error.messages)) from None
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return 201, _answer(user, report.pk, response)


@router.post(
    "/{int:report_id}/generate",
    response=ReportDetailOut,
    summary="Lấy lại số liệu của báo cáo dự thảo (tính đến cuối kỳ, hoặc hôm nay nếu kỳ chưa hết)",
)
def generate_report(request: HttpRequest, report_id: int, response: HttpResponse) -> PeriodicReport:
    user = acting(request, CHANGE, PeriodicReport)
    run_step(steps.generate, _report(user, report_id, CHANGE), user)
    return _answer(user, report_id, response)


@router.patch(
    "/{int:report_id}",
    response={200: ReportDetailOut, 412: ErrorOut},
    summary="Sửa nội dung đánh giá của báo cáo dự thảo",
)
def update_report(
    request: HttpRequest,
    report_id: int,
    payload: NarrativeIn,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> PeriodicReport:
    user = acting(request, CHANGE, PeriodicReport)
    with transaction.atomic():
        concurrency.lock_row(PeriodicReport, min(report_id, MAX_ID))
        report = _report(user, report_id, CHANGE)
        concurrency.check_if_match(if_match, report)
        run_step(steps.write_narrative, report, user, payload.narrative)
    return _answer(user, report_id, response)


@router.post(
    "/{int:report_id}/file",
    response=ReportDetailOut,
    summary="Nộp báo cáo: số liệu và nội dung được giữ nguyên mãi (không hoàn tác)",
)
def file_report(request: HttpRequest, report_id: int, response: HttpResponse) -> PeriodicReport:
    user = acting(request, CHANGE, PeriodicReport)
    run_step(steps.file, _report(user, report_id, CHANGE), user)
    return _answer(user, report_id, response)


def _download(report: PeriodicReport, content: bytes, extension: str, content_type: str) -> FileResponse:
    from ocop.core.text import slugify_vi

    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{slugify_vi(report.title) or 'bao-cao'}.{extension}",
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{int:report_id}/xlsx", summary="Báo cáo dạng XLSX (in được)", response={200: None})
def report_xlsx(request: HttpRequest, report_id: int) -> FileResponse:
    report = _report(request_user(request), report_id)
    stream = io.BytesIO()
    workbook.write(display.document(report), stream)
    return _download(
        report, stream.getvalue(), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@router.get("/{int:report_id}/pdf", summary="Báo cáo dạng PDF", response={200: None})
def report_pdf(request: HttpRequest, report_id: int) -> FileResponse:
    report = _report(request_user(request), report_id)
    return _download(report, pdf.render(display.document(report)), "pdf", "application/pdf")
