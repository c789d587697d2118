"""The evaluation procedure as one state machine (QĐ 26/2026/QĐ-TTg Art. 5–7).

Every step a page or an API endpoint offers goes through a function here: it checks that the
acting user may take that step on that object (scoping via ocop.core.scoping, plus the step's
own rule: a commune receives, the province builds rounds, a council member scores, the chair
closes), checks the state, writes in one transaction, and leaves the audit trail to
django-simple-history. A refused step raises ``StepError`` with a message for the user
(ocop.certification.steps, shared with revocation, Art. 8: ocop.certification.revocation).

    draft ─submit→ submitted ─receive→ commune_review ─forward→ forwarded ─add_to_round→ in_round
    (return_dossier, "cần bổ sung": back to returned, then submit again)
    in_round ─close→ scored ─recognise→ recognised
                            ─propose_central→ central ─add_to_round (central)→ … ─close→ recognise (5★)
             ─close (below 3★ or loại)→ not_recognised
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ocop.certification import steps
from ocop.certification.models import AuthorityLevel, Certificate, Decision, DecisionKind
from ocop.certification.steps import StepError
from ocop.core import clock
from ocop.core.scoping import ADD, CHANGE, VIEW, can
from ocop.registry.classification import LegalBasis

from . import criteria, rules, scoring
from .models import (
    SCORING_ROLES,
    ConflictDeclaration,
    CouncilMember,
    Dossier,
    DossierKind,
    DossierStatus,
    Evaluation,
    EvaluationStatus,
    Level,
    MemberRole,
    Round,
    ScoreSheet,
)

# The four items the commune assesses in Mẫu 03 (Art. 7.2); labels translated where shown.
COMMUNE_ITEMS: tuple[tuple[str, str], ...] = (
    ("origin", gettext_noop("Nguồn gốc sản phẩm, nguyên liệu tại địa phương")),
    ("labour", gettext_noop("Sử dụng lao động địa phương")),
    ("idea", gettext_noop("Nguồn gốc ý tưởng sản phẩm")),
    ("identity", gettext_noop("Tri thức, bản sắc địa phương của sản phẩm")),
)
# Mẫu 01 fields a dossier cannot be submitted without.
REGISTRATION_REQUIRED: tuple[tuple[str, str], ...] = (
    ("product_name", gettext_noop("Tên sản phẩm đăng ký")),
    ("applicant", gettext_noop("Người đại diện đăng ký")),
    ("phone", gettext_noop("Số điện thoại liên hệ")),
)
PRODUCER_STEPS_FROM = frozenset({DossierStatus.DRAFT, DossierStatus.RETURNED})
_FINAL = frozenset({DossierStatus.RECOGNISED, DossierStatus.NOT_RECOGNISED, DossierStatus.WITHDRAWN})


# The shared step checks (ocop.certification.steps), under the names this module always used.
_require = steps.require
_fresh = steps.fresh
_allowed = steps.allowed
_role = steps.role
_is_office = steps.is_office


# --- dossiers -------------------------------------------------------------------------------------


@transaction.atomic
def create_dossier(
    user: Any,
    product: Any,
    kind: str = DossierKind.FIRST,
    sheet: str | None = None,
    previous_certificate: Certificate | None = None,
    registration: Mapping[str, Any] | None = None,
) -> Dossier:
    """A new draft dossier for a product (its bộ sản phẩm decides the sheet unless given)."""
    _allowed(user, VIEW, product)
    sheet = (sheet or product.classification_set or "").upper()
    if kind != DossierKind.FIRST and previous_certificate is None:
        previous_certificate = product.certificates.current_for_products().first()
    open_statuses = [s for s in DossierStatus.values if s not in _FINAL]
    _require(
        not Dossier.objects.filter(product=product, status__in=open_statuses).exists(),
        _("Sản phẩm đã có một hồ sơ đang xử lý."),
    )
    dossier = Dossier(
        product=product,
        kind=kind,
        sheet=sheet,
        previous_certificate=previous_certificate,
        registration=dict(registration or {"product_name": product.name}),
    )
    _allowed(user, ADD, dossier)
    dossier.full_clean()
    dossier.save()
    return dossier


@transaction.atomic
def update_forms(
    user: Any,
    dossier: Dossier,
    *,
    registration: Mapping[str, Any] | None = None,
    self_assessment: Mapping[str, Any] | None = None,
    self_scores: Mapping[str, int] | None = None,
) -> Dossier:
    """Fill in Mẫu 01 / Mẫu 02 (and optional self-scores) while the dossier is with its producer."""
    _fresh(dossier)
    _allowed(user, CHANGE, dossier)
    _require(
        dossier.status in PRODUCER_STEPS_FROM,
        _("Hồ sơ đã nộp: không thể sửa phiếu đăng ký, báo cáo tự đánh giá."),
    )
    if registration is not None:
        dossier.registration = dict(registration)
    if self_assessment is not None:
        dossier.self_assessment = dict(self_assessment)
    if self_scores is not None:
        sheet = dossier.get_sheet()
        cleaned = {}
        for code, position in self_scores.items():
            if position in (None, ""):
                continue
            try:
                sheet.criterion(str(code)).option(int(position))
            except (criteria.CriteriaError, TypeError, ValueError) as error:
                raise StepError(str(error)) from None
            cleaned[str(code)] = int(position)
        dossier.self_scores = cleaned
    dossier.save()
    return dossier


@transaction.atomic
def attach_evidence(user: Any, dossier: Dossier, document: Any, criterion: str = "") -> None:
    """Reuse an evidence document already on file for a criterion of the dossier."""
    _fresh(dossier)
    from .models import DossierEvidence

    _allowed(user, CHANGE, dossier)
    _allowed(user, VIEW, document)
    _require(dossier.status in PRODUCER_STEPS_FROM, _("Hồ sơ đã nộp: không thể thay đổi minh chứng."))
    _require(document.producer_id == dossier.product.producer_id, _("Minh chứng phải của chính chủ thể này."))
    if criterion:
        try:
            dossier.get_sheet().criterion(criterion)
        except criteria.CriteriaError as error:
            raise StepError(str(error)) from None
    DossierEvidence.objects.get_or_create(dossier=dossier, document=document, criterion=criterion)


def submission_problems(dossier: Dossier) -> list[str]:
    """What still keeps a dossier from being submitted (empty when it can go)."""
    problems = [
        _("Phiếu đăng ký (Mẫu 01) thiếu: %(field)s.") % {"field": _(label)}
        for key, label in REGISTRATION_REQUIRED
        if not str(dossier.registration.get(key, "")).strip()
    ]
    if not any(str(value).strip() for value in dossier.self_assessment.values()):
        problems.append(_("Chưa có báo cáo tự đánh giá (Mẫu 02)."))
    return problems


@transaction.atomic
def submit(user: Any, dossier: Dossier) -> Dossier:
    """The producer (or the commune for them) hands the dossier to the commune."""
    _fresh(dossier)
    _allowed(user, CHANGE, dossier)
    _require(dossier.status in PRODUCER_STEPS_FROM, _("Hồ sơ đã được nộp."))
    problems = submission_problems(dossier)
    _require(not problems, " ".join(problems))
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_on = clock.today()
    dossier.received_on = None
    dossier.commune_deadline = None
    dossier.save()
    return dossier


# Who takes the commune's steps (the province office and the national agency may stand in).
OFFICER_ROLES = frozenset({"commune", "province", "central", "admin"})


def _commune_officer(user: Any, dossier: Dossier) -> None:
    _allowed(user, CHANGE, dossier)
    _require(
        _role(user) in OFFICER_ROLES,
        _("Chỉ cán bộ UBND cấp xã (hoặc cơ quan OCOP) thực hiện bước này."),
    )


@transaction.atomic
def receive(user: Any, dossier: Dossier, on: dt.date | None = None) -> Dossier:
    """The commune receives the dossier: the 15 working days of Art. 7.2 start."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(dossier.status == DossierStatus.SUBMITTED, _("Chỉ tiếp nhận hồ sơ đã nộp."))
    dossier.status = DossierStatus.COMMUNE_REVIEW
    dossier.received_on = on or clock.today()
    dossier.commune_deadline = rules.add_working_days(
        dossier.received_on, rules.COMMUNE_WORKING_DAYS, settings.OCOP_HOLIDAYS
    )
    dossier.save()
    return dossier


