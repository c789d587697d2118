"""/api/v1/products/: list, read, create, replace, update, delete."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query
from ninja.errors import HttpError

from ocop.core import concurrency
from ocop.core.api import ErrorOut, paginate_rows
from ocop.core.concurrency import IfMatch
from ocop.core.paging import rows_queryset
from ocop.core.scoping import (
    ADD,
    DELETE,
    VIEW,
    get_restricted_object_or_404,
    request_user,
)
from ocop.core.scoping import restrict as restrict_qs

from ..filtersets import ProductFilterSet
from ..models import STAGES, Producer, Product, ProductImage, listing, normalize_gtin
from .common import UNIT_FIELDS, _delete, _filtered, _require_role, _save, _set_unit, _update, products_router
from .schemas import ProductIn, ProductOut, ProductPatch, ProductQuery

# --- products ---


def _products() -> QuerySet[Product]:
    return listing(*UNIT_FIELDS, "producer").prefetch_related("images")


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


# The columns of a product row, read as values (product_rows): each key of ProductOut.
_ROW_FIELDS = (
    "pk", "name", "name_en", "producer_id", "producer__name", "classification_set", "classification_version",
    "legacy_classification", "code", "legacy_code", "gtin", "programme_status", "status", "current_star",
    "unit__code", "unit__name", "unit__structure", "unit__level", "province__code", "province__name",
    "commune__code", "commune__name", "description", "story", "raw_materials", "raw_material_origin",
    "standards", "packaging", "where_to_buy", "created", "updated",
)  # fmt: skip


def product_rows(queryset: QuerySet[Product], keys: list[int]) -> list[dict[str, Any]]:
    """The products of ``keys`` as `ProductOut` writes them, in that order, in two queries (the
    rows as values, then their photos); test_api_rows holds the two equal."""
    found = {row["pk"]: row for row in rows_queryset(queryset, keys).values(*_ROW_FIELDS)}
    image_url = reverse("registry:product_image", args=[0]).removesuffix("0/")
    images: dict[int, list[dict[str, Any]]] = {key: [] for key in found}
    for image in ProductImage.objects.filter(product_id__in=list(found)).values(
        "pk", "product_id", "caption", "width", "height"
    ):
        images[image["product_id"]].append(
            {
                "id": image["pk"],
                "caption": image["caption"],
                "width": image["width"],
                "height": image["height"],
                "url": f"{image_url}{image['pk']}/",
            }
        )
    rows = []
    for key in keys:
        if (row := found.get(key)) is None:
            continue
        commune = (
            None
            if row["commune__code"] is None
            else {"code": row["commune__code"], "name": row["commune__name"]}
        )
        rows.append(
            {
                "id": key,
                "name": row["name"],
                "name_en": row["name_en"],
                "producer": {"id": row["producer_id"], "name": row["producer__name"]},
                "classification_set": row["classification_set"],
                "classification_version": row["classification_version"],
                "legacy_classification": row["legacy_classification"],
                "code": row["code"],
                "legacy_code": row["legacy_code"],
                "gtin": row["gtin"] or None,
                "status": row["programme_status"],
                "stage": row["status"],
                "current_star": row["current_star"],
                "unit": {
                    "code": row["unit__code"],
                    "name": row["unit__name"],
                    "structure": row["unit__structure"],
                    "level": row["unit__level"],
                },
                "province": {"code": row["province__code"], "name": row["province__name"]},
                "commune": commune,
                "description": row["description"],
                "story": row["story"],
                "raw_materials": row["raw_materials"],
                "raw_material_origin": row["raw_material_origin"],
                "standards": row["standards"],
                "packaging": row["packaging"],
                "where_to_buy": row["where_to_buy"],
                "images": images[key],
                "created": row["created"],
                "updated": row["updated"],
            }
        )
    return rows


@products_router.get("/", response=list[ProductOut], summary="Danh sách sản phẩm / list products")
@paginate_rows(product_rows)
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
