"""/api/v1/rounds/: evaluation rounds with their councils; opening a round, seating members and
putting a dossier before the council (which starts its evaluation).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.accounts.models import User
from ocop.certification.api import acting as _acting
from ocop.certification.api import filtered as _filtered
from ocop.certification.api import run_step as _step
from ocop.core.api import Pagination
from ocop.core.scoping import ADD, VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs
from ocop.geo.models import Level as UnitLevel
from ocop.geo.models import Structure, Unit

from .. import workflow
from ..filtersets import RoundFilterSet
from ..models import CouncilMember, Dossier, Evaluation, Level, Round
from .common import _not_found
from .evaluations import _evaluation_out, _evaluations
from .schemas import AddDossierIn, EvaluationOut, MemberIn, RoundDetailOut, RoundIn, RoundOut, RoundQuery

rounds_router = Router(tags=["rounds"], auth=api_auth)


def _rounds() -> QuerySet[Round]:
    return Round.objects.select_related("province")


def _round_detail(user: Any, pk: int) -> Round:
    round_ = get_restricted_object_or_404(_rounds(), user, VIEW, pk=pk)
    members = round_.members.select_related("user").order_by("role", "pk")
    round_.visible_members = list(restrict_qs(members, user, VIEW))
    return round_


def _province(code: str) -> Unit:
    unit = Unit.objects.filter(structure=Structure.CURRENT, level=UnitLevel.PROVINCE, code=code).first()
    if unit is None:
        raise _not_found("province", _("không tìm thấy tỉnh có mã %(code)s.") % {"code": code})
    return unit


@rounds_router.get(
    "/",
    response=list[RoundOut],
    summary="Các đợt đánh giá / evaluation rounds",
)
@paginate(Pagination)
def list_rounds(request: HttpRequest, filters: Query[RoundQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_rounds(), request_user(request), VIEW)
    return _filtered(request, filters, queryset, RoundFilterSet)


@rounds_router.get(
    "/{int:round_id}",
    response=RoundDetailOut,
    summary="Một đợt đánh giá, với hội đồng",
)
def get_round(request: HttpRequest, round_id: int) -> Round:
    return _round_detail(request_user(request), round_id)


@rounds_router.post(
    "/",
    response={201: RoundDetailOut},
    summary="Mở đợt đánh giá / open a round",
)
def create_round(request: HttpRequest, payload: RoundIn) -> tuple[int, Round]:
    user = _acting(request, ADD, Round)
    province = None
    if payload.level == Level.PROVINCE:
        if payload.province:
            province = _province(payload.province)
        elif user.scope_province_id:
            province = Unit.objects.get(pk=user.scope_province_id)
        else:
            raise _not_found("province", _("hãy chọn tỉnh của đợt đánh giá."))
    created = _step(
        workflow.open_round,
        user,
        level=payload.level,
        year=payload.year,
        number=payload.number,
        province=province,
        name=payload.name.strip(),
        proposals_by=payload.proposals_by,
        closes_by=payload.closes_by,
    )
    return 201, _round_detail(user, created.pk)


@rounds_router.post(
    "/{int:round_id}/members",
    response={201: RoundDetailOut},
    summary="Thêm thành viên hội đồng",
)
def add_member(request: HttpRequest, round_id: int, payload: MemberIn) -> tuple[int, Round]:
    user = _acting(request, ADD, CouncilMember)
    round_ = get_restricted_object_or_404(_rounds(), user, VIEW, pk=round_id)
    member = restrict_qs(User.objects.all(), user, VIEW).filter(pk=payload.user).first()
    if member is None:
        raise _not_found("user", _("không tìm thấy tài khoản."))
    _step(workflow.add_member, user, round_, member, payload.role, department=payload.department.strip())
    return 201, _round_detail(user, round_.pk)


@rounds_router.post(
    "/{int:round_id}/dossiers",
    response={201: EvaluationOut},
    summary="Đưa hồ sơ vào đợt (phiên chấm)",
)
def add_dossier(request: HttpRequest, round_id: int, payload: AddDossierIn) -> tuple[int, dict]:
    user = _acting(request, ADD, Evaluation)  # a dossier before the council is a new evaluation
    round_ = get_restricted_object_or_404(_rounds(), user, VIEW, pk=round_id)
    dossier = restrict_qs(Dossier.objects.all(), user, VIEW).filter(pk=payload.dossier).first()
    if dossier is None:
        raise _not_found("dossier", _("không tìm thấy hồ sơ."))
    created = _step(workflow.add_to_round, user, dossier, round_, advisory_review=payload.advisory_review)
    return 201, _evaluation_out(get_restricted_object_or_404(_evaluations(), user, VIEW, pk=created.pk))