def assessment_problems(assessment: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, label in COMMUNE_ITEMS:
        item = assessment.get(key) or {}
        if not str(item.get("text", "")).strip() or item.get("meets") not in (True, False):
            problems.append(_("Mẫu 03 chưa đánh giá: %(item)s.") % {"item": _(label)})
    return problems


@transaction.atomic
def assess_commune(user: Any, dossier: Dossier, assessment: Mapping[str, Any]) -> Dossier:
    """Mẫu 03: the commune's assessment of its four items (text and whether each is met)."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(dossier.status == DossierStatus.COMMUNE_REVIEW, _("Hãy tiếp nhận hồ sơ trước khi đánh giá."))
    cleaned: dict[str, Any] = {}
    for key, _label in COMMUNE_ITEMS:
        item = assessment.get(key) or {}
        cleaned[key] = {"text": str(item.get("text", "")).strip(), "meets": item.get("meets")}
    cleaned["conclusion"] = str(assessment.get("conclusion", "")).strip()
    dossier.commune_assessment = cleaned
    dossier.save()
    return dossier


@transaction.atomic
def forward(user: Any, dossier: Dossier, on: dt.date | None = None) -> Dossier:
    """The commune proposes the dossier to the province, with its Mẫu 03."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(dossier.status == DossierStatus.COMMUNE_REVIEW, _("Chỉ đề nghị lên tỉnh hồ sơ xã đang xem xét."))
    problems = assessment_problems(dossier.commune_assessment)
    _require(not problems, " ".join(problems))
    dossier.status = DossierStatus.FORWARDED
    dossier.forwarded_on = on or clock.today()
    dossier.save()
    return dossier


@transaction.atomic
def return_dossier(user: Any, dossier: Dossier, comment: str) -> Dossier:
    """ "Cần bổ sung": the commune or the province (Tổ tư vấn) sends the dossier back with comments."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(bool(comment.strip()), _("Hãy ghi rõ nội dung cần bổ sung."))
    allowed = {DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW}
    if _is_office(user, dossier.product.province_id):
        allowed |= {DossierStatus.FORWARDED, DossierStatus.IN_ROUND}
    _require(dossier.status in allowed, _("Không thể trả hồ sơ ở trạng thái này."))
    if dossier.status == DossierStatus.IN_ROUND:
        evaluation = dossier.evaluations.filter(round=dossier.round).first()
        _require(
            evaluation is None or not evaluation.sheets.filter(submitted_at__isnull=False).exists(),
            _("Hội đồng đã chấm hồ sơ này: không thể trả lại."),
        )
        if evaluation is not None:
            evaluation.sheets.all().delete()
            evaluation.declarations.all().delete()
            evaluation.delete()
        dossier.round = None
    dossier.status = DossierStatus.RETURNED
    dossier.return_comment = comment.strip()
    dossier.save()
    return dossier


def dossier_steps(user: Any, dossier: Dossier) -> frozenset[str]:
    """The dossier steps ``user`` may take now, for pages to offer: "edit" (Mẫu 01/02, evidence),
    "submit", "receive", "assess" (Mẫu 03), "forward", "return". The steps still check everything."""
    if not can(user, CHANGE, dossier):
        return frozenset()
    steps = set()
    if dossier.status in PRODUCER_STEPS_FROM:
        steps |= {"edit", "submit"}
    if _role(user) in OFFICER_ROLES:
        if dossier.status == DossierStatus.SUBMITTED:
            steps.add("receive")
        if dossier.status == DossierStatus.COMMUNE_REVIEW:
            steps |= {"assess", "forward"}
        returnable = {DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW}
        if _is_office(user, dossier.product.province_id):
            returnable |= {DossierStatus.FORWARDED, DossierStatus.IN_ROUND}
        if dossier.status in returnable:
            steps.add("return")
    return frozenset(steps)


# --- rounds and councils --------------------------------------------------------------------------


@transaction.atomic
def open_round(
    user: Any,
    *,
    level: str,
    year: int,
    number: int,
    province: Any = None,
    name: str = "",
    proposals_by: dt.date | None = None,
    closes_by: dt.date | None = None,
) -> Round:
    """A round with its legal dates (Art. 5). Extra rounds (number ≥ 3) have none in the law: the
    council's rules and plan set them, so they must be given; given dates override rounds 1 and 2's."""
    _require(
        _is_office(user, getattr(province, "pk", None))
        if level == Level.PROVINCE
        else _role(user) in ("admin", "central"),
        _("Chỉ cơ quan OCOP của cấp này mở đợt đánh giá."),
    )
    if number in (1, 2):
        legal = rules.round_dates(level, year, number)
        proposals_by, closes_by = proposals_by or legal.proposals_by, closes_by or legal.closes_by
    _require(
        proposals_by is not None and closes_by is not None,
        _("Đợt bổ sung (từ đợt 3) cần ngày nhận hồ sơ đề nghị và hạn hoàn thành theo kế hoạch của tỉnh."),
    )
    exists = Round.objects.filter(level=level, province=province, year=year, number=number).exists()
    _require(not exists, _("Đợt đánh giá này đã có."))
    created = Round(
        level=level,
        province=province if level == Level.PROVINCE else None,
        year=year,
        number=number,
        name=name,
        proposals_by=proposals_by,
        closes_by=closes_by,
    )
    created.full_clean()
    created.save()
    return created


def _office_of_round(user: Any, round_: Round) -> None:
    if round_.level == Level.CENTRAL:
        _require(_role(user) in ("admin", "central"), _("Chỉ cơ quan OCOP trung ương quản lý đợt này."))
    else:
        _require(_is_office(user, round_.province_id), _("Chỉ cơ quan OCOP của tỉnh quản lý đợt này."))


@transaction.atomic
def add_member(user: Any, round_: Round, member_user: Any, role: str, department: str = "") -> CouncilMember:
    _office_of_round(user, round_)
    _require(round_.is_open, _("Đợt đánh giá đã kết thúc."))
    member = CouncilMember(round=round_, user=member_user, role=role, department=department)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def add_to_round(user: Any, dossier: Dossier, round_: Round, advisory_review: str = "") -> Evaluation:
    """The province (after the Tổ tư vấn review) puts a forwarded dossier before the round's council."""
    _fresh(dossier)
    _office_of_round(user, round_)
    _require(round_.is_open, _("Đợt đánh giá đã kết thúc."))
    if round_.level == Level.PROVINCE:
        _require(
            dossier.status == DossierStatus.FORWARDED, _("Chỉ đưa vào đợt hồ sơ xã đã đề nghị lên tỉnh.")
        )
        _require(
            dossier.product.province_id == round_.province_id, _("Hồ sơ không thuộc tỉnh của đợt đánh giá.")
        )
    else:
        _require(
            dossier.status == DossierStatus.CENTRAL, _("Chỉ đưa vào đợt trung ương hồ sơ tiềm năng 5 sao.")
        )
    dossier.status = DossierStatus.IN_ROUND if round_.level == Level.PROVINCE else DossierStatus.CENTRAL
    dossier.round = round_
    if advisory_review.strip():
        dossier.advisory_review = advisory_review.strip()
    dossier.save()
    evaluation = Evaluation.objects.create(
        dossier=dossier, round=round_, sheet=dossier.sheet, criteria_version=dossier.criteria_version
    )
    return evaluation


def seat(user: Any, evaluation: Evaluation) -> CouncilMember | None:
    """The user's seat on the council that evaluates this dossier, if any."""
    return evaluation.round.members.filter(user=user).first() if getattr(user, "pk", None) else None


def _scoring_seat(user: Any, evaluation: Evaluation) -> CouncilMember:
    member = seat(user, evaluation)
    _require(member is not None and member.scores, _("Bạn không phải thành viên chấm điểm của hội đồng này."))
    _require(not evaluation.is_closed, _("Phiên chấm đã kết thúc."))
    return member


@transaction.atomic
def declare(user: Any, evaluation: Evaluation, has_conflict: bool, note: str = "") -> ConflictDeclaration:
    """The member's conflict-of-interest declaration for this product, before scoring it."""
    _fresh(evaluation)
    member = _scoring_seat(user, evaluation)
    _require(
        not evaluation.declarations.filter(member=member).exists(),
        _("Bạn đã khai báo xung đột lợi ích cho hồ sơ này."),
    )
    _require(not has_conflict or bool(note.strip()), _("Hãy ghi rõ mối quan hệ có xung đột lợi ích."))
    return ConflictDeclaration.objects.create(
        evaluation=evaluation, member=member, has_conflict=has_conflict, note=note.strip()
    )


def _check_answers(evaluation: Evaluation, answers: Mapping[str, Any], *, complete: bool) -> dict[str, int]:
    sheet = evaluation.get_sheet()
    cleaned: dict[str, int] = {}
    for code, value in answers.items():
        if value in (None, ""):
            continue
        try:
            cleaned[str(code)] = sheet.criterion(str(code)).option(int(value)).position
        except (criteria.CriteriaError, TypeError, ValueError) as error:
            raise StepError(str(error)) from None
    if complete:
        try:
            scoring.member_total(sheet, cleaned, evaluation.knockouts)
        except scoring.AnswerError as error:
            raise StepError(str(error).replace("Thành viên: ", "")) from None
    return cleaned


@transaction.atomic
def save_sheet(
    user: Any, evaluation: Evaluation, answers: Mapping[str, Any], *, submit: bool = False
) -> ScoreSheet:
    """A member's blind sheet: saved as a draft, or sent (then final and others' sheets are visible)."""
    _fresh(evaluation)
    member = _scoring_seat(user, evaluation)
    declaration = evaluation.declarations.filter(member=member).first()
    _require(declaration is not None, _("Hãy khai báo xung đột lợi ích trước khi chấm."))
    _require(not declaration.has_conflict, _("Bạn đã khai báo xung đột lợi ích: không chấm sản phẩm này."))
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
        evaluation=evaluation, member=member
    )
    _require(not sheet.is_submitted, _("Phiếu chấm đã gửi: không thể sửa."))
    sheet.answers = _check_answers(evaluation, answers, complete=submit)
    if submit:
        total = scoring.member_total(evaluation.get_sheet(), sheet.answers, evaluation.knockouts)
        sheet.total = scoring.round2(total)
        sheet.submitted_at = timezone.now()
    sheet.save()
    return sheet


