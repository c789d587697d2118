"""The request and response schemas of the workflow endpoints (rounds and councils, dossiers,
evaluations and their sheets, the recognition decision); ``Answers`` is a sheet's answers as
sent, {criterion code: option position}.
"""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from ocop.certification.api import DecisionFieldsIn, ProductRef
from ocop.core.api import MAX_ID, InputSchema
from ocop.registry.api import UnitRef

from ..models import CouncilMember, Dossier, Round

Answers = dict[str, int | None]


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


class RoundIn(InputSchema):
    level: Literal["province", "central"] = "province"
    year: int = Field(..., ge=2018, le=2100)
    number: int = Field(..., ge=1, le=20, description="1, 2 theo Điều 5; từ 3 là đợt bổ sung")
    province: str | None = Field(
        None, pattern=r"^\d{2}$", description="Mã tỉnh; mặc định: tỉnh của cán bộ tỉnh"
    )
    name: str = Field("", max_length=200)
    proposals_by: date | None = Field(None, description="Bắt buộc với đợt bổ sung (từ đợt 3)")
    closes_by: date | None = Field(None, description="Bắt buộc với đợt bổ sung (từ đợt 3)")


class MemberIn(InputSchema):
    user: int = Field(..., ge=1, le=MAX_ID, description="id tài khoản")
    role: Literal["chair", "vice_chair", "member", "secretary", "adviser"]
    department: str = Field("", max_length=200)


class AddDossierIn(InputSchema):
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
    legal_basis: str = Field(
        ..., description="Căn cứ pháp lý theo ngày nộp hồ sơ lần đầu (Điều 12.2); trống khi chưa nộp"
    )
    transition_deadline: date | None = Field(
        None,
        description="Hồ sơ nộp trước 22/05/2026: hạn hoàn thành 60 ngày (lần đầu, nâng hạng) "
        "/ 30 ngày (đánh giá lại)",
    )
    received_on: date | None
    commune_deadline: date | None = Field(None, description="Hạn xã xử lý (15 ngày làm việc)")
    overdue: bool = Field(..., description="Quá hạn xã xử lý")
    forwarded_on: date | None
    round: int | None = Field(None, description="id đợt đánh giá")
    missed_round_proposal_date: bool = Field(
        ...,
        description="Hồ sơ nằm trong đợt cấp tỉnh mà ngày xã đề nghị không trước hạn nhận đề nghị "
        "của đợt (Điều 5)",
    )
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
    def resolve_transition_deadline(obj: Dossier) -> date | None:
        return obj.transition_deadline

    @staticmethod
    def resolve_missed_round_proposal_date(obj: Dossier) -> bool:
        return obj.missed_round_proposal_date

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


class DossierIn(InputSchema):
    product: int = Field(..., ge=1, le=MAX_ID, description="id sản phẩm")
    kind: Literal["first", "upgrade", "reevaluation"] = "first"
    sheet: str | None = Field(None, pattern=r"^[Bb]\d{2}$", description="Mặc định: bộ sản phẩm của sản phẩm")
    registration: dict[str, Any] | None = Field(None, description="Phiếu đăng ký (Mẫu 01)")


class DossierPatch(InputSchema):
    registration: dict[str, Any] | None = None
    self_assessment: dict[str, Any] | None = None
    self_scores: Answers | None = None


class DayIn(InputSchema):
    on: date | None = Field(None, description="Ngày thực hiện; mặc định: hôm nay")


class ReturnIn(InputSchema):
    comment: str = Field(..., max_length=5000, description="Nội dung cần bổ sung")


class CommuneItemIn(InputSchema):
    text: str = Field("", max_length=5000)
    meets: bool | None = Field(None, description="Đạt / không đạt")


class CommuneAssessmentIn(InputSchema):
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
    close_reason: str = Field(
        "", description="Lý do chủ tịch kết thúc phiên chấm khi chênh lệch điểm vượt mức (cần thảo luận)"
    )
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


class CloseIn(InputSchema):
    reason: str = Field(
        "",
        max_length=2000,
        description="Bắt buộc khi chênh lệch điểm vượt mức (cần thảo luận); ghi vào biên bản",
    )


class SheetIn(InputSchema):
    answers: Answers = Field(default_factory=dict, description="{mã tiêu chí: thứ tự lựa chọn (1, 2, …)}")
    submit: bool = Field(False, description="true: gửi phiếu (không sửa được nữa)")


class DeclarationIn(InputSchema):
    has_conflict: bool
    note: str = Field("", max_length=500)


class DeclarationOut(Schema):
    id: int
    member: MemberOut
    has_conflict: bool
    note: str
    declared_at: datetime


class ConsensusIn(InputSchema):
    answers: Answers | None = Field(None, description="Phiếu thống nhất; null: xoá")
    knockouts: list[str] = Field(default_factory=list, max_length=50, description="Mã điều kiện loại")


class RecognitionIn(DecisionFieldsIn):
    evaluations: list[int] = Field(..., min_length=1, max_length=500, description="id các phiên chấm")
    issue_date: date | None = Field(None, description="Ngày cấp giấy; mặc định: ngày quyết định")
