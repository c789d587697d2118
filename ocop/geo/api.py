"""Units API: /api/v1/units/ — public reference data, readable without authentication."""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.core.api import Pagination

from .filtersets import UnitFilterSet
from .models import Structure, Unit

router = Router(tags=["units"])

StructureName = Literal["current", "former"]
LevelName = Literal["province", "district", "commune"]


class UnitRef(Schema):
    code: str
    name: str


class UnitOut(Schema):
    structure: StructureName
    level: LevelName
    code: str
    name: str
    division_type: str
    parent: UnitRef | None
    current_province: UnitRef


class LinkedUnitOut(Schema):
    code: str
    name: str
    level: LevelName
    partial: bool = Field(description="Chỉ một phần đơn vị được chuyển sang / only part of the unit moved")


class UnitDetailOut(UnitOut):
    successors: list[LinkedUnitOut] = Field(
        description="Đơn vị hiện hành kế thừa (đơn vị cũ) / current successors"
    )
    predecessors: list[LinkedUnitOut] = Field(
        description="Đơn vị cũ hợp thành (đơn vị hiện hành) / former units"
    )


class UnitQuery(Schema):
    structure: StructureName | None = Field(None, description="current | former")
    level: LevelName | None = Field(None, description="province | district | commune")
    parent: str | None = Field(None, pattern=r"^\d{2,5}$", description="Mã đơn vị cấp trên / parent code")
    q: str | None = Field(None, max_length=100, description="Tên (không cần dấu) hoặc mã / name or code")


@router.get("/", response=list[UnitOut], auth=None, summary="Danh sách đơn vị hành chính / list units")
@paginate(Pagination)
def list_units(request: HttpRequest, filters: Query[UnitQuery]):  # noqa: ANN201 - paginated queryset
    data = {k: v for k, v in filters.dict().items() if v is not None}
    queryset = Unit.objects.select_related("parent", "current_province").order_by(
        "sort_key", "structure", "code"
    )
    filterset = UnitFilterSet(data, queryset=queryset)
    if not filterset.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    return filterset.qs


@router.get(
    "/{structure}/{code}",
    response=UnitDetailOut,
    auth=None,
    summary="Một đơn vị hành chính, kèm kế thừa / one unit with its succession",
)
def get_unit(request: HttpRequest, structure: StructureName, code: str) -> dict:
    unit = (
        Unit.objects.select_related("parent", "current_province")
        .filter(structure=structure, code=code)
        .first()
    )
    if unit is None:
        raise HttpError(404, _("Không tìm thấy đơn vị hành chính có mã %(code)s.") % {"code": code})
    successors = unit.successor_links() if unit.structure == Structure.FORMER else []
    predecessors = unit.predecessor_links() if unit.structure == Structure.CURRENT else []
    return {
        **UnitOut.from_orm(unit).dict(),
        "successors": [_linked(other, partial) for other, partial in successors],
        "predecessors": [_linked(other, partial) for other, partial in predecessors],
    }


def _linked(unit: Unit, partial: bool) -> dict:
    return {"code": unit.code, "name": unit.name, "level": unit.level, "partial": partial}