def visible_sheets(user: Any, evaluation: Evaluation) -> list[ScoreSheet]:
    """Blind scoring: a member sees only their own sheet until they have sent it; the office and
    the secretary follow progress; after closing the whole council sees every sheet. Communes,
    producers and viewers see the council's result, never individual members' sheets."""
    sheets = list(evaluation.sheets.select_related("member__user").order_by("member__role", "member__pk"))
    if _is_office(user, evaluation.round.province_id):
        return sheets
    member = seat(user, evaluation)
    if member is None:
        return []
    if evaluation.is_closed or member.role == MemberRole.SECRETARY:
        return sheets
    own = next((sheet for sheet in sheets if sheet.member_id == member.pk), None)
    if own is not None and own.is_submitted:
        return sheets
    return [own] if own is not None else []


def _secretary(user: Any, evaluation: Evaluation) -> CouncilMember:
    member = seat(user, evaluation)
    _require(
        member is not None and member.role in (MemberRole.SECRETARY, MemberRole.CHAIR),
        _("Chỉ thư ký (hoặc chủ tịch) hội đồng ghi phiếu thống nhất."),
    )
    _require(not evaluation.is_closed, _("Phiên chấm đã kết thúc."))
    return member


@transaction.atomic
def record_consensus(
    user: Any, evaluation: Evaluation, answers: Mapping[str, Any] | None, knockouts: Iterable[str] = ()
) -> Evaluation:
    """The secretary records the council's agreed sheet and the knock-outs found (may clear both)."""
    _fresh(evaluation)
    _secretary(user, evaluation)
    sheet = evaluation.get_sheet()
    ids = []
    for knockout in knockouts:
        try:
            ids.append(sheet.knockout(str(knockout)).id)
        except criteria.CriteriaError as error:
            raise StepError(str(error)) from None
    evaluation.knockouts = ids
    evaluation.consensus = _check_answers(evaluation, answers, complete=True) if answers else None
    evaluation.save()
    return evaluation


