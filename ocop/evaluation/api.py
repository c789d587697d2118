"""Evaluation API: /api/v1/certificates/ (and, later, rounds, dossiers, scores).

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

from . import codes
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
