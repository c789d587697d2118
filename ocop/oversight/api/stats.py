"""GET /api/v1/oversight/stats: the oversight figures of a unit and period (ocop.oversight.stats).

Query: ``unit`` (id of a current province or commune in the caller's scope; default the caller's
scope), ``start`` and ``end`` (ISO dates; default this year). A unit outside the scope is a 403,
an end before the start a 422; producers, council members and accounts without a unit get a 403.
The fields are described in the README ("Số liệu kiểm tra, giám sát").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from ocop.core.api import MAX_ID
from ocop.core.scoping import request_user

from .. import stats

router = Router()


class StatsQuery(Schema):
    unit: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class StatsUnitOut(Schema):
    id: int
    code: str
    name: str
    level: str | None = None


class StatsPlannedOut(Schema):
    planned: int
    inspected: int


class StatsInspectionsOut(Schema):
    planned: int
    done: int


class StatsConclusionsOut(Schema):
    compliant: int
    warning: int
    revocation: int
    reevaluation: int
    removal: int


class StatsWarningsOut(Schema):
    issued: int
    open: int
    closed: int
    overdue: int


class StatsAnswersOut(Schema):
    as_evaluated: int
    changed: int
    not_met: int


class StatsFindingsOut(Schema):
    criterion: StatsAnswersOut
    mark: StatsAnswersOut


class StatsRevocationsOut(Schema):
    total: int
    from_inspection: int
    by_ground: dict[str, int] | None = None


class StatsReportsOut(Schema):
    received: int
    new: int
    in_progress: int
    closed: int


class StatsSignalsOut(Schema):
    open: int


class StatsProvinceStatsOut(Schema):
    province: StatsUnitOut
    inspections: StatsInspectionsOut
    producers: StatsPlannedOut
    products: StatsPlannedOut
    conclusions: StatsConclusionsOut
    warnings: StatsWarningsOut
    revocations: StatsRevocationsOut
    removed: int
    reports: StatsReportsOut
    signals: StatsSignalsOut


class StatsOut(Schema):
    area: str
    unit: StatsUnitOut | None
    start: dt.date
    end: dt.date
    today: dt.date
    inspections: StatsInspectionsOut
    producers: StatsPlannedOut
    products: StatsPlannedOut
    findings: StatsFindingsOut
    conclusions: StatsConclusionsOut
    warnings: StatsWarningsOut
    revocations: StatsRevocationsOut
    removed: int
    reports: StatsReportsOut
    signals: StatsSignalsOut
    by_province: list[StatsProvinceStatsOut] | None


@router.get("stats", response=StatsOut)
def get_oversight_stats(request: HttpRequest, filters: Query[StatsQuery]) -> dict[str, Any]:
    """Figures of oversight: planned and inspected producers and products, findings, conclusions,
    warnings, revocations by ground, removals, consumer reports, open scan signals."""
    user = request_user(request)
    if stats.area_of(user) == "none":
        raise PermissionDenied
    if filters.unit is not None and not 0 < filters.unit <= MAX_ID:
        raise PermissionDenied  # no such unit: as for one outside the scope
    try:
        return stats.figures(user, unit=filters.unit, start=filters.start, end=filters.end)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
