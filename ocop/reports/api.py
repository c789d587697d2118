"""GET /api/v1/statistics/: the OCOP figures of a scope as of a day and per year
(ocop.reports.statistics, through ocop.reports.dashboard.figures: the dashboard's very numbers).

Query: ``unit`` (code of a current province or commune within the caller's scope; default the
caller's scope), ``date`` (dd/mm/yyyy or yyyy-mm-dd; default today), ``year`` (the year of the
flows and the last year of the comparison; default the date's year). A bad date or year is a
422, an unknown unit a 404, a unit outside the scope (or an account without figures) a 403; the
fields are described in the README ("Thống kê theo ngày và theo năm").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ocop.core import datacache
from ocop.core.api import ErrorOut
from ocop.core.scoping import request_user

from . import dashboard, statistics

router = Router(tags=["statistics"])


class StatisticsQuery(Schema):
    unit: str | None = Field(None, description="Mã tỉnh/thành phố hoặc xã/phường hiện hành trong phạm vi")
    date: str | None = Field(
        None, description="Ngày tính số liệu, dd/mm/yyyy hoặc yyyy-mm-dd; mặc định hôm nay"
    )
    year: str | None = Field(None, description="Năm của số liệu trong kỳ và năm cuối của bảng so sánh")


class ScopeOut(Schema):
    level: str = Field(..., description="country, province, commune hoặc producer")
    code: str
    name: str


class ProductsOut(Schema):
    total: int
    ocop: int
    by_star: dict[str, int] = Field(
        ..., description='Khoá "3", "4", "4p" (4 sao tiềm năng 5 sao), "5", "revoked", "none"'
    )
    share_5_star: float | None


class SectorOut(Schema):
    code: str
    name: str
    products: int
    ocop: int


class UnitFiguresOut(Schema):
    code: str
    name: str
    by_star: dict[str, int]
    ocop: int
    total: int


class ProducerTypeOut(Schema):
    code: str
    name: str
    producers: int
    ocop: int


class ProducersOut(Schema):
    total: int
    ocop: int
    by_type: list[ProducerTypeOut]
    cooperatives_and_enterprises: int
    cooperatives_and_enterprises_share: float | None


class CommunesOut(Schema):
    with_ocop: int
    in_scope: int | None


class FlowsOut(Schema):
    start: dt.date
    end: dt.date
    new: int
    reevaluated: int
    upgraded: int
    expired: int
    revoked: int


class StockOut(Schema):
    date: dt.date
    by_star: dict[str, int]
    ocop: int
    total: int
    communes_with_ocop: int


class ChangeOut(Schema):
    stock: dict[str, int] = Field(
        ..., description="Chênh lệch cuối năm so với năm trước, theo các khoá của stock"
    )
    flows: dict[str, int] = Field(..., description="Chênh lệch số trong năm so với năm trước")


class YearOut(Schema):
    year: int
    date: dt.date
    stock: StockOut
    flows: FlowsOut
    change: ChangeOut


class StatisticsOut(Schema):
    scope: ScopeOut
    date: dt.date
    products: ProductsOut
    by_sector: list[SectorOut]
    by_province: list[UnitFiguresOut]
    by_commune: list[UnitFiguresOut]
    producers: ProducersOut
    communes: CommunesOut
    year: int
    flows: FlowsOut
    years: list[YearOut]


@router.get(
    "/",
    response={200: StatisticsOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Thống kê OCOP theo ngày và theo năm",
)
def get_statistics(request: HttpRequest, filters: Query[StatisticsQuery]) -> dict[str, Any]:
    """Products by star (3, 4, 4 tiềm năng 5, 5, bị thu hồi, chưa có sao), by sector, province and
    commune; producers by type; communes with OCOP products — as of ``date``; the flows of
    ``year`` (new, re-evaluated, upgraded, expired, revoked) and the five years up to it."""
    user = request_user(request)
    try:
        day = statistics.parse_day(filters.date)
        year = statistics.parse_year(filters.year, day.year)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    try:
        scope = statistics.scope_for(user, filters.unit)
    except statistics.UnknownUnit as error:
        raise HttpError(404, str(error)) from None
    except PermissionDenied as error:
        raise HttpError(403, str(error) or _("Bạn không có quyền thực hiện thao tác này.")) from None
    if scope.level == statistics.scope.NOTHING:
        raise HttpError(403, _("Tài khoản của bạn không có phạm vi số liệu (chưa gắn đơn vị hoặc chủ thể)."))
    return dashboard.figures(scope, day, year, stamp=datacache.stamp()).to_dict()
