"""Certification API: certificates and decisions.

    /api/v1/certificates/ [{code}] [POST {code}/revocation]
    /api/v1/decisions/ [{id}]

Scoped like the pages: a caller sees what restrict(user, "view") gives; an object outside it is a
404, a role that may never take a step is a 403. Revocation is ocop.certification.revocation.revoke;
a step it refuses (StepError, or a model rule) is a 422 with its message. Certificate status is
computed for today (never stored). A code whose check character does not match is a 422 that says
so (a typo), without looking anything up.

``decisions_router`` is shared: the app that issues recognition decisions (the evaluation app) adds its
``POST /decisions/recognition`` to it. The request helpers below (``filtered``, ``run_step``,
``acting``) serve the API modules of the apps above too. Text in request bodies is checked once
for all (NUL, unpaired surrogates) by the API's parser, ``ocop.core.api.CleanTextParser``.
"""

from datetime import date
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.core import clock
from ocop.core.api import MAX_ID, InputSchema, Pagination
from ocop.core.scoping import ADD, VIEW, get_restricted_object_or_404, request_user, role_can
from ocop.core.scoping import restrict as restrict_qs

from . import codes, revocation
from .filtersets import MAX_EXPIRING_DAYS, CertificateFilterSet
from .models import Certificate, Decision

certificates_router = Router(tags=["certificates"], auth=api_auth)
decisions_router = Router(tags=["decisions"], auth=api_auth)


# --- helpers, shared with the API modules above -------------------------------------------------


def message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            " ".join(messages) if key == "__all__" else f"{key}: {' '.join(messages)}"
            for key, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def run_step(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one workflow step; a step it refuses (StepError or a model rule) is a 422 with its message."""
    try:
        return function(*args, **kwargs)
    except ValidationError as error:
        raise HttpError(422, message(error)) from None


def acting(request: HttpRequest, action: str, model: type[Model]) -> Any:
    """The acting user; 403 when their role may never `action` this kind of object."""
    user = request_user(request)
    if not role_can(user, action, model):
        raise PermissionDenied
    return user


def filtered(
    request: HttpRequest, params: Schema, queryset: QuerySet, filterset_class: type = CertificateFilterSet
) -> QuerySet:
    data = {key: value for key, value in params.dict().items() if value not in (None, "")}
    request.user = request_user(request)
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{key}: {' '.join(str(m) for m in messages)}" for key, messages in filterset.errors.items()
        )
        raise HttpError(422, _("Bộ lọc không hợp lệ — %(errors)s") % {"errors": errors})
    return filterset.qs


# --- schemas ---


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
    status_label: str = Field(..., description="Ví dụ “Còn hiệu lực (gia hạn theo khoản 3 Điều 12)”")
    extended: bool = Field(
        ...,
        description="Còn hiệu lực sau ngày hết hạn theo khoản 3 Điều 12 (hồ sơ đánh giá lại đã nộp đúng hạn)",
    )
    valid_until: date = Field(
        ..., description="Ngày cuối cùng có thể còn hiệu lực (expiry, hoặc ngày cuối của gia hạn)"
    )
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
    def resolve_extended(obj: Certificate) -> bool:
        return obj.is_extended

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


def _certificates() -> QuerySet[Certificate]:
    return (
        Certificate.objects.select_related(
            "product__province", "decision", "revocation_decision", "superseded_by"
        )
        .with_status(clock.today())
        .order_by("-issue_date", "-pk")
    )


@certificates_router.get("/", response=list[CertificateOut], summary="Danh sách giấy chứng nhận")
@paginate(Pagination)
def list_certificates(request: HttpRequest, filters: Query[CertificateQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_certificates(), request_user(request), VIEW)
    return filtered(request, filters, queryset)


@certificates_router.get("/{code}", response=CertificateOut, summary="Một giấy chứng nhận theo mã")
def get_certificate(request: HttpRequest, code: str) -> Certificate:
    try:
        parsed = codes.parse(code)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    return get_restricted_object_or_404(_certificates(), request_user(request), VIEW, code=str(parsed))


class DecisionDetailOut(DecisionOut):
    id: int
    province: str | None = Field(None, description="Mã tỉnh; trống với quyết định của Bộ")
    note: str
    certificates: list[str] = Field(..., description="Mã các giấy chứng nhận được công nhận / bị thu hồi")

    @staticmethod
    def resolve_province(obj: Decision) -> str | None:
        return obj.province.code if obj.province_id else None

    @staticmethod
    def resolve_certificates(obj: Decision) -> list[str]:
        return [c.code for c in (*obj.visible_certificates, *obj.visible_revoked)]


class DecisionQuery(Schema):
    kind: Literal["recognition", "revocation"] | None = None


class DecisionFieldsIn(InputSchema):
    number: str = Field(..., min_length=1, max_length=60, description="Số quyết định, ví dụ 1887/QĐ-UBND")
    date: date
    authority: str = Field(..., min_length=1, max_length=255, description="Cơ quan ban hành")
    signer: str = Field("", max_length=150)


class RevocationIn(DecisionFieldsIn):
    ground: Literal["a", "b", "c", "d", "đ", "e"] = Field(..., description="Căn cứ thu hồi (Điều 8.1)")
    revoked_on: date | None = Field(None, description="Ngày thu hồi; mặc định: ngày quyết định")
    reason: str = Field("", max_length=1000)


# --- revocation ---


@certificates_router.post(
    "/{code}/revocation", response=CertificateOut, summary="Thu hồi giấy chứng nhận (Điều 8)"
)
def revoke(request: HttpRequest, code: str, payload: RevocationIn) -> Certificate:
    user = acting(request, ADD, Decision)
    try:
        parsed = str(codes.parse(code))
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    certificate = get_restricted_object_or_404(_certificates(), user, VIEW, code=parsed)
    run_step(
        revocation.revoke,
        user,
        certificate,
        ground=payload.ground,
        number=payload.number,
        date=payload.date,
        authority=payload.authority,
        signer=payload.signer,
        revoked_on=payload.revoked_on,
        reason=payload.reason,
    )
    return get_restricted_object_or_404(_certificates(), user, VIEW, code=parsed)


# --- decisions (recognition decisions are issued by the evaluation app's API) ---


def decisions_in_scope(user: Any) -> QuerySet[Decision]:
    """Decisions in scope, each with the certificates (in scope) it recognised or revoked."""
    visible = restrict_qs(Certificate.objects.only("code", "decision", "revocation_decision"), user, VIEW)
    return restrict_qs(Decision.objects.select_related("province"), user, VIEW).prefetch_related(
        Prefetch("certificates", queryset=visible.order_by("pk"), to_attr="visible_certificates"),
        Prefetch("revoked_certificates", queryset=visible.order_by("pk"), to_attr="visible_revoked"),
    )


@decisions_router.get("/", response=list[DecisionDetailOut], summary="Quyết định công nhận, thu hồi")
@paginate(Pagination)
def list_decisions(request: HttpRequest, filters: Query[DecisionQuery]):  # noqa: ANN201 - paginated
    queryset = decisions_in_scope(request_user(request))
    return queryset.filter(kind=filters.kind) if filters.kind else queryset


@decisions_router.get("/{int:decision_id}", response=DecisionDetailOut, summary="Một quyết định")
def get_decision(request: HttpRequest, decision_id: int) -> Decision:
    user = request_user(request)
    return get_restricted_object_or_404(decisions_in_scope(user), user, VIEW, pk=decision_id)
