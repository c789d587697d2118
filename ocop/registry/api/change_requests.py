"""Change requests: POST /api/v1/products/{id}/change-requests (a producer account asks), and
/api/v1/change-requests/ (list, read; approve, reject by an officer; withdraw by the producer).

A producer's PATCH of a field it may only ask for (name, classification_set, unit_code; on a
recognised product also standards, packaging) is a 422 that points here.
"""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.core.api import MAX_ID, InputSchema, Pagination
from ocop.core.scoping import VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs
from ocop.geo.models import Structure, Unit

from .. import change_requests as service
from ..models import ChangeRequest, Product
from .common import _errors, change_requests_router, products_router

# API names of the requested fields (a unit is given and shown by its code).
API_NAMES = {"unit": "unit_code"}


class ValueChange(Schema):
    old: str | None
    new: str | None


class ProductBrief(Schema):
    id: int
    name: str
    code: str | None


class ChangeRequestOut(Schema):
    id: int
    product: ProductBrief
    status: Literal["pending", "approved", "rejected", "withdrawn"]
    changes: dict[str, ValueChange] = Field(
        ..., description="Trường → giá trị lúc đề nghị và giá trị đề nghị / field → old and requested value"
    )
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str

    @staticmethod
    def resolve_changes(obj: ChangeRequest) -> dict[str, dict[str, Any]]:
        codes = {}
        if "unit" in obj.changes:
            pks = [obj.changes["unit"].get(key) for key in ("old", "new")]
            codes = dict(Unit.objects.filter(pk__in=[pk for pk in pks if pk]).values_list("pk", "code"))
        result = {}
        for name, change in obj.changes.items():
            old, new = change.get("old"), change.get("new")
            if name == "unit":
                old, new = codes.get(old), codes.get(new)
            result[API_NAMES.get(name, name)] = {"old": old, "new": new}
        return result

    @staticmethod
    def resolve_requested_by(obj: ChangeRequest) -> str:
        return obj.requested_by.get_full_name() or obj.requested_by.get_username()

    @staticmethod
    def resolve_decided_by(obj: ChangeRequest) -> str | None:
        user = obj.decided_by
        return None if user is None else (user.get_full_name() or user.get_username())

    @staticmethod
    def resolve_product(obj: ChangeRequest) -> dict[str, Any]:
        return {"id": obj.product_id, "name": obj.product.name, "code": obj.product.code or None}


class ChangeRequestIn(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=255)
    classification_set: str | None = Field(None, description="B01–B26 (QĐ 26/2026)")
    unit_code: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã/phường hiện hành")
    standards: str | None = None
    packaging: str | None = None
    reason: str = Field(..., min_length=1, max_length=2000, description="Lý do đề nghị / why")


class DecisionIn(InputSchema):
    note: str = Field("", max_length=2000, description="Ý kiến của cán bộ (không bắt buộc) / optional note")


class RejectionIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000, description="Lý do từ chối / why (required)")


class ChangeRequestQuery(Schema):
    status: Literal["pending", "approved", "rejected", "withdrawn"] | None = None
    product: int | None = Field(None, ge=1, le=MAX_ID, description="id sản phẩm")


def _requests() -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.select_related("product", "requested_by", "decided_by")


def _invalid(error: ValidationError) -> HttpError:
    if hasattr(error, "error_dict"):
        detail = _errors({API_NAMES.get(k, k): v for k, v in error.message_dict.items()})
    else:
        detail = " ".join(error.messages)
    return HttpError(422, detail)


def _decide(request: HttpRequest, request_id: int, action: Any, *args: Any) -> ChangeRequest:
    user = request_user(request)
    change_request = get_restricted_object_or_404(_requests(), user, VIEW, pk=request_id)
    try:
        action(user, change_request, *args)
    except ValidationError as error:
        raise _invalid(error) from None
    return _requests().get(pk=request_id)


@products_router.post(
    "/{int:product_id}/change-requests",
    response={201: ChangeRequestOut},
    summary="Đề nghị thay đổi sản phẩm / request a change of a product",
)
def request_product_change(
    request: HttpRequest, product_id: int, payload: ChangeRequestIn
) -> tuple[int, ChangeRequest]:
    user = request_user(request)
    product = get_restricted_object_or_404(
        Product.objects.select_related("producer"), user, VIEW, pk=product_id
    )
    data = payload.dict(exclude_unset=True, exclude={"reason"})
    values: dict[str, Any] = {("unit" if key == "unit_code" else key): value for key, value in data.items()}
    if "unit" in values:
        unit = Unit.objects.filter(structure=Structure.CURRENT, code=values["unit"]).first()
        if unit is None:
            raise HttpError(
                422,
                _("unit_code: không tìm thấy xã/phường hiện hành có mã %(code)s.") % {"code": values["unit"]},
            )
        values["unit"] = unit
    try:
        change_request = service.submit(user, product, values, payload.reason)
    except ValidationError as error:
        raise _invalid(error) from None
    return 201, _requests().get(pk=change_request.pk)


@change_requests_router.get(
    "/", response=list[ChangeRequestOut], summary="Danh sách đề nghị thay đổi / list change requests"
)
@paginate(Pagination)
def list_change_requests(request: HttpRequest, filters: Query[ChangeRequestQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_requests(), request_user(request), VIEW)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.product:
        queryset = queryset.filter(product_id=filters.product)
    return queryset


@change_requests_router.get(
    "/{int:request_id}", response=ChangeRequestOut, summary="Một đề nghị thay đổi / one change request"
)
def get_change_request(request: HttpRequest, request_id: int) -> ChangeRequest:
    return get_restricted_object_or_404(_requests(), request_user(request), VIEW, pk=request_id)


@change_requests_router.post(
    "/{int:request_id}/approve", response=ChangeRequestOut, summary="Duyệt đề nghị / approve"
)
def approve_change_request(request: HttpRequest, request_id: int, payload: DecisionIn) -> ChangeRequest:
    return _decide(request, request_id, service.approve, payload.note)


@change_requests_router.post(
    "/{int:request_id}/reject", response=ChangeRequestOut, summary="Từ chối đề nghị / reject"
)
def reject_change_request(request: HttpRequest, request_id: int, payload: RejectionIn) -> ChangeRequest:
    return _decide(request, request_id, service.reject, payload.reason)


@change_requests_router.post(
    "/{int:request_id}/withdraw", response=ChangeRequestOut, summary="Rút đề nghị / withdraw"
)
def withdraw_change_request(request: HttpRequest, request_id: int) -> ChangeRequest:
    return _decide(request, request_id, service.withdraw)