def preview(evaluation: Evaluation) -> scoring.Result | None:
    """The result as it would be if the chair closed now (None until a sheet is sent)."""
    sent = [s.answers for s in evaluation.sheets.filter(submitted_at__isnull=False).order_by("pk")]
    if not sent:
        return None
    return _evaluate(evaluation, sent)


def _evaluate(evaluation: Evaluation, sent: Sequence[Mapping[str, int]]) -> scoring.Result:
    scoring_seats = evaluation.round.members.filter(role__in=[r.value for r in SCORING_ROLES])
    conflicted = evaluation.declarations.filter(has_conflict=True).count()
    size = max(scoring_seats.count() - conflicted, len(sent))
    chair = evaluation.round.members.filter(role=MemberRole.CHAIR).first()
    chair_present = chair is not None and (
        evaluation.sheets.filter(member=chair, submitted_at__isnull=False).exists()
        or evaluation.declarations.filter(member=chair, has_conflict=True).exists()
    )
    return scoring.evaluate(
        evaluation.get_sheet(),
        criteria.get_version(evaluation.criteria_version),
        sent,
        consensus=evaluation.consensus,
        knockouts=evaluation.knockouts,
        settings=evaluation.round.settings(),
        council=scoring.Council(size=size, chair_present=chair_present),
        level=evaluation.round.level,
    )


