"""What the plans API's parts share: the acting user, model validation as 422, ids, units by code."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError

from ocop.core.api import MAX_ID
from ocop.core.scoping import can, request_user, role_can
from ocop.geo.models import Level, Structure, Unit


class UnitOut(Schema):
    code: str
    name: str


def acting(request: HttpRequest, action: str, model: type[Model]) -> Any:
    """The acting user; 403 when their role may never ``action`` this kind of object."""
    user = request_user(request)
    if not role_can(user, action, model):
        raise PermissionDenied
    return user


def check_id(value: int) -> int:
    if value < 1 or value > MAX_ID:
        raise HttpError(404, _("Không tìm thấy."))
    return value


def invalid(error: ValidationError) -> HttpError:
    if hasattr(error, "error_dict"):
        text = "; ".join(
            " ".join(messages) if key == "__all__" else f"{key}: {' '.join(messages)}"
            for key, messages in error.message_dict.items()
        )
    else:
        text = " ".join(error.messages)
    return HttpError(422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": text})


def save(user: Any, obj: Model, action: str, duplicate: str) -> Model:
    """Validate (model rules, Vietnamese messages), check the scope of the result, then save."""
    try:
        obj.full_clean()
    except ValidationError as error:
        raise invalid(error) from None
    if not can(user, action, obj):
        raise PermissionDenied
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:  # a unique row written concurrently
        raise HttpError(422, duplicate) from None
    return obj


def unit_of(province: str | None, commune: str | None) -> tuple[str, Unit | None, Unit | None]:
    """(level, province, commune) from current unit codes; a commune alone gives its province."""
    current = Unit.objects.filter(structure=Structure.CURRENT).select_related("current_province")
    commune_unit = province_unit = None
    if commune:
        commune_unit = current.filter(level=Level.COMMUNE, code=commune).first()
        if commune_unit is None:
            raise HttpError(422, _("Không tìm thấy xã, phường có mã %(code)s.") % {"code": commune})
    if province:
        province_unit = current.filter(level=Level.PROVINCE, code=province).first()
        if province_unit is None:
            raise HttpError(422, _("Không tìm thấy tỉnh có mã %(code)s.") % {"code": province})
    if commune_unit is not None:
        if province_unit is not None and commune_unit.current_province_id != province_unit.pk:
            raise HttpError(422, _("Xã có mã %(code)s không thuộc tỉnh đã ghi.") % {"code": commune})
        return "commune", commune_unit.current_province, commune_unit
    if province_unit is not None:
        return "province", province_unit, None
    return "country", None, None


def unit_out(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


class DayQuery(Schema):
    day: dt.date | None = Field(None, description="Ngày tính số liệu (YYYY-MM-DD); mặc định: hôm nay")
