"""/api/v1/oversight/plans: inspection plans with their progress; creating a plan and putting
producers in it (``ocop.oversight.planning.add_producers``). Scoped like the pages."""

from datetime import date
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.certification.api import acting, filtered, run_step
from ocop.core.api import MAX_ID, InputSchema, Pagination
from ocop.core.scoping import ADD, CHANGE, VIEW, get_restricted_object_or_404, request_user, restrict
from ocop.geo.models import Level, Structure, Unit
from ocop.registry.models import Producer, Product

from .. import planning
from ..filtersets.plans import PlanFilterSet
from ..models import Inspection, InspectionPlan

router = Router(tags=["oversight"], auth=api_auth)


class UnitOut(Schema):
    code: str
    name: str


class PlanMemberOut(Schema):
    id: int
    name: str
    role: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.get_full_name().strip() or obj.get_username()


class PlanOut(Schema):
    id: int
    title: str
    number: str
    year: int
    level: str = Field(..., description="province | central")
    kind: str = Field(..., description="periodic | ad_hoc | evaluation_review")
    status: str = Field(..., description="draft | active | closed")
    province: UnitOut | None = Field(None, description="Tỉnh của kế hoạch; trống: sản phẩm 5 sao cả nước")
    starts_on: date
    ends_on: date
    producers_planned: int = Field(
        ..., description="Số chủ thể trong kế hoạch (không tính cuộc kiểm tra đã hủy)"
    )
    producers_inspected: int = Field(..., description="Số chủ thể đã kiểm tra")
    products_planned: int = Field(..., description="Số sản phẩm trong kế hoạch")
    products_inspected: int = Field(..., description="Số sản phẩm đã kiểm tra")


class PlanInspectionOut(Schema):
    id: int
    producer: int = Field(..., description="id chủ thể")
    producer_name: str
    status: str = Field(..., description="planned | done | cancelled")
    conclusion: str = Field(..., description="compliant | warning | revocation | removal, hoặc trống")
    scheduled_on: date | None
    inspected_on: date | None
    products: list[int] = Field(..., description="id các sản phẩm được kiểm tra")

    @staticmethod
    def resolve_producer(obj: Inspection) -> int:
        return obj.producer_id

    @staticmethod
    def resolve_producer_name(obj: Inspection) -> str:
        return obj.producer.name

    @staticmethod
    def resolve_products(obj: Inspection) -> list[int]:
        return [item.product_id for item in obj.inspected_products.all()]


class PlanDetailOut(PlanOut):
    team: str
    note: str
    members: list[PlanMemberOut]
    inspections: list[PlanInspectionOut] = Field(..., description="Các cuộc kiểm tra người gọi được xem")

    @staticmethod
    def resolve_members(obj: InspectionPlan) -> list[Any]:
        return list(obj.members.order_by("full_name", "username"))

    @staticmethod
    def resolve_inspections(obj: InspectionPlan) -> list[Inspection]:
        return obj.visible_inspections


class PlanQuery(Schema):
    q: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=2018, le=2100)
    level: Literal["province", "central"] | None = None
    kind: Literal["periodic", "ad_hoc", "evaluation_review"] | None = None
    status: Literal["draft", "active", "closed"] | None = None
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Mã tỉnh hiện hành (2 chữ số)")


class PlanIn(InputSchema):
    level: Literal["province", "central"] = "province"
    kind: Literal["periodic", "ad_hoc", "evaluation_review"] = "periodic"
    province: str | None = Field(
        None, pattern=r"^\d{2}$", description="Mã tỉnh; mặc định: tỉnh của cán bộ tỉnh (kế hoạch cấp tỉnh)"
    )
    year: int = Field(..., ge=2018, le=2100)
    title: str = Field(..., min_length=1, max_length=255)
    number: str = Field("", max_length=100)
    starts_on: date
    ends_on: date
    team: str = Field("", max_length=5000)
    note: str = Field("", max_length=5000)
    members: list[int] = Field(default_factory=list, max_length=200, description="id tài khoản cán bộ")


class AddProducersIn(InputSchema):
    producers: list[int] = Field(..., min_length=1, max_length=2000, description="id chủ thể")
    products: list[int] | None = Field(
        None, max_length=20000, description="id sản phẩm; trống: mọi sản phẩm OCOP của chủ thể trong phạm vi"
    )


class AddProducersOut(Schema):
    created: list[PlanInspectionOut] = Field(
        ..., description="Các cuộc kiểm tra mới (chủ thể đã có được bỏ qua)"
    )
    plan: PlanDetailOut


