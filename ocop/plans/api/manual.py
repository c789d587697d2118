"""/api/v1/plans/indicators (the registry, read-only) and /api/v1/plans/manual-values (list, create)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.core.api import InputSchema, Pagination
from ocop.core.scoping import ADD, VIEW, request_user, restrict

from .. import indicators
from ..filtersets import ManualValueFilterSet
from ..forms import DUPLICATE
from ..models import ManualValue
from .common import UnitOut, acting, save, unit_of, unit_out

router = Router(tags=["plans"], auth=api_auth)


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    kind: str = Field(..., description="level (hiện trạng tại ngày D) | flow (lũy kế từ đầu kế hoạch đến D)")
    direction: str = Field(..., description="higher | lower (càng ít càng tốt)")
    percent: bool = Field(..., description="Giá trị là tỷ lệ phần trăm")
    computed: bool = Field(..., description="true: tính từ dữ liệu; false: nhập tay (manual-values)")
    records: str = Field(
        ..., description="product | producer | commune | certificate | inspection | manual_value"
    )
    definition: str


class ManualValueOut(Schema):
    id: int
    indicator: str
    level: str = Field(..., description="country | province | commune")
    province: UnitOut | None
    commune: UnitOut | None
    period_start: dt.date
    period_end: dt.date
    value: float
    source: str

    @staticmethod
    def resolve_province(obj: ManualValue) -> dict[str, str] | None:
        return unit_out(obj.province)

    @staticmethod
    def resolve_commune(obj: ManualValue) -> dict[str, str] | None:
        return unit_out(obj.commune)


class ManualValueQuery(Schema):
    indicator: str | None = Field(None, max_length=48)
    level: Literal["country", "province", "commune"] | None = None
    year: int | None = Field(None, ge=2000, le=2100, description="Kỳ có một phần trong năm này")
    province: str | None = Field(None, pattern=r"^\d{2}$")
    commune: str | None = Field(None, pattern=r"^\d{5}$")


class ManualValueIn(InputSchema):
    indicator: str = Field(..., min_length=1, max_length=48, description="Mã chỉ tiêu nhập tay")
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Mã tỉnh; trống cả hai: toàn quốc")
    commune: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã")
    period_start: dt.date
    period_end: dt.date
    value: Decimal = Field(..., ge=0, le=10**12, max_digits=16, decimal_places=2)
    source: str = Field("", max_length=255)


def _indicator_out(indicator: indicators.Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "unit": str(indicator.unit),
        "kind": indicator.kind,
        "direction": indicator.direction,
        "percent": indicator.percent,
        "computed": indicator.computed,
        "records": indicator.record_kind,
        "definition": str(indicator.definition),
    }


@router.get("/indicators", response=list[IndicatorOut], summary="Danh mục chỉ tiêu / indicators")
def list_indicators(request: HttpRequest) -> list[dict[str, Any]]:
    return [_indicator_out(indicator) for indicator in indicators.all_indicators()]


@router.get("/manual-values", response=list[ManualValueOut], summary="Số liệu nhập tay / manual values")
@paginate(Pagination)
def list_manual_values(request: HttpRequest, filters: Query[ManualValueQuery]):  # noqa: ANN201 - paginated
    user = request_user(request)
    values: QuerySet[ManualValue] = restrict(
        ManualValue.objects.select_related("province", "commune"), user, VIEW
    ).order_by("indicator", "-period_end", "level", "province__sort_key", "commune__sort_key", "pk")
    data = {key: value for key, value in filters.dict().items() if value not in (None, "")}
    request.user = user
    filterset = ManualValueFilterSet(data, queryset=values, request=request)
    if not filterset.is_valid():
        errors = "; ".join(f"{key}: {' '.join(str(m) for m in v)}" for key, v in filterset.errors.items())
        raise HttpError(422, _("Bộ lọc không hợp lệ — %(errors)s") % {"errors": errors})
    return filterset.qs


@router.post("/manual-values", response={201: ManualValueOut}, summary="Nhập số liệu của chỉ tiêu nhập tay")
def create_manual_value(request: HttpRequest, payload: ManualValueIn) -> tuple[int, ManualValue]:
    user = acting(request, ADD, ManualValue)
    data = payload.dict()
    level, province, commune = unit_of(data.pop("province"), data.pop("commune"))
    value = ManualValue(level=level, province=province, commune=commune, entered_by=user, **data)
    twins = ManualValue.objects.filter(
        indicator=value.indicator,
        level=level,
        province=value.province_id,
        commune=value.commune_id,
        period_start=value.period_start,
        period_end=value.period_end,
    )
    if twins.exists():
        raise HttpError(422, str(DUPLICATE))
    save(user, value, ADD, str(DUPLICATE))
    return 201, value
