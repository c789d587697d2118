"""/api/v1/producers/: list, read, create, replace, update, delete."""

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

from ..filtersets import ProducerFilterSet
from ..models import Producer, normalize_household_id, normalize_tax_code
from .common import (
    UNIT_FIELDS,
    _delete,
    _filtered,
    _require_role,
    _save,
    _set_unit,
    _update,
    producers_router,
)
from .schemas import ProducerIn, ProducerOut, ProducerPatch, ProducerQuery

# --- producers ---


def _producers() -> QuerySet[Producer]:
    return Producer.objects.select_related(*UNIT_FIELDS)


def _producer_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for key in ("unit_code", "unit_structure"):
        data.pop(key, None)
    for key, normalize in (("tax_code", normalize_tax_code), ("household_id", normalize_household_id)):
        if key not in data:
            continue
        try:
            data[key] = normalize(data[key] or "")
        except ValidationError as error:
            raise HttpError(
                422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": f"{key}: {error.messages[0]}"}
            ) from None
    return data


@producers_router.get("/", response=list[ProducerOut], summary="Danh sách chủ thể / list producers")
@paginate(KeysFirstPagination)
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