@transaction.atomic
def close(user: Any, evaluation: Evaluation) -> Evaluation:
    """The chair closes scoring: the result is computed once, stored, and frozen."""
    _fresh(evaluation)
    member = seat(user, evaluation)
    _require(
        member is not None and member.role == MemberRole.CHAIR,
        _("Chỉ chủ tịch hội đồng kết thúc phiên chấm."),
    )
    _require(not evaluation.is_closed, _("Phiên chấm đã kết thúc."))
    sent = [s.answers for s in evaluation.sheets.filter(submitted_at__isnull=False).order_by("pk")]
    _require(bool(sent), _("Chưa có thành viên nào gửi phiếu chấm."))
    drafts = evaluation.sheets.filter(submitted_at__isnull=True).count()
    _require(drafts == 0, _("Còn %(count)s phiếu chấm chưa gửi.") % {"count": drafts})
    result = _evaluate(evaluation, sent)
    _require(result.quorum_met is not False, _("Chưa đủ số thành viên theo quy chế (có chủ tịch hội đồng)."))
    evaluation.total = scoring.round2(result.total)
    evaluation.total_exact = f"{result.total.numerator}/{result.total.denominator}"
    evaluation.band = result.band
    evaluation.star = result.star
    evaluation.outcome = result.outcome
    evaluation.result = result.as_dict()
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.closed_at = timezone.now()
    evaluation.closed_by = user
    evaluation.save()
    dossier = evaluation.dossier
    if result.outcome in ("knocked_out", "not_recognised"):
        dossier.status = DossierStatus.NOT_RECOGNISED
    else:
        dossier.status = DossierStatus.SCORED
    dossier.save()
    return evaluation


