"""Registry API: /api/v1/producers/ and /api/v1/products/ (list, read, create, update, delete).

Everything is scoped like the pages: lists go through restrict(user, "view") and the same
FilterSets as the list pages (plus `q`, a diacritics-insensitive search); an object outside the
caller's scope is a 404; a role that may never do an action gets 403. Units are given by code
(`unit_code`, with `unit_structure` "current" (default) or "former" for historic records).
Model validation errors become 422 `{"detail": "..."}` in Vietnamese.

Writes follow the field policy of `ocop.core.scoping` (declared on the models' ScopePaths): a
producer account changes only its organisation's descriptive fields; a change of place (unit_code)
is an officer's, within their scope at both ends, with a reason (`X-Audit-Reason`); derived values
(product statuses that come from certificates, codes, the star) and unknown fields are refused —
422 naming the field.
"""

import copy
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import create_model

from ocop.accounts.auth import api_auth
from ocop.core import concurrency
from ocop.core.api import MAX_ID, ErrorOut, InputSchema, Pagination
from ocop.core.concurrency import IfMatch
from ocop.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    can,
    get_restricted_object_or_404,
    refused_changes,
    request_user,
    role_can,
)
from ocop.core.scoping import restrict as restrict_qs
from ocop.geo.models import Structure, Unit

from .filtersets import ProducerFilterSet, ProductFilterSet
from .models import STAGES, Producer, Product, ProductImage, normalize_gtin, normalize_tax_code

producers_router = Router(tags=["producers"], auth=api_auth)
products_router = Router(tags=["products"], auth=api_auth)

StructureName = Literal["current", "former"]
UNIT_FIELDS = ("unit", "unit__current_province", "province", "commune")


# --- schemas ---


class UnitRef(Schema):
    code: str
    name: str


class LocatedUnit(UnitRef):
    structure: StructureName
    level: str


class Message(Schema):
    detail: str


class ProducerRef(Schema):
    id: int
    name: str


class ProducerOut(Schema):
    id: int
    name: str
    producer_type: str
    legal_form: str
    community_capital_share: Decimal | None
    tax_code: str
    registration_date: date | None
    status: str
    unit: LocatedUnit
    province: UnitRef
    commune: UnitRef | None
    address: str
    phone: str
    email: str
    representative_name: str
    representative_position: str
    representative_gender: str
    representative_ethnicity: str
    representative_ethnicity_other: str
    representative_disability: bool
    workforce_total: int | None
    workforce_local: int | None
    created: datetime
    updated: datetime


class LocatedIn(InputSchema):
    unit_code: str = Field(..., pattern=r"^\d{2,5}$", description="Mã xã/phường (5 chữ số) / unit code")
    unit_structure: StructureName = Field("current", description="current | former (hồ sơ lịch sử)")


class ProducerIn(LocatedIn):
    name: str = Field(..., min_length=1, max_length=255)
    producer_type: str = Field(..., description="HTX | THT | DN_SME | TRANG_TRAI | HO_SX | TOURISM_ORG")
    legal_form: str = Field("", description="llc | private | jsc (chỉ DN_SME)")
    community_capital_share: Decimal | None = Field(None, ge=0, le=100)
    tax_code: str = ""
    registration_date: date | None = None
    status: str = "active"
    address: str = ""
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_position: str = ""
    representative_gender: str = ""
    representative_ethnicity: str = Field("", description="Mã dân tộc 01–54 (01 = Kinh), 99 = khác")
    representative_ethnicity_other: str = ""
    representative_disability: bool = False
    workforce_total: int | None = Field(None, ge=0)
    workforce_local: int | None = Field(None, ge=0)


class ProductImageOut(Schema):
    id: int
    caption: str
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj: ProductImage) -> str:
        return obj.get_absolute_url()


