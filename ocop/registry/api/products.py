"""/api/v1/products/: list, read, create, replace, update, delete."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.core import concurrency
from ocop.core.api import ErrorOut, KeysFirstPagination
from ocop.core.concurrency import IfMatch
from ocop.core.scoping import (
    ADD,
    DELETE,
    VIEW,
    get_restricted_object_or_404,
    request_user,
)
from ocop.core.scoping import restrict as restrict_qs

from ..filtersets import ProductFilterSet
from ..models import STAGES, Producer, Product, normalize_gtin
from .common import UNIT_FIELDS, _delete, _filtered, _require_role, _save, _set_unit, _update, products_router
from .schemas import ProductIn, ProductOut, ProductPatch, ProductQuery

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
@paginate(KeysFirstPagination)
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