@transaction.atomic
def propose_central(user: Any, evaluation: Evaluation) -> Dossier:
    """A "tiềm năng 5 sao" result: the provincial chair approves it and the dossier goes to the Ministry."""
    _fresh(evaluation)
    _require(
        _is_office(user, evaluation.round.province_id), _("Chỉ cơ quan OCOP của tỉnh đề nghị trung ương.")
    )
    _require(
        evaluation.is_closed and evaluation.outcome == "potential_five_star",
        _("Chỉ hồ sơ tiềm năng 5 sao (từ 90 điểm và đạt yêu cầu tối thiểu 5 sao) được đề nghị trung ương."),
    )
    dossier = evaluation.dossier
    _require(dossier.status == DossierStatus.SCORED, _("Hồ sơ không ở trạng thái chờ quyết định."))
    dossier.status = DossierStatus.CENTRAL
    dossier.round = None
    dossier.save()
    return dossier


def recognisable_star(evaluation: Evaluation) -> int | None:
    """The star a decision may recognise from this closed evaluation (None: nothing to recognise).

    Province: 3★/4★. A province evaluation that went to the Ministry is not recognised from its own
    result; a central result below 5★ lets the province recognise 3★/4★ from the central council's
    result (Art. 7.4.g).
    """
    if not evaluation.is_closed or evaluation.star is None or evaluation.star < scoring.MIN_RECOGNISED_STAR:
        return None
    if evaluation.round.level == Level.PROVINCE and evaluation.outcome == "potential_five_star":
        return None
    return evaluation.star


