"""/api/v1/oversight/: inspections on site and their checklist (findings).

    GET  inspections                  ?plan=&status=&producer=   (list, scoped)
    GET  inspections/{id}             the inspection, its products (outcomes) and findings
    GET  findings                     ?inspection=
    POST inspections/{id}/record      answers, notes and the visit's fields (a draft), with submission_key
    POST inspections/{id}/conclude    outcomes per product; the inspection is read-only afterwards

The steps are ``ocop.oversight.steps`` (the phone form's): scoped like the pages, a refusal is a
422 ``{"detail"}`` with its message, a retried call with the same ``submission_key`` returns the
result already saved. Photos are added with the phone form (multipart), not here.
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.certification.api import acting, run_step
from ocop.core.api import MAX_ID, InputSchema, Pagination
from ocop.core.scoping import CHANGE, VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs

from .. import checklist, steps
from ..models import Finding, Inspection, InspectionStatus

router = Router(tags=["oversight"], auth=api_auth)

AnswerValue = Literal["", "as_evaluated", "changed", "not_met"]
OutcomeValue = Literal["", "compliant", "warning", "revocation", "removal"]
GroundValue = Literal["", "b", "c", "d"]


class FindingOut(Schema):
    id: int
    product: int = Field(..., alias="product_id")
    kind: str
    code: str
    label: str
    evaluated: str
    answer: str
    note: str
    attachments: int = Field(0, alias="attachment_count")

    @staticmethod
    def resolve_label(obj: Finding) -> str:
        return checklist.shown_label(obj)


class InspectedProductOut(Schema):
    id: int
    product: int = Field(..., alias="product_id")
    product_name: str = Field(..., alias="product.name")
    certificate: str | None = None
    star: int | None = None
    evaluation: int | None = Field(None, alias="evaluation_id")
    outcome: str
    outcome_label: str
    ground: str
    corrective_actions: str
    deadline: dt.date | None

    @staticmethod
    def resolve_certificate(obj: Any) -> str | None:
        return obj.certificate.code if obj.certificate_id else None

    @staticmethod
    def resolve_star(obj: Any) -> int | None:
        return obj.certificate.star if obj.certificate_id else None

    @staticmethod
    def resolve_outcome_label(obj: Any) -> str:
        return str(obj.get_outcome_display()) if obj.outcome else ""


class InspectionOut(Schema):
    id: int
    plan: int = Field(..., alias="plan_id")
    producer: int = Field(..., alias="producer_id")
    producer_name: str = Field(..., alias="producer.name")
    status: str
    status_label: str
    scheduled_on: dt.date | None
    inspected_on: dt.date | None
    location: str
    inspectors: str
    inspected_person: str
    signed: bool
    signature_refused: bool
    refusal_note: str
    summary: str
    conclusion: str
    concluded_on: dt.date | None

    @staticmethod
    def resolve_status_label(obj: Inspection) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_signed(obj: Inspection) -> bool:
        return bool(obj.signature)


class InspectionDetailOut(InspectionOut):
    products: list[InspectedProductOut] = Field(..., alias="products_out")
    findings: list[FindingOut] = Field(..., alias="findings_out")


class InspectionQuery(Schema):
    plan: int | None = Field(None, ge=1, le=MAX_ID)
    status: Literal["planned", "done", "cancelled"] | None = None
    producer: int | None = Field(None, ge=1, le=MAX_ID)


class FindingQuery(Schema):
    inspection: int | None = Field(None, ge=1, le=MAX_ID)


class FindingAnswerIn(InputSchema):
    id: int = Field(..., ge=1, le=MAX_ID)
    answer: AnswerValue = ""
    note: str = Field("", max_length=4000)


class OutcomeIn(InputSchema):
    product: int = Field(..., ge=1, le=MAX_ID, description="the product's id (registry)")
    outcome: OutcomeValue = ""
    ground: GroundValue = ""
    corrective_actions: str = Field("", max_length=4000)
    deadline: dt.date | None = None


class RecordIn(InputSchema):
    submission_key: str | None = Field(None, max_length=64, description="a UUID per submission")
    inspected_on: dt.date | None = None
    location: str | None = Field(None, max_length=255)
    inspectors: str | None = Field(None, max_length=4000)
    inspected_person: str | None = Field(None, max_length=255)
    summary: str | None = Field(None, max_length=10000)
    signature: str | None = Field(None, max_length=600_000, description="a PNG data URL")
    signature_refused: bool | None = None
    refusal_note: str | None = Field(None, max_length=500)
    findings: list[FindingAnswerIn] = Field(default_factory=list, max_length=5000)
    products: list[OutcomeIn] = Field(default_factory=list, max_length=500)


class ConcludeIn(InputSchema):
    submission_key: str | None = Field(None, max_length=64)
    outcomes: list[OutcomeIn] = Field(default_factory=list, max_length=500)


def _inspections() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("producer", "plan")


def _with_counts(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.annotate(attachment_count=Count("attachments")).order_by("inspection", "position", "pk")


def _detail(obj: Inspection) -> Inspection:
    obj.products_out = list(
        obj.inspected_products.select_related("product", "certificate").order_by("product__sort_key", "pk")
    )
    obj.findings_out = list(_with_counts(obj.findings.all()))
    return obj


@router.get("/inspections", response=list[InspectionOut], summary="Cuộc kiểm tra / inspections")
@paginate(Pagination)
def list_inspections(request: HttpRequest, filters: Query[InspectionQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_inspections(), request_user(request), VIEW)
    if filters.plan:
        queryset = queryset.filter(plan_id=filters.plan)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.producer:
        queryset = queryset.filter(producer_id=filters.producer)
    return queryset.order_by("-pk")


@router.get(
    "/inspections/{int:inspection_id}",
    response=InspectionDetailOut,
    summary="Một cuộc kiểm tra, sản phẩm, kết luận và nội dung kiểm tra",
)
def get_inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    obj = get_restricted_object_or_404(_inspections(), request_user(request), VIEW, pk=inspection_id)
    return _detail(obj)


@router.get("/findings", response=list[FindingOut], summary="Nội dung kiểm tra / findings")
@paginate(Pagination)
def list_findings(request: HttpRequest, filters: Query[FindingQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(Finding.objects.all(), request_user(request), VIEW)
    if filters.inspection:
        queryset = queryset.filter(inspection_id=filters.inspection)
    return _with_counts(queryset)


def _outcomes(obj: Inspection, outcomes: list[OutcomeIn]) -> dict[int, dict[str, Any]]:
    by_product = dict(obj.inspected_products.values_list("product_id", "pk"))
    result = {}
    for entry in outcomes:
        if entry.product not in by_product:
            raise steps.StepError(_("Sản phẩm %(id)s không thuộc cuộc kiểm tra này.") % {"id": entry.product})
        result[by_product[entry.product]] = entry.model_dump(exclude={"product"})
    return result


@router.post(
    "/inspections/{int:inspection_id}/record",
    response=InspectionDetailOut,
    summary="Ghi biên bản kiểm tra (nháp) / record findings",
)
def record_inspection(request: HttpRequest, inspection_id: int, payload: RecordIn) -> Inspection:
    user = acting(request, CHANGE, Inspection)
    obj = get_restricted_object_or_404(_inspections(), user, CHANGE, pk=inspection_id)
    data: dict[str, Any] = payload.model_dump(
        exclude_unset=True, exclude={"submission_key", "findings", "products"}
    )
    if payload.findings:
        data["findings"] = {
            entry.id: {"answer": entry.answer, "note": entry.note} for entry in payload.findings
        }
    if payload.products:
        data["products"] = run_step(_outcomes, obj, payload.products)
    obj = run_step(steps.save_record, user, obj, data=data, submission_key=payload.submission_key)
    return _detail(get_restricted_object_or_404(_inspections(), user, VIEW, pk=obj.pk))


@router.post(
    "/inspections/{int:inspection_id}/conclude",
    response=InspectionDetailOut,
    summary="Kết luận cuộc kiểm tra / conclude",
)
def conclude_inspection(request: HttpRequest, inspection_id: int, payload: ConcludeIn) -> Inspection:
    user = acting(request, CHANGE, Inspection)
    obj = get_restricted_object_or_404(_inspections(), user, CHANGE, pk=inspection_id)
    outcomes = run_step(_outcomes, obj, payload.outcomes) if obj.status != InspectionStatus.DONE else {}
    obj = run_step(steps.conclude, user, obj, outcomes=outcomes, submission_key=payload.submission_key)
    return _detail(get_restricted_object_or_404(_inspections(), user, VIEW, pk=obj.pk))