class ProductOut(Schema):
    id: int
    name: str
    name_en: str
    producer: ProducerRef
    classification_set: str
    classification_version: str
    legacy_classification: str
    code: str | None
    legacy_code: str
    gtin: str | None
    status: str = Field(
        ...,
        description=(
            "Tình trạng hiện tại, theo giấy chứng nhận: recognised (có giấy còn hiệu lực), revoked (giấy "
            "gần nhất bị thu hồi), expired; không có giấy: giai đoạn đã ghi (`stage`); discontinued giữ "
            "nguyên. / Current status from the certificates; without any, the recorded stage."
        ),
    )
    stage: str = Field(
        ...,
        description=(
            "Giai đoạn đã ghi (trường `status` khi gửi lên): potential | registered | evaluating | "
            "discontinued; hồ sơ nhập từ tệp cũ có thể ghi giá trị khác. / The recorded stage."
        ),
    )
    current_star: int | None = Field(None, description="Từ giấy chứng nhận còn hiệu lực (chưa có: null)")
    unit: LocatedUnit
    province: UnitRef
    commune: UnitRef | None
    description: str
    story: str
    raw_materials: str
    raw_material_origin: str
    standards: str
    packaging: str
    where_to_buy: str = Field("", description="Nơi bán: cửa hàng, điểm bán, sàn TMĐT (mỗi dòng một nơi)")
    images: list[ProductImageOut] = Field(
        default_factory=list, description="Ảnh sản phẩm (xem khi đăng nhập)"
    )
    created: datetime
    updated: datetime

    @staticmethod
    def resolve_images(obj: Product) -> list[ProductImage]:
        return list(obj.images.all())

    @staticmethod
    def resolve_gtin(obj: Product) -> str | None:
        return obj.gtin or None

    @staticmethod
    def resolve_status(obj: Product) -> str:
        return obj.programme_status

    @staticmethod
    def resolve_stage(obj: Product) -> str:
        return obj.status


class ProductIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""
    producer_id: int
    classification_set: str = Field("", description="B01–B26 (QĐ 26/2026)")
    legacy_classification: str = ""
    unit_code: str | None = Field(
        None, pattern=r"^\d{2,5}$", description="Mã xã nơi sản xuất; mặc định: địa bàn của chủ thể"
    )
    unit_structure: StructureName = "current"
    legacy_code: str = ""
    gtin: str | None = Field(None, description="GTIN-13 hoặc GTIN-14 (không tự sinh)")
    status: str = Field(
        "potential",
        description=(
            "Giai đoạn: potential | registered | evaluating | discontinued. Đạt sao, hết hạn, thu hồi "
            "tính từ giấy chứng nhận: gửi recognised/expired/revoked bị từ chối (422). / The stage; "
            "recognised, expired and revoked come from the certificates and are refused."
        ),
    )
    description: str = ""
    story: str = ""
    raw_materials: str = ""
    raw_material_origin: str = ""
    standards: str = ""
    packaging: str = ""
    where_to_buy: str = Field("", max_length=5000)


def _optional(schema: type[Schema], name: str) -> type[Schema]:
    """A PATCH body: every field of `schema` optional; only the fields sent are applied."""
    fields = {key: (field.annotation | None, None) for key, field in schema.model_fields.items()}
    return create_model(name, __base__=InputSchema, __doc__=f"Partial {schema.__name__}", **fields)


ProducerPatch = _optional(ProducerIn, "ProducerPatch")
ProductPatch = _optional(ProductIn, "ProductPatch")


class ProducerQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Tên, mã số thuế; không cần dấu")
    province: str | None = Field(None, description="Mã tỉnh hiện hành (2 chữ số)")
    commune: str | None = Field(None, description="Mã xã hiện hành (5 chữ số)")
    producer_type: str | None = None
    status: str | None = None


