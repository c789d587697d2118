"""Shared pieces of the registry API: the routers, validation, scope and save helpers."""

import copy
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from ocop.accounts.auth import api_auth
from ocop.core import concurrency
from ocop.core.scoping import (
    CHANGE,
    can,
    get_restricted_object_or_404,
    refused_changes,
    request_user,
    role_can,
)
from ocop.geo.models import Structure, Unit

producers_router = Router(tags=["producers"], auth=api_auth)
products_router = Router(tags=["products"], auth=api_auth)
change_requests_router = Router(tags=["change requests"], auth=api_auth)

UNIT_FIELDS = ("unit", "unit__current_province", "province", "commune")


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


def _set_unit(instance: Model, payload: dict[str, Any], default_structure: str = Structure.CURRENT) -> None:
    code = payload.get("unit_code")
    if code:
        instance.unit = _unit(code, payload.get("unit_structure") or default_structure)


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
