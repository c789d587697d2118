"""/api/v1/plans/: plans (list, detail, create, update, delete), their targets (CRUD) and a plan's
live progress (the rows of ``ocop.plans.progress``). Scoped exactly like the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.core import clock, concurrency
from ocop.core.api import ErrorOut, InputSchema, Pagination
from ocop.core.concurrency import IfMatch
from ocop.core.scoping import ADD, CHANGE, DELETE, VIEW, get_restricted_object_or_404, request_user, restrict

from .. import progress
from ..filtersets import PlanFilterSet
from ..models import Plan, Target
from .common import DayQuery, UnitOut, acting, check_id, save, unit_of

router = Router(tags=["plans"], auth=api_auth)

DUPLICATE_TARGET = gettext_lazy("Kế hoạch đã có chỉ tiêu này với cùng thời hạn.")


class TargetOut(Schema):
    id: int
    plan_id: int
    indicator: str = Field(..., description="Mã chỉ tiêu (GET /api/v1/plans/indicators)")
    value: float = Field(..., description="Giá trị mục tiêu (tỷ lệ: số phần trăm)")
    deadline: dt.date
    baseline: float | None = Field(None, description="Giá trị đầu kỳ đã nhập; trống: tính tại ngày bắt đầu")
    note: str


class PlanOut(Schema):
    id: int
    title: str
    level: str = Field(..., description="country | province | commune")
    province: UnitOut | None = Field(None, description="Tỉnh (trống với kế hoạch toàn quốc)")
    commune: UnitOut | None = Field(None, description="Xã (kế hoạch cấp xã)")
    start_year: int
    end_year: int
    document_number: str
    document_date: dt.date | None
    document_issuer: str
    budget: int | None = Field(None, description="Kinh phí, đồng")
    note: str
    target_count: int

    @staticmethod
    def resolve_budget(obj: Plan) -> int | None:
        return int(obj.budget) if obj.budget is not None else None


class PlanDetailOut(PlanOut):
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj: Plan) -> list[Target]:
        return list(obj.targets.all())


class ProgressRowOut(Schema):
    plan_id: int
    plan: str
    indicator: str
    name: str
    unit: str
    target: float
    deadline: str = Field(..., description="YYYY-MM-DD")
    baseline: float | None
    current: float | None
    share: float | None = Field(None, description="Tỷ lệ đạt so với mục tiêu, 0–100")
    expected: float | None = Field(None, description="Giá trị theo đường thẳng từ đầu kỳ đến mục tiêu")
    on_track: bool | None


class ProgressOut(Schema):
    plan_id: int
    day: dt.date
    rows: list[ProgressRowOut]


class PlanQuery(Schema):
    q: str | None = Field(None, max_length=100)
    level: Literal["country", "province", "commune"] | None = None
    year: int | None = Field(None, ge=2000, le=2100, description="Kế hoạch đang thực hiện năm này")
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Mã tỉnh hiện hành")
    commune: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã hiện hành")


class PlanFields(InputSchema):
    title: str = Field(..., min_length=1, max_length=255)
    start_year: int = Field(..., ge=2000, le=2100)
    end_year: int = Field(..., ge=2000, le=2100)
    document_number: str = Field("", max_length=100)
    document_date: dt.date | None = None
    document_issuer: str = Field("", max_length=255)
    budget: int | None = Field(None, ge=0, le=10**17, description="Kinh phí, đồng")
    note: str = Field("", max_length=5000)


class PlanIn(PlanFields):
    province: str | None = Field(
        None, pattern=r"^\d{2}$", description="Mã tỉnh; trống cả tỉnh và xã: kế hoạch toàn quốc"
    )
    commune: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã (kế hoạch cấp xã)")


class PlanPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=255)
    start_year: int | None = Field(None, ge=2000, le=2100)
    end_year: int | None = Field(None, ge=2000, le=2100)
    document_number: str | None = Field(None, max_length=100)
    document_date: dt.date | None = None
    document_issuer: str | None = Field(None, max_length=255)
    budget: int | None = Field(None, ge=0, le=10**17)
    note: str | None = Field(None, max_length=5000)


class TargetIn(InputSchema):
    indicator: str = Field(..., min_length=1, max_length=48)
    value: Decimal = Field(..., ge=0, le=10**12, max_digits=16, decimal_places=2)
    deadline: dt.date
    baseline: Decimal | None = Field(None, ge=0, le=10**12, max_digits=16, decimal_places=2)
    note: str = Field("", max_length=255)


class TargetPatch(InputSchema):
    indicator: str | None = Field(None, min_length=1, max_length=48)
    value: Decimal | None = Field(None, ge=0, le=10**12, max_digits=16, decimal_places=2)
    deadline: dt.date | None = None
    baseline: Decimal | None = Field(None, ge=0, le=10**12, max_digits=16, decimal_places=2)
    note: str | None = Field(None, max_length=255)


def _plans() -> QuerySet[Plan]:
    targets = Target.objects.order_by("deadline", "indicator", "pk")
    return (
        Plan.objects.select_related("province", "commune")
        .annotate(target_count=Count("targets"))
        .prefetch_related(Prefetch("targets", queryset=targets))
    )


def _plan(user: Any, pk: int, action: str = VIEW) -> Plan:
    return get_restricted_object_or_404(_plans(), user, action, pk=check_id(pk))


def _filtered(request: HttpRequest, params: PlanQuery, queryset: QuerySet) -> QuerySet:
    data = {key: value for key, value in params.dict().items() if value not in (None, "")}
    request.user = request_user(request)
    filterset = PlanFilterSet(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        errors = "; ".join(f"{key}: {' '.join(str(m) for m in v)}" for key, v in filterset.errors.items())
        raise HttpError(422, _("Bộ lọc không hợp lệ — %(errors)s") % {"errors": errors})
    return filterset.qs


# --- plans -----------------------------------------------------------------------------------------


@router.get("/", response=list[PlanOut], summary="Kế hoạch / plans")
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[PlanQuery]):  # noqa: ANN201 - paginated
    plans = restrict(
        Plan.objects.select_related("province", "commune").annotate(target_count=Count("targets")),
        request_user(request),
        VIEW,
    ).order_by("-end_year", "-start_year", "level", "province__sort_key", "commune__sort_key", "pk")
    return _filtered(request, filters, plans)


@router.get("/{int:plan_id}", response=PlanDetailOut, summary="Một kế hoạch, với các chỉ tiêu")
def get_plan(request: HttpRequest, plan_id: int, response: HttpResponse) -> Plan:
    plan = _plan(request_user(request), plan_id)
    concurrency.set_etag(response, plan)
    return plan


@router.post("/", response={201: PlanDetailOut}, summary="Lập kế hoạch")
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, Plan]:
    user = acting(request, ADD, Plan)
    data = payload.dict()
    level, province, commune = unit_of(data.pop("province"), data.pop("commune"))
    plan = Plan(level=level, province=province, commune=commune, created_by=user, **data)
    save(user, plan, ADD, "")
    return 201, _plan(user, plan.pk)


def _update_plan(request: HttpRequest, plan_id: int, data: dict[str, Any], if_match: str | None) -> Plan:
    user = acting(request, CHANGE, Plan)
    with transaction.atomic():
        concurrency.lock_row(Plan, check_id(plan_id))
        plan = get_restricted_object_or_404(
            Plan.objects.select_related("province", "commune"), user, CHANGE, pk=plan_id
        )
        concurrency.check_if_match(if_match, plan)
        for key, value in data.items():
            setattr(plan, key, value)
        outside = plan.targets.filter(Q(deadline__lt=plan.starts_on) | Q(deadline__gt=plan.ends_on))
        if outside.exists():
            raise HttpError(
                422,
                _(
                    "Dữ liệu không hợp lệ — end_year: có chỉ tiêu với thời hạn ngoài thời gian mới "
                    "của kế hoạch."
                ),
            )
        save(user, plan, CHANGE, "")
    return _plan(user, plan.pk)


@router.put(
    "/{int:plan_id}", response={200: PlanDetailOut, 412: ErrorOut}, summary="Sửa kế hoạch (không đổi địa bàn)"
)
def replace_plan(
    request: HttpRequest,
    plan_id: int,
    payload: PlanFields,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Plan:
    plan = _update_plan(request, plan_id, payload.dict(), if_match)
    concurrency.set_etag(response, plan)
    return plan


@router.patch("/{int:plan_id}", response={200: PlanDetailOut, 412: ErrorOut}, summary="Sửa một phần kế hoạch")
def update_plan(
    request: HttpRequest,
    plan_id: int,
    payload: PlanPatch,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Plan:
    data = payload.dict(exclude_unset=True)
    for name in ("title", "start_year", "end_year", "document_number", "document_issuer", "note"):
        if name in data and data[name] is None:
            raise HttpError(422, _("Dữ liệu không hợp lệ — %(field)s: không được để trống") % {"field": name})
    plan = _update_plan(request, plan_id, data, if_match)
    concurrency.set_etag(response, plan)
    return plan


@router.delete(
    "/{int:plan_id}", response={204: None, 412: ErrorOut}, summary="Xoá kế hoạch (và các chỉ tiêu)"
)
def delete_plan(request: HttpRequest, plan_id: int, if_match: str | None = IfMatch) -> tuple[int, None]:
    user = acting(request, DELETE, Plan)
    with transaction.atomic():
        concurrency.lock_row(Plan, check_id(plan_id))
        plan = get_restricted_object_or_404(Plan.objects.all(), user, DELETE, pk=plan_id)
        concurrency.check_if_match(if_match, plan)
        plan.delete()
    return 204, None


@router.get("/{int:plan_id}/progress", response=ProgressOut, summary="Tiến độ các chỉ tiêu của kế hoạch")
def plan_progress(request: HttpRequest, plan_id: int, params: Query[DayQuery]) -> dict[str, Any]:
    plan = _plan(request_user(request), plan_id)
    day = params.day or clock.today()
    rows = [row.as_row() for row in progress.plan_progress(plan, day)]
    return {"plan_id": plan.pk, "day": day, "rows": rows}


# --- targets ---------------------------------------------------------------------------------------


def _refuse_twin(target: Target) -> None:
    twins = Target.objects.filter(plan=target.plan_id, indicator=target.indicator, deadline=target.deadline)
    if target.pk is not None:
        twins = twins.exclude(pk=target.pk)
    if twins.exists():
        raise HttpError(
            422, _("Dữ liệu không hợp lệ — deadline: %(message)s") % {"message": str(DUPLICATE_TARGET)}
        )


@router.get("/{int:plan_id}/targets", response=list[TargetOut], summary="Các chỉ tiêu của kế hoạch")
def list_targets(request: HttpRequest, plan_id: int) -> list[Target]:
    return list(_plan(request_user(request), plan_id).targets.all())


@router.post("/{int:plan_id}/targets", response={201: TargetOut}, summary="Thêm chỉ tiêu vào kế hoạch")
def create_target(request: HttpRequest, plan_id: int, payload: TargetIn) -> tuple[int, Target]:
    user = acting(request, ADD, Target)
    plan = get_restricted_object_or_404(Plan.objects.all(), user, VIEW, pk=check_id(plan_id))
    target = Target(plan=plan, **payload.dict())
    _refuse_twin(target)
    save(user, target, ADD, str(DUPLICATE_TARGET))
    return 201, target


@router.get("/targets/{int:target_id}", response=TargetOut, summary="Một chỉ tiêu")
def get_target(request: HttpRequest, target_id: int, response: HttpResponse) -> Target:
    target = get_restricted_object_or_404(
        Target.objects.all(), request_user(request), VIEW, pk=check_id(target_id)
    )
    concurrency.set_etag(response, target)
    return target


def _update_target(
    request: HttpRequest, target_id: int, data: dict[str, Any], if_match: str | None
) -> Target:
    user = acting(request, CHANGE, Target)
    with transaction.atomic():
        concurrency.lock_row(Target, check_id(target_id))
        target = get_restricted_object_or_404(
            Target.objects.select_related("plan"), user, CHANGE, pk=target_id
        )
        concurrency.check_if_match(if_match, target)
        for key, value in data.items():
            setattr(target, key, value)
        _refuse_twin(target)
        save(user, target, CHANGE, str(DUPLICATE_TARGET))
    return target


@router.put("/targets/{int:target_id}", response={200: TargetOut, 412: ErrorOut}, summary="Sửa chỉ tiêu")
def replace_target(
    request: HttpRequest,
    target_id: int,
    payload: TargetIn,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Target:
    target = _update_target(request, target_id, payload.dict(), if_match)
    concurrency.set_etag(response, target)
    return target


@router.patch(
    "/targets/{int:target_id}", response={200: TargetOut, 412: ErrorOut}, summary="Sửa một phần chỉ tiêu"
)
def update_target(
    request: HttpRequest,
    target_id: int,
    payload: TargetPatch,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Target:
    data = payload.dict(exclude_unset=True)
    for name in ("indicator", "value", "deadline", "note"):
        if name in data and data[name] is None:
            raise HttpError(422, _("Dữ liệu không hợp lệ — %(field)s: không được để trống") % {"field": name})
    target = _update_target(request, target_id, data, if_match)
    concurrency.set_etag(response, target)
    return target


@router.delete("/targets/{int:target_id}", response={204: None, 412: ErrorOut}, summary="Xoá chỉ tiêu")
def delete_target(request: HttpRequest, target_id: int, if_match: str | None = IfMatch) -> tuple[int, None]:
    user = acting(request, DELETE, Target)
    with transaction.atomic():
        concurrency.lock_row(Target, check_id(target_id))
        target = get_restricted_object_or_404(Target.objects.all(), user, DELETE, pk=target_id)
        concurrency.check_if_match(if_match, target)
        target.delete()
    return 204, None
