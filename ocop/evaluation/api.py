"""Evaluation API: /api/v1/certificates/, /api/v1/criteria/ (and, later, rounds, dossiers, scores).

Scoped like the pages: a caller sees the certificates of the products in their scope; one outside
it is a 404. The status is computed for today (never stored). A code whose check character does
not match is a 422 that says so (a typo), without looking anything up.
"""

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.core.api import MAX_ID, Pagination
from ocop.core.scoping import VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs

from . import codes, criteria
from . import models as evaluation
from .filtersets import MAX_EXPIRING_DAYS, CertificateFilterSet
from .models import Certificate

certificates_router = Router(tags=["certificates"], auth=api_auth)


class ProductRef(Schema):
    id: int
    name: str
    code: str | None
    legacy_code: str


class DecisionOut(Schema):
    number: str
    date: date
    kind: str = Field(..., description="recognition | revocation")
    authority: str = Field(..., description="Cơ quan ban hành, như ghi trên quyết định")
    authority_level: str = Field(..., description="central | province | district")
    signer: str
    legal_basis: str


class CertificateOut(Schema):
    code: str = Field(..., description="Mã giấy chứng nhận có ký tự kiểm tra, ví dụ OCOP-82-2026-000123-X")
    number: str = Field(..., description="Số giấy chứng nhận như in (có thể trống)")
    product: ProductRef
    province: str = Field(..., description="Mã tỉnh hiện hành của sản phẩm")
    star: int
    potential_5_star: bool
    issue_date: date
    expiry: date = Field(..., description="Ngày cuối còn hiệu lực (ngày cấp + 36 tháng)")
    status: str = Field(..., description="valid | expired | revoked | superseded (tính cho hôm nay)")
    status_label: str
    legal_basis: str
    decision: DecisionOut
    revoked_on: date | None
    revocation_ground: str = Field(..., description="a, b, c, d, đ, e (Điều 8) hoặc trống")
    revocation_decision: DecisionOut | None
    superseded_by: str | None = Field(None, description="Mã giấy chứng nhận thay thế")

    @staticmethod
    def resolve_province(obj: Certificate) -> str:
        return obj.product.province.code

    @staticmethod
    def resolve_superseded_by(obj: Certificate) -> str | None:
        return obj.superseded_by.code if obj.superseded_by_id else None


class CertificateQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Mã/số giấy, số quyết định, sản phẩm")
    status: str | None = Field(None, description="valid | expired | revoked | superseded")
    star: int | None = Field(None, ge=3, le=5)
    province: str | None = Field(None, description="Mã tỉnh hiện hành (2 chữ số)")
    commune: str | None = Field(None, description="Mã xã hiện hành (5 chữ số)")
    expiring_within: int | None = Field(
        None, ge=0, le=MAX_EXPIRING_DAYS, description="Còn hiệu lực và hết hạn trong số ngày này"
    )
    legal_basis: str | None = Field(
        None, description="QD490/1048 | QD1048+781 | QD148 | QD148+1489 | QD26/2026"
    )
    product: int | None = Field(None, ge=1, le=MAX_ID, description="id sản phẩm")


def _filtered(request: HttpRequest, params: Schema, queryset: QuerySet) -> QuerySet:
    data = {key: value for key, value in params.dict().items() if value not in (None, "")}
    request.user = request_user(request)
    filterset = CertificateFilterSet(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{key}: {' '.join(str(m) for m in messages)}" for key, messages in filterset.errors.items()
        )
        raise HttpError(422, _("Bộ lọc không hợp lệ — %(errors)s") % {"errors": errors})
    return filterset.qs


def _certificates() -> QuerySet[Certificate]:
    return (
        Certificate.objects.select_related(
            "product__province", "decision", "revocation_decision", "superseded_by"
        )
        .with_status(evaluation.today())
        .order_by("-issue_date", "-pk")
    )


