"""/api/v1/evaluations/: one dossier before one council (blind scoring): progress before closing,
the stored result after; the visible sheets, the member's own sheet, the conflict declaration,
the agreed sheet, closing and the proposal of a "tiềm năng 5 sao" result to the Ministry.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.certification.api import acting as _acting
from ocop.certification.api import run_step as _step
from ocop.core import concurrency
from ocop.core.api import ErrorOut, Pagination
from ocop.core.concurrency import IfMatch
from ocop.core.scoping import CHANGE, VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs

from .. import criteria, scoring, workflow
from ..models import Evaluation, MemberRole, ScoreSheet
from .schemas import (
    CloseIn,
    ConsensusIn,
    DeclarationIn,
    DeclarationOut,
    EvaluationOut,
    ScoreSheetOut,
    SheetIn,
)

evaluations_router = Router(tags=["evaluations"], auth=api_auth)


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
        "close_reason": obj.close_reason,
        "result": _result(obj),
    }


@evaluations_router.get(
    "/{int:evaluation_id}",
    response=EvaluationOut,
    summary="Một phiên chấm / evaluation",
)
def get_evaluation(request: HttpRequest, evaluation_id: int, response: HttpResponse) -> dict:
    evaluation_ = _evaluation(request_user(request), evaluation_id)
    concurrency.set_etag(response, evaluation_)
    return _evaluation_out(evaluation_)


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
    "/{int:evaluation_id}/sheet",
    response=ScoreSheetOut,
    summary="Lưu hoặc gửi phiếu chấm của mình",
)
def save_sheet(request: HttpRequest, evaluation_id: int, payload: SheetIn) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    sheet = _step(workflow.save_sheet, user, evaluation_, payload.answers, submit=payload.submit)
    sheet = ScoreSheet.objects.select_related("member__user").get(pk=sheet.pk)
    return _sheet_out(sheet, 1, {sheet.member_id}, sheet.member_id)


@evaluations_router.post(
    "/{int:evaluation_id}/declaration",
    response={201: DeclarationOut},
    summary="Khai báo xung đột lợi ích",
)
def declare(request: HttpRequest, evaluation_id: int, payload: DeclarationIn) -> tuple[int, Any]:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    return 201, _step(workflow.declare, user, evaluation_, payload.has_conflict, note=payload.note)


@evaluations_router.put(
    "/{int:evaluation_id}/consensus",
    response={200: EvaluationOut, 412: ErrorOut},
    summary="Ghi phiếu thống nhất, điều kiện loại",
)
def record_consensus(
    request: HttpRequest,
    evaluation_id: int,
    payload: ConsensusIn,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    with transaction.atomic():  # the version (If-Match) is checked and written under the row's lock
        concurrency.lock_row(Evaluation, evaluation_id)
        evaluation_ = _evaluation(user, evaluation_id, CHANGE)
        concurrency.check_if_match(if_match, evaluation_)
        _step(workflow.record_consensus, user, evaluation_, payload.answers, payload.knockouts)
    evaluation_ = _evaluation(user, evaluation_id)
    concurrency.set_etag(response, evaluation_)
    return _evaluation_out(evaluation_)


@evaluations_router.post(
    "/{int:evaluation_id}/close",
    response=EvaluationOut,
    summary="Chủ tịch kết thúc phiên chấm (có lý do khi cần thảo luận)",
)
def close(request: HttpRequest, evaluation_id: int, payload: CloseIn | None = None) -> dict:
    user = _acting(request, CHANGE, Evaluation)
    evaluation_ = _evaluation(user, evaluation_id, CHANGE)
    # A spread beyond the limit without `reason` is the workflow's refusal: a 422 naming it.
    _step(workflow.close, user, evaluation_, reason=payload.reason if payload else "")
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