@transaction.atomic
def recognise(
    user: Any,
    evaluations: Sequence[Evaluation],
    *,
    number: str,
    date: dt.date,
    authority: str,
    signer: str = "",
    issue_date: dt.date | None = None,
) -> Decision:
    """One recognition decision (quyết định công nhận) and a certificate per evaluation."""
    _require(bool(evaluations), _("Hãy chọn ít nhất một sản phẩm để công nhận."))
    stars = {}
    for evaluation in evaluations:
        _fresh(evaluation)
        _fresh(evaluation.dossier)
        star = recognisable_star(evaluation)
        _require(
            star is not None,
            _("%(product)s: không có kết quả để công nhận.") % {"product": evaluation.dossier.product},
        )
        _require(
            evaluation.dossier.status in (DossierStatus.SCORED, DossierStatus.CENTRAL),
            _("%(product)s: hồ sơ đã được quyết định.") % {"product": evaluation.dossier.product},
        )
        stars[evaluation.pk] = star
    five = {star == 5 for star in stars.values()}
    _require(
        len(five) == 1,
        _("Sản phẩm 5 sao và sản phẩm 3–4 sao do hai cấp khác nhau công nhận: tách quyết định."),
    )
    central = five == {True}
    provinces = {evaluation.dossier.product.province_id for evaluation in evaluations}
    if central:
        _require(
            _role(user) in ("admin", "central"),
            _("Sản phẩm 5 sao do Bộ trưởng Bộ Nông nghiệp và Môi trường công nhận."),
        )
    else:
        _require(len(provinces) == 1, _("Một quyết định cấp tỉnh chỉ cho sản phẩm của một tỉnh."))
        _require(
            _is_office(user, next(iter(provinces))),
            _("Chỉ cơ quan OCOP của tỉnh trình quyết định công nhận."),
        )
    decision = Decision(
        number=number.strip(),
        date=date,
        kind=DecisionKind.RECOGNITION,
        authority=authority.strip(),
        authority_level=AuthorityLevel.CENTRAL if central else AuthorityLevel.PROVINCE,
        signer=signer.strip(),
        legal_basis=LegalBasis.QD26_2026,
        province_id=None if central else next(iter(provinces)),
    )
    decision.full_clean()
    decision.save()
    for evaluation in evaluations:
        dossier = evaluation.dossier
        certificate = Certificate(
            product=dossier.product,
            decision=decision,
            star=stars[evaluation.pk],
            issue_date=issue_date or date,
            legal_basis=LegalBasis.QD26_2026,
            evaluation=evaluation,
        )
        certificate.full_clean()
        certificate.save()
        previous = dossier.previous_certificate
        if previous is not None and previous.superseded_by_id is None:
            previous.superseded_by = certificate
            previous._change_reason = _("Thay thế bởi %(code)s") % {"code": certificate.code}
            previous.save(update_fields=["superseded_by", "updated"])
        dossier.status = DossierStatus.RECOGNISED
        dossier.save()
        # The product's status follows its certificates (Product.programme_status): nothing to write.
    return decision
