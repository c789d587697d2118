"""Consumers' reports in the API, mounted under /api/v1/oversight/:

    GET  reports              the scoped triage list (filters of the page: q, status, kind, province…)
    GET  reports/{id}
    POST reports/{id}/close   {"reason", "outcome"?}
    POST reports/{id}/link    {"inspection": id}

Scoped like the pages; the reporter's contact (``contact_name``, ``contact``) and whether a photo
was sent are given only to those who may handle the report (``can(user, "change", report)``),
``null`` for everyone else. The steps are ``ocop.oversight.triage``; a refusal is a 422.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ocop.certification.api import acting, filtered, run_step
from ocop.core.api import MAX_ID, InputSchema, Pagination
from ocop.core.scoping import CHANGE, VIEW, can, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs

from .. import triage
from ..filtersets.reports import ReportFilterSet
from ..models import ConsumerReport, Inspection

router = Router()


class ReportOut(Schema):
    id: int
    receipt_code: str
    created: datetime
    kind: str = Field(..., description="fake_mark | expired_sold | label_info | quality | other")
    status: str = Field(..., description="new | in_progress | closed")
    code: str = Field(..., description="Mã người phản ánh nhập hoặc quét (có thể không có trong hệ thống)")
    product: int | None = Field(None, description="id sản phẩm mà mã dẫn đến")
    certificate: str | None = Field(None, description="Mã giấy chứng nhận")
    province: str | None = Field(None, description="Mã tỉnh xử lý; trống: Trung ương xử lý")
    description: str
    where_bought: str
    where_province: str | None = Field(None, description="Mã tỉnh nơi mua")
    inspection: int | None = Field(None, description="id cuộc kiểm tra đã đưa phản ánh vào")
    outcome: str = Field(..., description="Kết quả người phản ánh đọc được bằng mã tiếp nhận")
    contact_name: str | None = Field(
        None, description="Chỉ cán bộ xử lý phản ánh nhận được; null với người khác"
    )
    contact: str | None = Field(None, description="Chỉ cán bộ xử lý phản ánh nhận được; null với người khác")
    has_photo: bool | None = Field(
        None, description="Chỉ cán bộ xử lý phản ánh nhận được; null với người khác"
    )

    @staticmethod
    def resolve_product(obj: ConsumerReport) -> int | None:
        return obj.product_id

    @staticmethod
    def resolve_certificate(obj: ConsumerReport) -> str | None:
        return obj.certificate.code if obj.certificate_id else None

    @staticmethod
    def resolve_province(obj: ConsumerReport) -> str | None:
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_where_province(obj: ConsumerReport) -> str | None:
        return obj.where_province.code if obj.where_province_id else None

    @staticmethod
    def resolve_inspection(obj: ConsumerReport) -> int | None:
        return obj.inspection_id

    @staticmethod
    def resolve_contact_name(obj: ConsumerReport, context: dict) -> str | None:
        return obj.contact_name if _handler(obj, context) else None

    @staticmethod
    def resolve_contact(obj: ConsumerReport, context: dict) -> str | None:
        return obj.contact if _handler(obj, context) else None

    @staticmethod
    def resolve_has_photo(obj: ConsumerReport, context: dict) -> bool | None:
        return bool(obj.photo) if _handler(obj, context) else None


def _handler(report: ConsumerReport, context: dict | None) -> bool:
    request = (context or {}).get("request")
    return request is not None and can(request_user(request), CHANGE, report)


class ReportQuery(Schema):
    q: str | None = Field(
        None, max_length=100, description="Mã tiếp nhận, mã trên sản phẩm, sản phẩm, nội dung"
    )
    status: str | None = Field(None, description="new | in_progress | closed")
    kind: str | None = Field(None, description="fake_mark | expired_sold | label_info | quality | other")
    province: str | None = Field(None, description="Mã tỉnh xử lý (2 chữ số)")
    routed: str | None = Field(None, description="none: chỉ phản ánh chưa xác định tỉnh")
    created_after: date | None = None
    created_before: date | None = None


def _reports():  # noqa: ANN202 - a queryset
    return ConsumerReport.objects.select_related("province", "where_province", "certificate").order_by(
        "-created", "-pk"
    )


@router.get("/reports", response=list[ReportOut], summary="Phản ánh của người tiêu dùng")
@paginate(Pagination)
def list_reports(request: HttpRequest, filters: Query[ReportQuery]):  # noqa: ANN201 - paginated
    user = acting(request, VIEW, ConsumerReport)
    return filtered(request, filters, restrict_qs(_reports(), user, VIEW), ReportFilterSet)


@router.get("/reports/{report_id}", response=ReportOut, summary="Một phản ánh")
def get_report(request: HttpRequest, report_id: int) -> ConsumerReport:
    user = acting(request, VIEW, ConsumerReport)
    return get_restricted_object_or_404(_reports(), user, VIEW, pk=report_id)


class CloseIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000, description="Lý do đóng (ghi vào lịch sử)")
    outcome: str = Field(
        "", max_length=2000, description="Kết quả công bố cho người phản ánh; trống: dùng lý do"
    )


class LinkIn(InputSchema):
    inspection: int = Field(..., ge=1, le=MAX_ID, description="id cuộc kiểm tra")


@router.post("/reports/{report_id}/close", response=ReportOut, summary="Đóng phản ánh")
def close_report(request: HttpRequest, report_id: int, payload: CloseIn) -> ConsumerReport:
    user = acting(request, CHANGE, ConsumerReport)
    report = get_restricted_object_or_404(_reports(), user, CHANGE, pk=report_id)
    run_step(triage.close, user, report, payload.reason, payload.outcome)
    return get_restricted_object_or_404(_reports(), user, VIEW, pk=report_id)


@router.post("/reports/{report_id}/link", response=ReportOut, summary="Đưa phản ánh vào cuộc kiểm tra")
def link_report(request: HttpRequest, report_id: int, payload: LinkIn) -> ConsumerReport:
    user = acting(request, CHANGE, ConsumerReport)
    report = get_restricted_object_or_404(_reports(), user, CHANGE, pk=report_id)
    inspection = get_restricted_object_or_404(
        Inspection.objects.select_related("producer"), user, VIEW, pk=payload.inspection
    )
    run_step(triage.link, user, report, inspection)
    return get_restricted_object_or_404(_reports(), user, VIEW, pk=report_id)