class ProductQuery(ProducerQuery):
    q: str | None = Field(None, max_length=100, description="Tên, mã sản phẩm, GTIN, chủ thể; không cần dấu")
    sector: str | None = Field(None, description="Ngành: I–VI")
    group: str | None = Field(None, description="Nhóm, ví dụ I.3")
    classification_set: str | None = Field(None, description="Bộ sản phẩm B01–B26")
    status: str | None = Field(
        None, description="Tình trạng hiện tại như trường `status` (theo giấy chứng nhận) / current status"
    )
    producer: int | None = Field(None, ge=1, le=MAX_ID, description="id chủ thể")
    star: Literal["3", "4", "5", "none"] | None = Field(
        None, description="Hạng sao hiện tại; none: chưa có sao"
    )
    year: int | None = Field(None, ge=2018, le=2100, description="Năm được cấp giấy chứng nhận")


# --- helpers ---


def _filtered(filterset_class: type, request: HttpRequest, params: Schema, queryset: QuerySet) -> QuerySet:
    data = {key: value for key, value in params.dict().items() if value not in (None, "")}
    request.user = request_user(request)
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise HttpError(422, _("Bộ lọc không hợp lệ — %(errors)s") % {"errors": _errors(filterset.errors)})
    return filterset.qs


def _errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}: {' '.join(str(m) for m in messages)}" for key, messages in errors.items())


def _require_role(request: HttpRequest, action: str, model: type[Model]) -> Any:
    user = request_user(request)
    if not role_can(user, action, model):
        raise PermissionDenied
    return user


def _unit(code: str, structure: str) -> Unit:
    unit = Unit.objects.select_related("current_province").filter(structure=structure, code=code).first()
    if unit is None:
        raise HttpError(422, _("Không tìm thấy đơn vị hành chính có mã %(code)s.") % {"code": code})
    return unit


def _save(user: Any, instance: Model, action: str) -> Model:
    """Validate (model rules, Vietnamese messages), check the scope of the result, then save."""
    if instance.unit_id is not None:
        instance.locate()
    try:
        instance.full_clean()
    except ValidationError as error:
        messages = getattr(error, "message_dict", {"detail": error.messages})
        fields = {"unit": "unit_code", "producer": "producer_id", "__all__": "detail"}
        raise HttpError(
            422,
            _("Dữ liệu không hợp lệ — %(errors)s")
            % {"errors": _errors({fields.get(k, k): v for k, v in messages.items()})},
        ) from None
    if not can(user, action, instance):
        raise HttpError(403, _("Bạn không có quyền quản lý hồ sơ ở địa bàn này."))
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise HttpError(422, _("Dữ liệu trùng với một hồ sơ đã có (mã số thuế hoặc GTIN).")) from None
    return instance


# API names of the model fields a body writes (unit_code and unit_structure both write `unit`).
API_NAMES = {"unit": "unit_code", "producer": "producer_id"}


def _check_changes(request: HttpRequest, user: Any, original: Model, edited: Model) -> None:
    """422 naming each field this user may not change (field policy, moves; see core.scoping)."""
    refused = refused_changes(user, original, edited, getattr(request, "audit_reason", ""))
    if refused:
        raise HttpError(
            422,
            _("Dữ liệu không hợp lệ — %(errors)s")
            % {"errors": _errors({API_NAMES.get(k, k): [v] for k, v in refused.items()})},
        )


def _apply(instance: Model, data: dict[str, Any]) -> None:
    for key, value in data.items():
        setattr(instance, key, value)


def _delete(obj: Model) -> None:
    try:
        obj.delete()
    except ProtectedError:
        raise HttpError(
            409, _("Không xoá được: còn dữ liệu liên quan (ví dụ sản phẩm của chủ thể).")
        ) from None


# --- producers ---


def _producers() -> QuerySet[Producer]:
    return Producer.objects.select_related(*UNIT_FIELDS)


def _producer_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for key in ("unit_code", "unit_structure"):
        data.pop(key, None)
    if "tax_code" in data:
        try:
            data["tax_code"] = normalize_tax_code(data["tax_code"] or "")
        except ValidationError as error:
            raise HttpError(
                422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": f"tax_code: {error.messages[0]}"}
            ) from None
    return data


def _set_unit(instance: Model, payload: dict[str, Any], default_structure: str = Structure.CURRENT) -> None:
    code = payload.get("unit_code")
    if code:
        instance.unit = _unit(code, payload.get("unit_structure") or default_structure)


