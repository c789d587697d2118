"""The council's scoring session of one dossier (Art. 7.3–7.4): a member's seat, the conflict
declaration, the blind score sheets and who may see them, the secretary's agreed sheet, the
result as it would be now (``preview``), and the chair's closing, which computes and freezes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.certification.steps import StepError
from ocop.core import clock
from ocop.core.formatting import format_number
from ocop.core.scoping import COUNCIL

from .. import criteria, notices, scoring
from ..models import (
    SCORING_ROLES,
    ConflictDeclaration,
    CouncilMember,
    DossierStatus,
    Evaluation,
    EvaluationStatus,
    MemberRole,
    ScoreSheet,
)
from .common import _fresh, _is_office, _require
from .dossiers import end_extension


def seat(user: Any, evaluation: Evaluation) -> CouncilMember | None:
    """The user's seat on the council that evaluates this dossier, if any. Only an active account
    with the council role holds a seat (workflow.seat_refusal): a seat given before that rule, to an
    officer or a producer, or kept by an account since re-roled, gives nothing."""
    if not getattr(user, "pk", None) or getattr(user, "role", None) != COUNCIL or not user.is_active:
        return None
    return evaluation.round.members.filter(user=user).first()


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
    declaration = ConflictDeclaration.objects.create(
        evaluation=evaluation, member=member, has_conflict=has_conflict, note=note.strip()
    )
    if has_conflict:  # the last sheet the chair waited for may be this seat's, which will never come
        notices.sheets_complete(evaluation)
    return declaration


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
    if submit:
        notices.sheets_complete(evaluation)
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


def disputed_close_refusal(result: scoring.Result, reason: str) -> str | None:
    """Why a close must not go ahead: a spread beyond the round's limit ("cần thảo luận") needs the
    chair's written reason, which the minutes print. None when the close may proceed."""
    if result.needs_discussion and not reason.strip():
        return _(
            "Chênh lệch giữa các thành viên là %(spread)s điểm, vượt mức cho phép: cần thảo luận. "
            "Hãy ghi lý do kết thúc phiên chấm (ghi vào biên bản)."
        ) % {"spread": format_number(scoring.round2(result.spread), 2)}
    return None


@transaction.atomic
def close(user: Any, evaluation: Evaluation, reason: str = "") -> Evaluation:
    """The chair closes scoring: the result is computed once, stored, and frozen. A session flagged
    "cần thảo luận" closes only with the chair's written reason (stored, shown in the minutes)."""
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
    refusal = disputed_close_refusal(result, reason)
    _require(refusal is None, refusal or "")
    evaluation.total = scoring.round2(result.total)
    evaluation.total_exact = f"{result.total.numerator}/{result.total.denominator}"
    evaluation.band = result.band
    evaluation.star = result.star
    evaluation.outcome = result.outcome
    evaluation.result = result.as_dict()
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.closed_at = timezone.now()
    evaluation.closed_by = user
    evaluation.close_reason = reason.strip() if result.needs_discussion else ""
    if evaluation.close_reason:
        evaluation._change_reason = evaluation.close_reason
    evaluation.save()
    dossier = evaluation.dossier
    if result.outcome in ("knocked_out", "not_recognised"):
        dossier.status = DossierStatus.NOT_RECOGNISED
    else:
        dossier.status = DossierStatus.SCORED
    dossier.save()
    if dossier.status == DossierStatus.NOT_RECOGNISED:
        # The result of a re-evaluation: the extension of Art. 12.3 ends (the day before today).
        end_extension(
            dossier,
            clock.today(),
            _("Kết quả đánh giá lại: không đạt (kết thúc gia hạn theo khoản 3 Điều 12)"),
        )
    notices.closed(user, evaluation)
    return evaluation