@certificates_router.get("/", response=list[CertificateOut], summary="Danh sách giấy chứng nhận")
@paginate(Pagination)
def list_certificates(request: HttpRequest, filters: Query[CertificateQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_certificates(), request_user(request), VIEW)
    return _filtered(request, filters, queryset)


@certificates_router.get("/{code}", response=CertificateOut, summary="Một giấy chứng nhận theo mã")
def get_certificate(request: HttpRequest, code: str) -> Certificate:
    try:
        parsed = codes.parse(code)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    return get_restricted_object_or_404(_certificates(), request_user(request), VIEW, code=str(parsed))


# --- criteria (Phụ lục II as data): public, like the law they encode ------------------------------

criteria_router = Router(tags=["criteria"], auth=None)


class BandOut(Schema):
    star: int
    min: int | float = Field(..., description="Điểm tối thiểu của hạng (khoảng nửa mở [min, hạng trên))")


class VersionOut(Schema):
    id: str = Field(..., description="Mã bộ tiêu chí, ví dụ 26-2026")
    legal_basis: str
    name: str
    effective_from: date
    parts: dict[str, int] = Field(..., description="Điểm tối đa phần A, B, C")
    bands: list[BandOut]
    sheets: list[str] = Field(..., description="Các phiếu đánh giá có dữ liệu (B01–B26), trống với bộ cũ")


class OptionOut(Schema):
    position: int = Field(..., description="Thứ tự in (1, 2, …): câu trả lời ghi số này")
    text: str
    points: int | float
    min_star: int | None = Field(None, description="3, 4, 5 nếu lựa chọn mang dấu ***, ****, *****")
    knockout: str | None = Field(None, description="Điều kiện loại mà lựa chọn này kích hoạt")


class ConditionOut(Schema):
    criterion: str
    min_points: int | float


class CriterionOut(Schema):
    code: str
    name: str
    max: int | float
    note: str | None
    applies_if: ConditionOut | None
    options: list[OptionOut]


class SectionOut(Schema):
    code: str
    name: str
    max: int | float
    criteria: list[CriterionOut]


class PartOut(Schema):
    code: str
    name: str
    max: int | float
    sections: list[SectionOut]


class KnockoutOut(Schema):
    id: str
    criterion: str | None = Field(None, description="Trống: điều kiện “Hồ sơ bị loại khi” của cả phiếu")
    effect: str = Field(..., description="exclude (bị loại) | stop (không đánh giá các bước tiếp theo)")
    text: str


class SheetSummaryOut(Schema):
    sheet: str
    title: str


class SheetOut(Schema):
    version: str
    sheet: str
    title: str
    source: str
    total: int | float
    parts: list[PartOut]
    knockouts: list[KnockoutOut]


def _version_out(version: criteria.Version) -> dict:
    return {
        "id": version.id,
        "legal_basis": version.legal_basis,
        "name": version.name,
        "effective_from": version.effective_from,
        "parts": dict(version.parts),
        "bands": [{"star": b.star, "min": criteria.points_json(b.min)} for b in version.bands],
        "sheets": list(criteria.sheet_codes(version.id)),
    }


def _version_or_404(version_id: str) -> criteria.Version:
    try:
        return criteria.get_version(version_id)
    except criteria.CriteriaError as error:
        raise HttpError(404, str(error)) from None


@criteria_router.get("/", response=list[VersionOut], summary="Các bộ tiêu chí (phiên bản)")
def list_criteria_versions(request: HttpRequest) -> list[dict]:
    return [_version_out(version) for version in criteria.versions()]


@criteria_router.get("/{version_id}", response=VersionOut, summary="Một bộ tiêu chí")
def get_criteria_version(request: HttpRequest, version_id: str) -> dict:
    return _version_out(_version_or_404(version_id))


@criteria_router.get(
    "/{version_id}/sheets/", response=list[SheetSummaryOut], summary="Các phiếu đánh giá của bộ tiêu chí"
)
def list_sheets(request: HttpRequest, version_id: str) -> list[dict]:
    version = _version_or_404(version_id)
    return [
        {"sheet": code, "title": criteria.get_sheet(version.id, code).title}
        for code in criteria.sheet_codes(version.id)
    ]


@criteria_router.get("/{version_id}/sheets/{sheet}", response=SheetOut, summary="Một phiếu đánh giá")
def get_sheet(request: HttpRequest, version_id: str, sheet: str) -> dict:
    version = _version_or_404(version_id)
    try:
        return sheet_json(criteria.get_sheet(version.id, sheet))
    except criteria.CriteriaError as error:
        raise HttpError(404, str(error)) from None


def sheet_json(sheet: criteria.Sheet) -> dict:
    """A sheet as nested JSON: parts → sections → criteria → options; plus the knock-outs."""

    number = criteria.points_json

    return {
        "version": sheet.version,
        "sheet": sheet.code,
        "title": sheet.title,
        "source": sheet.source,
        "total": number(sheet.total),
        "parts": [
            {
                "code": part.code,
                "name": part.name,
                "max": number(part.max),
                "sections": [
                    {
                        "code": section.code,
                        "name": section.name,
                        "max": number(section.max),
                        "criteria": [
                            {
                                "code": c.code,
                                "name": c.name,
                                "max": number(c.max),
                                "note": c.note,
                                "applies_if": (
                                    {
                                        "criterion": c.applies_if.criterion,
                                        "min_points": number(c.applies_if.min_points),
                                    }
                                    if c.applies_if
                                    else None
                                ),
                                "options": [
                                    {
                                        "position": o.position,
                                        "text": o.text,
                                        "points": number(o.points),
                                        "min_star": o.min_star,
                                        "knockout": o.knockout,
                                    }
                                    for o in c.options
                                ],
                            }
                            for c in section.criteria
                        ],
                    }
                    for section in part.sections
                ],
            }
            for part in sheet.parts
        ],
        "knockouts": [
            {"id": k.id, "criterion": k.criterion, "effect": k.effect, "text": k.text}
            for k in sheet.knockouts
        ],
    }