@producers_router.get("/", response=list[ProducerOut], summary="Danh sách chủ thể / list producers")
@paginate(Pagination)
def list_producers(request: HttpRequest, filters: Query[ProducerQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_producers(), request_user(request), VIEW)
    return _filtered(ProducerFilterSet, request, filters, queryset)


@producers_router.get("/{int:producer_id}", response=ProducerOut, summary="Một chủ thể / one producer")
def get_producer(request: HttpRequest, producer_id: int, response: HttpResponse) -> Producer:
    producer = get_restricted_object_or_404(_producers(), request_user(request), VIEW, pk=producer_id)
    concurrency.set_etag(response, producer)
    return producer


@producers_router.post("/", response={201: ProducerOut}, summary="Thêm chủ thể / create a producer")
def create_producer(request: HttpRequest, payload: ProducerIn) -> tuple[int, Producer]:
    user = _require_role(request, ADD, Producer)
    data = payload.dict()
    producer = Producer(**_producer_data(data))
    _set_unit(producer, data)
    return 201, _save(user, producer, ADD)


@producers_router.put(
    "/{int:producer_id}",
    response={200: ProducerOut, 412: ErrorOut},
    summary="Sửa chủ thể / replace a producer",
)
def replace_producer(
    request: HttpRequest,
    producer_id: int,
    payload: ProducerIn,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Producer:
    return _update_producer(request, producer_id, payload.dict(), if_match, response)


@producers_router.patch(
    "/{int:producer_id}",
    response={200: ProducerOut, 412: ErrorOut},
    summary="Sửa một phần / update a producer",
)
def update_producer(
    request: HttpRequest,
    producer_id: int,
    payload: ProducerPatch,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Producer:
    return _update_producer(request, producer_id, payload.dict(exclude_unset=True), if_match, response)


def _update_producer(
    request: HttpRequest, producer_id: int, data: dict[str, Any], if_match: str | None, response: HttpResponse
) -> Producer:
    return _update(
        request, _producers(), producer_id, lambda user, obj: _producer_data(data), data, if_match, response
    )


def _update(
    request: HttpRequest,
    queryset: QuerySet,
    pk: int,
    values: Callable[[Any, Model], dict[str, Any]],
    data: dict[str, Any],
    if_match: str | None,
    response: HttpResponse,
) -> Model:
    """One PUT/PATCH of a producer or product: version, field policy, scope, audit, under the row's lock."""
    model = queryset.model
    user = _require_role(request, CHANGE, model)
    with transaction.atomic():  # compare the version and write under the row's lock
        concurrency.lock_row(model, pk)
        obj = get_restricted_object_or_404(queryset, user, CHANGE, pk=pk)
        concurrency.check_if_match(if_match, obj)
        original = copy.copy(obj)
        _apply(obj, values(user, obj))
        _set_unit(obj, data)
        _check_changes(request, user, original, obj)
        _save(user, obj, CHANGE)
    concurrency.set_etag(response, obj)
    return obj


@producers_router.delete(
    "/{int:producer_id}", response={204: None, 412: ErrorOut}, summary="Xoá chủ thể / delete a producer"
)
def delete_producer(
    request: HttpRequest, producer_id: int, if_match: str | None = IfMatch
) -> tuple[int, None]:
    user = _require_role(request, DELETE, Producer)
    with transaction.atomic():
        concurrency.lock_row(Producer, producer_id)
        producer = get_restricted_object_or_404(Producer.objects.all(), user, DELETE, pk=producer_id)
        concurrency.check_if_match(if_match, producer)
        _delete(producer)
    return 204, None


# --- products ---


def _products() -> QuerySet[Product]:
    return (
        Product.objects.select_related(*UNIT_FIELDS, "producer")
        .prefetch_related("images")
        .with_current_star()
        .with_programme_status()
    )


STAGE_VALUES = frozenset(stage.value for stage in STAGES)


def _product_data(user: Any, data: dict[str, Any], product: Product | None = None) -> dict[str, Any]:
    data = dict(data)
    status = data.get("status")
    # Recognised, expired and revoked come from the certificates; a stored legacy value (old
    # spreadsheets) may be sent back unchanged, never newly written.
    if status is not None and status not in STAGE_VALUES and (product is None or product.status != status):
        raise HttpError(
            422,
            _("Dữ liệu không hợp lệ — %(errors)s")
            % {
                "errors": _(
                    "status: “%(value)s” tính từ giấy chứng nhận, không ghi được; "
                    "chỉ nhận potential, registered, evaluating, discontinued."
                )
                % {"value": status}
            },
        )
    for key in ("unit_code", "unit_structure"):
        data.pop(key, None)
    if "gtin" in data:
        try:
            data["gtin"] = normalize_gtin(data["gtin"] or "")
        except ValidationError as error:
            raise HttpError(
                422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": f"gtin: {error.messages[0]}"}
            ) from None
    if "producer_id" in data:
        producer = restrict_qs(Producer.objects.all(), user, VIEW).filter(pk=data.pop("producer_id")).first()
        if producer is None:
            raise HttpError(
                422,
                _("Dữ liệu không hợp lệ — %(errors)s")
                % {"errors": _("producer_id: không tìm thấy chủ thể.")},
            )
        data["producer"] = producer
    return data


@products_router.get("/", response=list[ProductOut], summary="Danh sách sản phẩm / list products")
@paginate(Pagination)
def list_products(request: HttpRequest, filters: Query[ProductQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_products(), request_user(request), VIEW)
    return _filtered(ProductFilterSet, request, filters, queryset)


@products_router.get("/{int:product_id}", response=ProductOut, summary="Một sản phẩm / one product")
def get_product(request: HttpRequest, product_id: int, response: HttpResponse) -> Product:
    product = get_restricted_object_or_404(_products(), request_user(request), VIEW, pk=product_id)
    concurrency.set_etag(response, product)
    return product


@products_router.post("/", response={201: ProductOut}, summary="Thêm sản phẩm / create a product")
def create_product(request: HttpRequest, payload: ProductIn) -> tuple[int, Product]:
    user = _require_role(request, ADD, Product)
    data = payload.dict()
    product = Product(**_product_data(user, data))
    _set_unit(product, data)
    if product.unit_id is None:
        product.unit = product.producer.unit
    return 201, _save(user, product, ADD)


@products_router.put(
    "/{int:product_id}",
    response={200: ProductOut, 412: ErrorOut},
    summary="Sửa sản phẩm / replace a product",
)
def replace_product(
    request: HttpRequest,
    product_id: int,
    payload: ProductIn,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Product:
    return _update_product(request, product_id, payload.dict(), if_match, response)


@products_router.patch(
    "/{int:product_id}",
    response={200: ProductOut, 412: ErrorOut},
    summary="Sửa một phần / update a product",
)
def update_product(
    request: HttpRequest,
    product_id: int,
    payload: ProductPatch,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Product:
    return _update_product(request, product_id, payload.dict(exclude_unset=True), if_match, response)


def _update_product(
    request: HttpRequest, product_id: int, data: dict[str, Any], if_match: str | None, response: HttpResponse
) -> Product:
    return _update(
        request,
        _products(),
        product_id,
        lambda user, obj: _product_data(user, data, obj),
        data,
        if_match,
        response,
    )


@products_router.delete(
    "/{int:product_id}", response={204: None, 412: ErrorOut}, summary="Xoá sản phẩm / delete a product"
)
def delete_product(request: HttpRequest, product_id: int, if_match: str | None = IfMatch) -> tuple[int, None]:
    user = _require_role(request, DELETE, Product)
    with transaction.atomic():
        concurrency.lock_row(Product, product_id)
        product = get_restricted_object_or_404(Product.objects.all(), user, DELETE, pk=product_id)
        concurrency.check_if_match(if_match, product)
        _delete(product)
    return 204, None