def _plans() -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.select_related("province").annotate(**planning.progress_annotations())


def _plan_detail(user: Any, pk: int) -> InspectionPlan:
    plan = get_restricted_object_or_404(_plans(), user, VIEW, pk=pk)
    plan.visible_inspections = list(
        restrict(plan.inspections.all(), user, VIEW)
        .select_related("producer")
        .prefetch_related("inspected_products")
        .order_by("producer__sort_key", "pk")
    )
    return plan


def _ids(values: list[int], what: str) -> list[int]:
    if any(value < 1 or value > MAX_ID for value in values):
        raise HttpError(422, _("Dữ liệu không hợp lệ — %(field)s: id không hợp lệ") % {"field": what})
    return list(dict.fromkeys(values))


@router.get("/plans", response=list[PlanOut], summary="Kế hoạch kiểm tra / inspection plans")
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[PlanQuery]):  # noqa: ANN201 - paginated
    queryset = restrict(_plans(), request_user(request), VIEW).order_by("-year", "-starts_on", "-pk")
    return filtered(request, filters, queryset, PlanFilterSet)


@router.get("/plans/{int:plan_id}", response=PlanDetailOut, summary="Một kế hoạch kiểm tra, với tiến độ")
def get_plan(request: HttpRequest, plan_id: int) -> InspectionPlan:
    if plan_id > MAX_ID:
        raise HttpError(404, _("Không tìm thấy."))
    return _plan_detail(request_user(request), plan_id)


@router.post("/plans", response={201: PlanDetailOut}, summary="Lập kế hoạch kiểm tra")
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, InspectionPlan]:
    user = acting(request, ADD, InspectionPlan)
    if user.role not in ("admin", "central", "province"):
        raise PermissionDenied
    province = None
    if payload.province:
        province = Unit.objects.filter(
            structure=Structure.CURRENT, level=Level.PROVINCE, code=payload.province
        ).first()
        if province is None:
            raise HttpError(422, _("Không tìm thấy tỉnh có mã %(code)s.") % {"code": payload.province})
    elif payload.level == "province" and user.scope_province_id:
        province = Unit.objects.get(pk=user.scope_province_id)
    member_ids = _ids(payload.members, "members")
    members = list(restrict(_members_model().objects.filter(pk__in=member_ids), user, VIEW))
    if len(members) < len(member_ids):
        raise HttpError(422, _("Dữ liệu không hợp lệ — members: không tìm thấy tài khoản."))
    plan = run_step(
        planning.create_plan,
        user,
        members=members,
        level=payload.level,
        kind=payload.kind,
        province=province,
        year=payload.year,
        title=payload.title.strip(),
        number=payload.number.strip(),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        team=payload.team.strip(),
        note=payload.note.strip(),
    )
    return 201, _plan_detail(user, plan.pk)


def _members_model() -> Any:
    from ocop.accounts.models import User

    return User


@router.post(
    "/plans/{int:plan_id}/producers",
    response={201: AddProducersOut},
    summary="Đưa chủ thể vào kế hoạch kiểm tra",
)
def add_plan_producers(request: HttpRequest, plan_id: int, payload: AddProducersIn) -> tuple[int, dict]:
    user = acting(request, CHANGE, InspectionPlan)
    if plan_id > MAX_ID:
        raise HttpError(404, _("Không tìm thấy."))
    plan = get_restricted_object_or_404(InspectionPlan.objects.all(), user, VIEW, pk=plan_id)
    producer_ids = _ids(payload.producers, "producers")
    producers = list(restrict(Producer.objects.filter(pk__in=producer_ids), user, VIEW))
    if len(producers) < len(producer_ids):
        raise HttpError(404, _("Không tìm thấy chủ thể."))
    products = None
    if payload.products is not None:
        product_ids = _ids(payload.products, "products")
        products = list(restrict(Product.objects.filter(pk__in=product_ids), user, VIEW))
        if len(products) < len(product_ids):
            raise HttpError(404, _("Không tìm thấy sản phẩm."))
    created = run_step(planning.add_producers, user, plan, producers, products)
    created = list(
        Inspection.objects.filter(pk__in=[item.pk for item in created])
        .select_related("producer")
        .prefetch_related("inspected_products")
        .order_by("producer__sort_key", "pk")
    )
    return 201, {"created": created, "plan": _plan_detail(user, plan.pk)}
