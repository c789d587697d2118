"""Evaluation API: criteria, and the evaluation workflow (rounds, dossiers, scoring, recognition).

    /api/v1/criteria/ …
    /api/v1/rounds/ [{id}] [POST, POST {id}/members, POST {id}/dossiers]
    /api/v1/dossiers/ [{id}] [POST, PATCH, POST {id}/submit|receive|forward|return]
                      [PUT {id}/commune-assessment]
    /api/v1/evaluations/{id} [/sheets, PUT /sheet, POST /declaration, PUT /consensus, POST /close]
    /api/v1/decisions/recognition (POST; the rest of /decisions/ is ocop.certification.api's router)

Scoped like the pages: a caller sees what restrict(user, "view") gives; an object outside it is a
404, a role that may never take a step is a 403. Every state change is a function of
ocop.evaluation.workflow; a step it refuses (StepError, or a model rule) is a 422 with its message.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.accounts.models import User
from ocop.certification.api import (
    DecisionDetailOut,
    DecisionFieldsIn,
    ProductRef,
    TextIn,
    decisions_router,
)
from ocop.certification.api import acting as _acting
from ocop.certification.api import decisions_in_scope as _decisions
from ocop.certification.api import filtered as _filtered
from ocop.certification.api import run_step as _step
from ocop.certification.models import Decision
from ocop.core.api import MAX_ID, Pagination
from ocop.core.scoping import ADD, CHANGE, VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs
from ocop.geo.models import Level as UnitLevel
from ocop.geo.models import Structure, Unit
from ocop.registry.api import UnitRef
from ocop.registry.models import Product

from . import criteria, scoring, workflow
from .filtersets import DossierFilterSet, RoundFilterSet
from .models import CouncilMember, Dossier, DossierKind, Evaluation, Level, MemberRole, Round, ScoreSheet

# --- criteria (Phụ lục II as data): public, like the law they encode ------------------------------

criteria_router = Router(tags=["criteria"], auth=None)


class BandOut(Schema):
    star: int
    min: int | float = Field(..., description="Điểm tối thiểu của hạng (khoảng nửa mở [min, hạng trên))")


class VersionOut(Schema):
    id: str = Field(..., description="Mã bộ tiêu chí, ví dụ 26-2026")
    legal_basis: str
    name: str
    effective_from: date
    parts: dict[str, int] = Field(..., description="Điểm tối đa phần A, B, C")
    bands: list[BandOut]
    sheets: list[str] = Field(..., description="Các phiếu đánh giá có dữ liệu (B01–B26), trống với bộ cũ")


class OptionOut(Schema):
    position: int = Field(..., description="Thứ tự in (1, 2, …): câu trả lời ghi số này")
    text: str
    points: int | float
    min_star: int | None = Field(None, description="3, 4, 5 nếu lựa chọn mang dấu ***, ****, *****")
    knockout: str | None = Field(None, description="Điều kiện loại mà lựa chọn này kích hoạt")


class ConditionOut(Schema):
    criterion: str
    min_points: int | float


class CriterionOut(Schema):
    code: str
    name: str
    max: int | float
    note: str | None
    applies_if: ConditionOut | None
    options: list[OptionOut]


class SectionOut(Schema):
    code: str
    name: str
    max: int | float
    criteria: list[CriterionOut]


class PartOut(Schema):
    code: str
    name: str
    max: int | float
    sections: list[SectionOut]


class KnockoutOut(Schema):
    id: str
    criterion: str | None = Field(None, description="Trống: điều kiện “Hồ sơ bị loại khi” của cả phiếu")
    effect: str = Field(..., description="exclude (bị loại) | stop (không đánh giá các bước tiếp theo)")
    text: str


class SheetSummaryOut(Schema):
    sheet: str
    title: str


class SheetOut(Schema):
    version: str
    sheet: str
    title: str
    source: str
    total: int | float
    parts: list[PartOut]
    knockouts: list[KnockoutOut]


def _version_out(version: criteria.Version) -> dict:
    return {
        "id": version.id,
        "legal_basis": version.legal_basis,
        "name": version.name,
        "effective_from": version.effective_from,
        "parts": dict(version.parts),
        "bands": [{"star": b.star, "min": criteria.points_json(b.min)} for b in version.bands],
        "sheets": list(criteria.sheet_codes(version.id)),
    }


def _version_or_404(version_id: str) -> criteria.Version:
    try:
        return criteria.get_version(version_id)
    except criteria.CriteriaError as error:
        raise HttpError(404, str(error)) from None


@criteria_router.get("/", response=list[VersionOut], summary="Các bộ tiêu chí (phiên bản)")
def list_criteria_versions(request: HttpRequest) -> list[dict]:
    return [_version_out(version) for version in criteria.versions()]


@criteria_router.get("/{version_id}", response=VersionOut, summary="Một bộ tiêu chí")
def get_criteria_version(request: HttpRequest, version_id: str) -> dict:
    return _version_out(_version_or_404(version_id))


@criteria_router.get(
    "/{version_id}/sheets/", response=list[SheetSummaryOut], summary="Các phiếu đánh giá của bộ tiêu chí"
)
def list_sheets(request: HttpRequest, version_id: str) -> list[dict]:
    version = _version_or_404(version_id)
    return [
        {"sheet": code, "title": criteria.get_sheet(version.id, code).title}
        for code in criteria.sheet_codes(version.id)
    ]


@criteria_router.get("/{version_id}/sheets/{sheet}", response=SheetOut, summary="Một phiếu đánh giá")
def get_sheet(request: HttpRequest, version_id: str, sheet: str) -> dict:
    version = _version_or_404(version_id)
    try:
        return sheet_json(criteria.get_sheet(version.id, sheet))
    except criteria.CriteriaError as error:
        raise HttpError(404, str(error)) from None


def sheet_json(sheet: criteria.Sheet) -> dict:
    """A sheet as nested JSON: parts → sections → criteria → options; plus the knock-outs."""

    number = criteria.points_json

    return {
        "version": sheet.version,
        "sheet": sheet.code,
        "title": sheet.title,
        "source": sheet.source,
        "total": number(sheet.total),
        "parts": [
            {
                "code": part.code,
                "name": part.name,
                "max": number(part.max),
                "sections": [
                    {
                        "code": section.code,
                        "name": section.name,
                        "max": number(section.max),
                        "criteria": [
                            {
                                "code": c.code,
                                "name": c.name,
                                "max": number(c.max),
                                "note": c.note,
                                "applies_if": (
                                    {
                                        "criterion": c.applies_if.criterion,
                                        "min_points": number(c.applies_if.min_points),
                                    }
                                    if c.applies_if
                                    else None
                                ),
                                "options": [
                                    {
                                        "position": o.position,
                                        "text": o.text,
                                        "points": number(o.points),
                                        "min_star": o.min_star,
                                        "knockout": o.knockout,
                                    }
                                    for o in c.options
                                ],
                            }
                            for c in section.criteria
                        ],
                    }
                    for section in part.sections
                ],
            }
            for part in sheet.parts
        ],
        "knockouts": [
            {"id": k.id, "criterion": k.criterion, "effect": k.effect, "text": k.text}
            for k in sheet.knockouts
        ],
    }


# =================================================================================================
# The evaluation workflow (Art. 5–8). Thin: fetch in scope, call the workflow step, answer.
# =================================================================================================

rounds_router = Router(tags=["rounds"], auth=api_auth)
dossiers_router = Router(tags=["dossiers"], auth=api_auth)
evaluations_router = Router(tags=["evaluations"], auth=api_auth)

Answers = dict[str, int | None]


def _not_found(field: str, what: str) -> HttpError:
    return HttpError(422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": f"{field}: {what}"})


# --- schemas ---


class MemberOut(Schema):
    user_id: int
    name: str
    role: str = Field(..., description="chair | vice_chair | member | secretary | adviser")
    role_label: str
    department: str

    @staticmethod
    def resolve_name(obj: CouncilMember) -> str:
        return obj.user.get_full_name() or obj.user.username

    @staticmethod
    def resolve_role_label(obj: CouncilMember) -> str:
        return str(obj.get_role_display())


class RoundOut(Schema):
    id: int
    level: str = Field(..., description="province | central")
    province: UnitRef | None
    year: int
    number: int
    name: str
    proposals_by: date
    closes_by: date
    status: str = Field(..., description="open | closed")

    @staticmethod
    def resolve_name(obj: Round) -> str:
        return str(obj)


class RoundDetailOut(RoundOut):
    members: list[MemberOut] = Field(..., description="Hội đồng (trong phạm vi người gọi được xem)")

    @staticmethod
    def resolve_members(obj: Round) -> list[CouncilMember]:
        return obj.visible_members


class RoundQuery(Schema):
    level: Literal["province", "central"] | None = None
    province: str | None = Field(None, description="Mã tỉnh hiện hành (2 chữ số)")
    year: int | None = Field(None, ge=2018, le=2100)
    status: Literal["open", "closed"] | None = None


class RoundIn(TextIn):
    level: Literal["province", "central"] = "province"
    year: int = Field(..., ge=2018, le=2100)
    number: int = Field(..., ge=1, le=20, description="1, 2 theo Điều 5; từ 3 là đợt bổ sung")
    province: str | None = Field(
        None, pattern=r"^\d{2}$", description="Mã tỉnh; mặc định: tỉnh của cán bộ tỉnh"
    )
    name: str = Field("", max_length=200)
    proposals_by: date | None = Field(None, description="Bắt buộc với đợt bổ sung (từ đợt 3)")
    closes_by: date | None = Field(None, description="Bắt buộc với đợt bổ sung (từ đợt 3)")


class MemberIn(TextIn):
    user: int = Field(..., ge=1, le=MAX_ID, description="id tài khoản")
    role: Literal["chair", "vice_chair", "member", "secretary", "adviser"]
    department: str = Field("", max_length=200)


class AddDossierIn(TextIn):
    dossier: int = Field(..., ge=1, le=MAX_ID, description="id hồ sơ đã đề nghị lên tỉnh")
    advisory_review: str = Field("", max_length=5000, description="Ý kiến tổ tư vấn")


class EvidenceLinkOut(Schema):
    document: int = Field(..., description="id minh chứng (/api/v1/evidence/{id}/file)")
    criterion: str


class EvaluationRef(Schema):
    id: int
    round: int
    status: str


class DossierOut(Schema):
    id: int
    product: ProductRef
    province: str = Field(..., description="Mã tỉnh hiện hành của sản phẩm")
    commune: str | None = Field(None, description="Mã xã hiện hành của sản phẩm")
    kind: str = Field(..., description="first | upgrade | reevaluation")
    sheet: str = Field(..., description="Phiếu đánh giá B01–B26")
    criteria_version: str
    status: str
    status_label: str
    previous_certificate: str | None = Field(None, description="Mã giấy chứng nhận đang có")
    registration: dict[str, Any] = Field(..., description="Phiếu đăng ký (Mẫu 01)")
    self_assessment: dict[str, Any] = Field(..., description="Báo cáo tự đánh giá (Mẫu 02)")
    self_scores: dict[str, Any] = Field(..., description="Tự chấm: {mã tiêu chí: thứ tự lựa chọn}")
    commune_assessment: dict[str, Any] = Field(..., description="Báo cáo đánh giá của xã (Mẫu 03)")
    evidence: list[EvidenceLinkOut]
    submitted_on: date | None
    received_on: date | None
    commune_deadline: date | None = Field(None, description="Hạn xã xử lý (15 ngày làm việc)")
    overdue: bool = Field(..., description="Quá hạn xã xử lý")
    forwarded_on: date | None
    round: int | None = Field(None, description="id đợt đánh giá")
    evaluations: list[EvaluationRef]
    advisory_review: str
    return_comment: str
    created: datetime
    updated: datetime

    @staticmethod
    def resolve_province(obj: Dossier) -> str:
        return obj.product.province.code

    @staticmethod
    def resolve_commune(obj: Dossier) -> str | None:
        return obj.product.commune.code if obj.product.commune_id else None

    @staticmethod
    def resolve_status_label(obj: Dossier) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_previous_certificate(obj: Dossier) -> str | None:
        return obj.previous_certificate.code if obj.previous_certificate_id else None

    @staticmethod
    def resolve_evidence(obj: Dossier) -> list[dict]:
        return [
            {"document": link.document_id, "criterion": link.criterion} for link in obj.evidence_links.all()
        ]

    @staticmethod
    def resolve_overdue(obj: Dossier) -> bool:
        return obj.commune_overdue

    @staticmethod
    def resolve_round(obj: Dossier) -> int | None:
        return obj.round_id

    @staticmethod
    def resolve_evaluations(obj: Dossier) -> list[dict]:
        return [{"id": e.pk, "round": e.round_id, "status": e.status} for e in obj.evaluations.all()]


class DossierQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Tên, mã sản phẩm hoặc GTIN; không cần dấu")
    status: str | None = Field(None, description="draft | submitted | commune_review | forwarded | …")
    kind: Literal["first", "upgrade", "reevaluation"] | None = None
    overdue: bool | None = Field(None, description="true: xã quá hạn xử lý (15 ngày làm việc)")
    round: int | None = Field(None, ge=1, le=MAX_ID, description="id đợt đánh giá")
    province: str | None = Field(None, description="Mã tỉnh hiện hành (2 chữ số)")
    commune: str | None = Field(None, description="Mã xã hiện hành (5 chữ số)")
    product: int | None = Field(None, ge=1, le=MAX_ID, description="id sản phẩm")


class DossierIn(TextIn):
    product: int = Field(..., ge=1, le=MAX_ID, description="id sản phẩm")
    kind: Literal["first", "upgrade", "reevaluation"] = "first"
    sheet: str | None = Field(None, pattern=r"^[Bb]\d{2}$", description="Mặc định: bộ sản phẩm của sản phẩm")
    registration: dict[str, Any] | None = Field(None, description="Phiếu đăng ký (Mẫu 01)")


class DossierPatch(TextIn):
    registration: dict[str, Any] | None = None
    self_assessment: dict[str, Any] | None = None
    self_scores: Answers | None = None


class DayIn(TextIn):
    on: date | None = Field(None, description="Ngày thực hiện; mặc định: hôm nay")


class ReturnIn(TextIn):
    comment: str = Field(..., max_length=5000, description="Nội dung cần bổ sung")


class CommuneItemIn(TextIn):
    text: str = Field("", max_length=5000)
    meets: bool | None = Field(None, description="Đạt / không đạt")


class CommuneAssessmentIn(TextIn):
    origin: CommuneItemIn | None = None
    labour: CommuneItemIn | None = None
    idea: CommuneItemIn | None = None
    identity: CommuneItemIn | None = None
    conclusion: str = Field("", max_length=5000)


class ProgressOut(Schema):
    members: int = Field(..., description="Số thành viên chấm điểm của hội đồng")
    declared: int
    conflicts: int
    sent: int
    drafts: int
    consensus_recorded: bool


class UnmetMinimumOut(Schema):
    criterion: str
    star: int
    message: str


class KnockoutRef(Schema):
    id: str
    text: str


class ResultOut(Schema):
    total: float = Field(..., description="Tổng điểm trung bình (làm tròn 2 chữ số)")
    total_exact: str = Field(..., description="Tổng điểm chính xác (phân số)")
    band: int
    star: int | None
    outcome: str = Field(..., description="recognised | not_recognised | knocked_out | potential_five_star")
    recognisable_star: int | None = Field(None, description="Hạng sao có thể công nhận từ kết quả này")
    unmet_minimums: list[UnmetMinimumOut]
    knockouts: list[KnockoutRef]
    members: list[float] = Field(..., description="Tổng điểm của từng phiếu đã gửi")
    spread: float = Field(..., description="Chênh lệch lớn nhất giữa các thành viên")
    needs_discussion: bool
    quorum_met: bool | None


class EvaluationOut(Schema):
    id: int
    dossier: int
    product: ProductRef
    round: int
    sheet: str
    criteria_version: str
    status: str = Field(..., description="scoring | closed")
    status_label: str
    progress: ProgressOut
    closed_at: datetime | None
    result: ResultOut | None = Field(None, description="Chỉ khi đã kết thúc phiên chấm")


class ScoreSheetOut(Schema):
    id: int
    number: int = Field(..., description="Thứ tự phiếu trong danh sách (1, 2, …)")
    role: str = Field(..., description="Vai trò của người chấm: chair | vice_chair | member")
    member: MemberOut | None = Field(None, description="null: người gọi không được biết thành viên nào chấm")
    answers: dict[str, Any] = Field(..., description="Trống với phiếu nháp của thành viên khác")
    total: float | None
    submitted: bool
    submitted_at: datetime | None


class SheetIn(TextIn):
    answers: Answers = Field(default_factory=dict, description="{mã tiêu chí: thứ tự lựa chọn (1, 2, …)}")
    submit: bool = Field(False, description="true: gửi phiếu (không sửa được nữa)")


class DeclarationIn(TextIn):
    has_conflict: bool
    note: str = Field("", max_length=500)


class DeclarationOut(Schema):
    id: int
    member: MemberOut
    has_conflict: bool
    note: str
    declared_at: datetime


class ConsensusIn(TextIn):
    answers: Answers | None = Field(None, description="Phiếu thống nhất; null: xoá")
    knockouts: list[str] = Field(default_factory=list, max_length=50, description="Mã điều kiện loại")


class RecognitionIn(DecisionFieldsIn):
    evaluations: list[int] = Field(..., min_length=1, max_length=500, description="id các phiên chấm")
    issue_date: date | None = Field(None, description="Ngày cấp giấy; mặc định: ngày quyết định")


# --- rounds ---


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


@rounds_router.get("/", response=list[RoundOut], summary="Các đợt đánh giá / evaluation rounds")
@paginate(Pagination)
def list_rounds(request: HttpRequest, filters: Query[RoundQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_rounds(), request_user(request), VIEW)
    return _filtered(request, filters, queryset, RoundFilterSet)


@rounds_router.get("/{int:round_id}", response=RoundDetailOut, summary="Một đợt đánh giá, với hội đồng")
def get_round(request: HttpRequest, round_id: int) -> Round:
    return _round_detail(request_user(request), round_id)


@rounds_router.post("/", response={201: RoundDetailOut}, summary="Mở đợt đánh giá / open a round")
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
    "/{int:round_id}/members", response={201: RoundDetailOut}, summary="Thêm thành viên hội đồng"
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
    "/{int:round_id}/dossiers", response={201: EvaluationOut}, summary="Đưa hồ sơ vào đợt (phiên chấm)"
)
def add_dossier(request: HttpRequest, round_id: int, payload: AddDossierIn) -> tuple[int, dict]:
    user = _acting(request, ADD, Evaluation)  # a dossier before the council is a new evaluation
    round_ = get_restricted_object_or_404(_rounds(), user, VIEW, pk=round_id)
    dossier = restrict_qs(Dossier.objects.all(), user, VIEW).filter(pk=payload.dossier).first()
    if dossier is None:
        raise _not_found("dossier", _("không tìm thấy hồ sơ."))
    created = _step(workflow.add_to_round, user, dossier, round_, advisory_review=payload.advisory_review)
    return 201, _evaluation_out(get_restricted_object_or_404(_evaluations(), user, VIEW, pk=created.pk))


# --- dossiers ---


def _dossiers() -> QuerySet[Dossier]:
    return Dossier.objects.select_related(
        "product__province", "product__commune", "previous_certificate"
    ).prefetch_related("evidence_links", "evaluations")


def _dossier(user: Any, pk: int, action: str = VIEW) -> Dossier:
    return get_restricted_object_or_404(_dossiers(), user, action, pk=pk)


@dossiers_router.get("/", response=list[DossierOut], summary="Hồ sơ đánh giá / dossiers")
@paginate(Pagination)
def list_dossiers(request: HttpRequest, filters: Query[DossierQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_dossiers(), request_user(request), VIEW)
    return _filtered(request, filters, queryset, DossierFilterSet)


@dossiers_router.get("/{int:dossier_id}", response=DossierOut, summary="Một hồ sơ đánh giá")
def get_dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    return _dossier(request_user(request), dossier_id)


@dossiers_router.post("/", response={201: DossierOut}, summary="Tạo hồ sơ (bản nháp) / create a dossier")
def create_dossier(request: HttpRequest, payload: DossierIn) -> tuple[int, Dossier]:
    user = _acting(request, ADD, Dossier)
    product = restrict_qs(Product.objects.all(), user, VIEW).filter(pk=payload.product).first()
    if product is None:
        raise _not_found("product", _("không tìm thấy sản phẩm."))
    created = _step(
        workflow.create_dossier,
        user,
        product,
        kind=DossierKind(payload.kind),
        sheet=payload.sheet,
        registration=payload.registration,
    )
    return 201, _dossier(user, created.pk)


@dossiers_router.patch(
    "/{int:dossier_id}", response=DossierOut, summary="Sửa Mẫu 01, Mẫu 02, tự chấm (khi hồ sơ ở chủ thể)"
)
def update_dossier(request: HttpRequest, dossier_id: int, payload: DossierPatch) -> Dossier:
    user = _acting(request, CHANGE, Dossier)
    dossier = _dossier(user, dossier_id, CHANGE)
    _step(workflow.update_forms, user, dossier, **payload.dict(exclude_unset=True))
    return _dossier(user, dossier_id)


def _dossier_step(request: HttpRequest, dossier_id: int, step: Any, **kwargs: Any) -> Dossier:
    user = _acting(request, CHANGE, Dossier)
    _step(step, user, _dossier(user, dossier_id, CHANGE), **kwargs)
    return _dossier(user, dossier_id)


@dossiers_router.post("/{int:dossier_id}/submit", response=DossierOut, summary="Nộp hồ sơ cho UBND cấp xã")
def submit_dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.submit)


@dossiers_router.post("/{int:dossier_id}/receive", response=DossierOut, summary="Xã tiếp nhận hồ sơ")
def receive_dossier(request: HttpRequest, dossier_id: int, payload: DayIn | None = None) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.receive, on=payload.on if payload else None)


@dossiers_router.put(
    "/{int:dossier_id}/commune-assessment", response=DossierOut, summary="Báo cáo đánh giá của xã (Mẫu 03)"
)
def assess_dossier(request: HttpRequest, dossier_id: int, payload: CommuneAssessmentIn) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.assess_commune, assessment=payload.dict())


@dossiers_router.post("/{int:dossier_id}/forward", response=DossierOut, summary="Xã đề nghị lên tỉnh")
def forward_dossier(request: HttpRequest, dossier_id: int, payload: DayIn | None = None) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.forward, on=payload.on if payload else None)


@dossiers_router.post("/{int:dossier_id}/return", response=DossierOut, summary="Trả hồ sơ, yêu cầu bổ sung")
def return_dossier(request: HttpRequest, dossier_id: int, payload: ReturnIn) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.return_dossier, comment=payload.comment)


class EvidenceLinkIn(Schema):
    document: int = Field(..., ge=1, le=MAX_ID, description="id của hồ sơ minh chứng đã có của chủ thể")
    criterion: str = Field("", max_length=10, description="Mã tiêu chí (trống: dùng chung cho cả hồ sơ)")


@dossiers_router.post(
    "/{int:dossier_id}/evidence", response=DossierOut, summary="Gắn minh chứng đã có cho một tiêu chí"
)
def attach_evidence(request: HttpRequest, dossier_id: int, payload: EvidenceLinkIn) -> Dossier:
    from ocop.documents.models import EvidenceDocument

    user = _acting(request, CHANGE, Dossier)
    dossier = _dossier(user, dossier_id, CHANGE)
    document = EvidenceDocument.objects.restrict(user, VIEW).filter(pk=payload.document).first()
    if document is None:
        raise _not_found("document", _("không tìm thấy hồ sơ minh chứng."))
    _step(workflow.attach_evidence, user, dossier, document, criterion=payload.criterion.strip())
    return _dossier(user, dossier_id)


# --- evaluations (one dossier before one council) ---


def _evaluations() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related("dossier__product", "round")


def _evaluation(user: Any, pk: int, action: str = VIEW) -> Evaluation:
    return get_restricted_object_or_404(_evaluations(), user, action, pk=pk)


def _result(obj: Evaluation) -> dict | None:
    if not obj.is_closed or obj.result is None:
        return None
    stored = obj.result
    sheet = obj.get_sheet()
    knockouts = []
    for knockout_id in stored.get("knockouts", []):
        try:
            knockouts.append({"id": knockout_id, "text": sheet.knockout(knockout_id).text})
        except criteria.CriteriaError:
            knockouts.append({"id": knockout_id, "text": ""})
    unmet = [
        {
            "criterion": u["criterion"],
            "star": u["star"],
            "message": scoring.UnmetMinimum(u["criterion"], u["star"], 0, None).message(),
        }
        for u in stored.get("unmet_minimums", [])
    ]
    return {
        "total": float(obj.total) if obj.total is not None else stored["total"],
        "total_exact": obj.total_exact,
        "band": obj.band if obj.band is not None else stored["band"],
        "star": obj.star,
        "outcome": obj.outcome,
        "recognisable_star": workflow.recognisable_star(obj),
        "unmet_minimums": unmet,
        "knockouts": knockouts,
        "members": stored.get("members", []),
        "spread": stored.get("spread", 0),
        "needs_discussion": stored.get("needs_discussion", False),
        "quorum_met": stored.get("quorum_met"),
    }


def _evaluation_out(obj: Evaluation) -> dict:
    """Before closing only progress counts (scoring is blind); after closing the stored result."""
    scoring_roles = [MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.MEMBER]
    declarations = obj.declarations.all()
    sheets = obj.sheets.all()
    return {
        "id": obj.pk,
        "dossier": obj.dossier_id,
        "product": obj.dossier.product,
        "round": obj.round_id,
        "sheet": obj.sheet,
        "criteria_version": obj.criteria_version,
        "status": obj.status,
        "status_label": str(obj.get_status_display()),
        "progress": {
            "members": obj.round.members.filter(role__in=scoring_roles).count(),
            "declared": declarations.count(),
            "conflicts": declarations.filter(has_conflict=True).count(),
            "sent": sheets.filter(submitted_at__isnull=False).count(),
            "drafts": sheets.filter(submitted_at__isnull=True).count(),
            "consensus_recorded": obj.consensus is not None,
        },
        "closed_at": obj.closed_at,
        "result": _result(obj),
    }


@evaluations_router.get("/{int:evaluation_id}", response=EvaluationOut, summary="Một phiên chấm / evaluation")
def get_evaluation(request: HttpRequest, evaluation_id: int) -> dict:
    return _evaluation_out(_evaluation(request_user(request), evaluation_id))


def _sheet_out(entry: ScoreSheet, number: int, named: set[int], own_member_id: int | None) -> dict:
    """As the page shows it: names only of members the caller may see; answers once sent (or own)."""
    shown = entry.is_submitted or entry.member_id == own_member_id
    return {
        "id": entry.pk,
        "number": number,
        "role": entry.member.role,
        "member": entry.member if entry.member_id in named else None,
        "answers": entry.answers if shown else {},
        "total": float(entry.total) if shown and entry.total is not None else None,
        "submitted": entry.is_submitted,
        "submitted_at": entry.submitted_at,
    }


@evaluations_router.get(
    "/{int:evaluation_id}/sheets",
    response=list[ScoreSheetOut],
    summary="Phiếu chấm được xem (chấm kín: thành viên chỉ thấy phiếu mình cho đến khi gửi)",
)
@paginate(Pagination)
def list_score_sheets(request: HttpRequest, evaluation_id: int):  # noqa: ANN201 - paginated
    user = request_user(request)
    item = _evaluation(user, evaluation_id)
    visible = workflow.visible_sheets(user, item)
    named = set(restrict_qs(item.round.members.all(), user, VIEW).values_list("pk", flat=True))
    seat = workflow.seat(user, item)
    own = seat.pk if seat is not None else None
    return [_sheet_out(entry, number, named, own) for number, entry in enumerate(visible, 1)]


@evaluations_router.put(
    "/{int:evaluation_id}/sheet", response=ScoreSheetOut, summary="Lưu hoặc gửi phiếu chấm của mình"
)
def save_sheet(request: HttpRequest, evaluation_id: int, payload: SheetIn) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    sheet = _step(workflow.save_sheet, user, evaluation_, payload.answers, submit=payload.submit)
    sheet = ScoreSheet.objects.select_related("member__user").get(pk=sheet.pk)
    return _sheet_out(sheet, 1, {sheet.member_id}, sheet.member_id)


@evaluations_router.post(
    "/{int:evaluation_id}/declaration", response={201: DeclarationOut}, summary="Khai báo xung đột lợi ích"
)
def declare(request: HttpRequest, evaluation_id: int, payload: DeclarationIn) -> tuple[int, Any]:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    return 201, _step(workflow.declare, user, evaluation_, payload.has_conflict, note=payload.note)


@evaluations_router.put(
    "/{int:evaluation_id}/consensus", response=EvaluationOut, summary="Ghi phiếu thống nhất, điều kiện loại"
)
def record_consensus(request: HttpRequest, evaluation_id: int, payload: ConsensusIn) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    _step(workflow.record_consensus, user, evaluation_, payload.answers, payload.knockouts)
    return _evaluation_out(_evaluation(user, evaluation_id))


@evaluations_router.post(
    "/{int:evaluation_id}/close", response=EvaluationOut, summary="Chủ tịch kết thúc phiên chấm"
)
def close(request: HttpRequest, evaluation_id: int) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    _step(workflow.close, user, evaluation_)
    return _evaluation_out(_evaluation(user, evaluation_id))


@evaluations_router.post(
    "/{int:evaluation_id}/propose-central",
    response=EvaluationOut,
    summary="Đề nghị trung ương đánh giá sản phẩm tiềm năng 5 sao",
)
def propose_central(request: HttpRequest, evaluation_id: int) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id)
    _step(workflow.propose_central, user, evaluation_)
    return _evaluation_out(_evaluation(user, evaluation_id))


# --- decisions: recognition and revocation ---


@decisions_router.post(
    "/recognition", response={201: DecisionDetailOut}, summary="Quyết định công nhận (cấp giấy chứng nhận)"
)
def recognise(request: HttpRequest, payload: RecognitionIn) -> tuple[int, Decision]:
    user = _acting(request, ADD, Decision)
    ids = list(dict.fromkeys(payload.evaluations))
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise _not_found("evaluations", _("không tìm thấy phiên chấm."))
    found = {e.pk: e for e in restrict_qs(_evaluations(), user, VIEW).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise _not_found("evaluations", _("không tìm thấy phiên chấm %(ids)s.") % {"ids": ", ".join(missing)})
    decision = _step(
        workflow.recognise,
        user,
        [found[pk] for pk in ids],
        number=payload.number,
        date=payload.date,
        authority=payload.authority,
        signer=payload.signer,
        issue_date=payload.issue_date,
    )
    return 201, get_restricted_object_or_404(_decisions(user), user, VIEW, pk=decision.pk)
