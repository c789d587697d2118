"""The scoring page of one dossier before its council (blind until each member has sent): its
context, the live running total, and the steps taken on it: the conflict declaration, the
member's sheet, the agreed sheet (phiếu thống nhất) and closing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_number
from ocop.core.generic import ObjectDetailView
from ocop.core.scoping import CHANGE, VIEW, can, get_restricted_object_or_404, restrict, role_required

from .. import criteria, scoring, workflow
from ..forms import ConsensusForm, DeclarationForm, SheetForm, points_text
from ..forms.closing import CloseReasonForm
from ..models import CouncilMember, Evaluation, MemberRole
from ..results import agreed_figures, failure_reasons, result_summary, running_figures
from .common import _evaluation_for_step, _evaluation_queryset, _redirect_back, _step_error_text


def _url_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _member_label(member: CouncilMember) -> str:
    return member.user.get_full_name() or member.user.username


def sheet_rows(sheet: criteria.Sheet, answers: Mapping[str, int] | None) -> list[dict[str, Any]]:
    """A sheet's answers as rows: criterion, chosen option, its points (— where not answered)."""
    rows = []
    for criterion in sheet.criteria:
        position = (answers or {}).get(criterion.code)
        option = (
            criterion.options[position - 1] if position and 1 <= position <= len(criterion.options) else None
        )
        rows.append(
            {
                "criterion": criterion,
                "option": option,
                "points": points_text(option.points) if option else "",
            }
        )
    return rows


def evaluation_context(
    request: HttpRequest,
    item: Evaluation,
    *,
    sheet_form: SheetForm | None = None,
    consensus_form: ConsensusForm | None = None,
    declaration_form: DeclarationForm | None = None,
) -> dict[str, Any]:
    user = request.user
    sheet = item.get_sheet()
    seat = workflow.seat(user, item)
    declaration = item.declarations.filter(member=seat).first() if seat is not None else None
    own = item.sheets.filter(member=seat).first() if seat is not None else None
    open_ = not item.is_closed
    scores = seat is not None and seat.scores
    conflicted = declaration is not None and declaration.has_conflict
    context: dict[str, Any] = {
        "object": item,
        "evaluation": item,
        "round": item.round,
        "dossier": item.dossier,
        "product": item.dossier.product,
        "sheet": sheet,
        "seat": seat,
        "declaration": declaration,
        "own_sheet": own,
        "general_knockouts": [k for k in sheet.knockouts if not k.criterion],
        "dossier_url": _url_or_empty("evaluation:dossier_detail", item.dossier_id),
        "round_visible": can(user, VIEW, item.round),
    }
    if scores and open_ and declaration is None:
        context["declaration_form"] = declaration_form or DeclarationForm(prefix="declare")
    if scores and declaration is not None and not conflicted:
        read_only = (own is not None and own.is_submitted) or not open_
        if sheet_form is None or read_only:
            sheet_form = SheetForm(
                sheet, answers=own.answers if own else None, read_only=read_only, prefix="sheet"
            )
        context["sheet_form"] = sheet_form
        context["sheet_layout"] = sheet_form.layout()
        context["running"] = running_result(item, sheet, sheet_form.chosen(), item.knockouts)
    # Blind scoring: the sheets this user may see, and names only of the members they may see.
    visible = workflow.visible_sheets(user, item)
    named = set(restrict(item.round.members.all(), user, VIEW).values_list("pk", flat=True))
    context["other_sheets"] = [
        {
            "sheet": entry,
            "label": _member_label(entry.member)
            if entry.member_id in named
            else _("Thành viên %(number)s") % {"number": index},
            "role": entry.member.get_role_display(),
            "rows": sheet_rows(sheet, entry.answers) if entry.is_submitted else [],
        }
        for index, entry in enumerate(visible, 1)
        if own is None or entry.pk != own.pk
    ]
    context["sees_all"] = len(visible) == item.sheets.count()
    context["sent_count"] = sum(1 for entry in visible if entry.is_submitted)
    records = seat is not None and (
        seat.role == MemberRole.SECRETARY
        or (
            seat.role == MemberRole.CHAIR
            and not item.round.members.filter(role=MemberRole.SECRETARY).exists()
        )
    )
    preview = None
    if open_ and seat is not None and seat.role in (MemberRole.SECRETARY, MemberRole.CHAIR):
        chair_ready = (
            seat.role == MemberRole.SECRETARY or (own is not None and own.is_submitted) or conflicted
        )
        preview = workflow.preview(item) if chair_ready else None
        context["chair_ready"] = chair_ready
    if records and open_:
        if consensus_form is None:
            agreed = item.consensus or (dict(preview.judged) if preview is not None else None)
            consensus_form = ConsensusForm(
                sheet, answers=agreed, knockouts=item.knockouts, prefix="consensus"
            )
        context["consensus_form"] = consensus_form
        context["consensus_layout"] = consensus_form.layout()
        context["consensus_knockouts"] = consensus_form.knockout_rows()
        context["consensus_running"] = consensus_running(
            user, item, sheet, consensus_form.chosen(), consensus_form.chosen_knockouts()
        )
    if open_ and seat is not None and seat.role == MemberRole.CHAIR:
        context["close_preview"] = result_summary(item, preview) if preview is not None else None
        context["drafts"] = item.sheets.filter(submitted_at__isnull=True).count()
    if item.is_closed:
        context["result"] = result_summary(item)
        context["failure_reasons"] = failure_reasons(item)
        context["consensus_rows"] = sheet_rows(sheet, item.consensus) if item.consensus else []
    if item.consensus and not item.is_closed and (records or context["sees_all"]):
        context["consensus_rows"] = sheet_rows(sheet, item.consensus)
    return context


def running_result(
    item: Evaluation, sheet: criteria.Sheet, answers: Mapping[str, int], knockouts: Any
) -> dict[str, Any]:
    """The live figures of one sheet being ticked on this session (results.running_figures)."""
    return running_figures(
        sheet, criteria.get_version(item.criteria_version), answers, knockouts, level=item.round.level
    )


def consensus_running(
    user: Any, item: Evaluation, sheet: criteria.Sheet, answers: Mapping[str, int], knockouts: Any
) -> dict[str, Any]:
    """The agreed sheet's live figures: the council's total, star and unmet minimums as closing would
    judge them (results.agreed_figures), for a user who may see every sheet; anyone else gets the
    figures of the sheet alone (blind scoring: no one learns the others' totals from a preview)."""
    visible = workflow.visible_sheets(user, item)
    sent = [entry.answers for entry in visible if entry.is_submitted]
    if not sent or len(visible) != item.sheets.count():
        return running_result(item, sheet, answers, knockouts)
    return agreed_figures(
        sheet,
        criteria.get_version(item.criteria_version),
        sent,
        answers,
        knockouts,
        settings=item.round.settings(),
        level=item.round.level,
    )


class EvaluationDetailView(ObjectDetailView):
    """The scoring page of one dossier before its council (blind until each member has sent)."""

    model = Evaluation
    template_name = "evaluation/evaluation_detail.html"

    def get_queryset(self) -> QuerySet[Evaluation]:
        return (
            super()
            .get_queryset()
            .select_related(
                "round__province", "dossier__product__producer", "dossier__product__commune", "closed_by"
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["active_tab"] == "history" and not history_allowed(self.request.user, self.object):
            # The history holds the agreed sheet as it was recorded: blind like the sheets.
            context.pop("history_entries", None)
            context.update(active_tab="info", history_hidden=True)
        if context["active_tab"] != "history":
            context.update(evaluation_context(self.request, self.object))
        return context


def history_allowed(user: Any, item: Evaluation) -> bool:
    """The evaluation's change history: once closed, for the office, and for seated members who
    may see every sheet (the secretary, or a member after sending theirs)."""
    if item.is_closed or can(user, CHANGE, item.round):
        return True
    seat = workflow.seat(user, item)
    if seat is None:
        return False
    if seat.role == MemberRole.SECRETARY:
        return True
    return item.sheets.filter(member=seat, submitted_at__isnull=False).exists()


def _render_evaluation(request: HttpRequest, item: Evaluation, **forms_: Any) -> HttpResponse:
    context = {"active_tab": "info", **evaluation_context(request, item, **forms_)}
    return render(request, "evaluation/evaluation_detail.html", context)


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Khai báo xung đột lợi ích (workflow.declare), before the member sees the sheet."""
    item = _evaluation_for_step(request, pk)
    form = DeclarationForm(request.POST, prefix="declare")
    if not form.is_valid():
        messages.error(request, _("Hãy chọn có hoặc không có xung đột lợi ích."))
        return _render_evaluation(request, item, declaration_form=form)
    try:
        workflow.declare(request.user, item, form.cleaned_data["has_conflict"], form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
        return _render_evaluation(request, item, declaration_form=form)
    messages.success(request, _("Đã ghi khai báo xung đột lợi ích."))
    return _redirect_back(item)


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """Lưu nháp / Gửi phiếu (workflow.save_sheet); a sent sheet is final."""
    item = _evaluation_for_step(request, pk)
    form = SheetForm(item.get_sheet(), request.POST, prefix="sheet")
    send = "send" in request.POST and "save" not in request.POST  # "Lưu nháp" on the confirmation page
    if not form.is_valid():
        messages.error(request, _("Phiếu chấm có lựa chọn không hợp lệ."))
        return _render_evaluation(request, item, sheet_form=form)
    if send and not is_confirmed(request) and _may_send(request.user, item):
        running = running_result(item, item.get_sheet(), form.answers(), item.knockouts)
        if running["complete"]:  # an incomplete sheet goes on to the workflow's refusal
            return confirmation_page(request, _send_confirmation(item, running))
    try:
        workflow.save_sheet(request.user, item, form.answers(), submit=send)
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
        return _render_evaluation(request, item, sheet_form=form)
    messages.success(request, _("Đã gửi phiếu chấm.") if send else _("Đã lưu nháp phiếu chấm."))
    return _redirect_back(item, "sheet")


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_consensus(request: HttpRequest, pk: int) -> HttpResponse:
    """Phiếu thống nhất (workflow.record_consensus): the agreed answers and the knock-outs found."""
    item = _evaluation_for_step(request, pk)
    form = ConsensusForm(item.get_sheet(), request.POST, prefix="consensus")
    if not form.is_valid():
        messages.error(request, _("Phiếu thống nhất có lựa chọn không hợp lệ."))
        return _render_evaluation(request, item, consensus_form=form)
    answers = None if "clear" in request.POST else form.answers()
    try:
        workflow.record_consensus(request.user, item, answers, form.cleaned_data["knockouts"])
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
        return _render_evaluation(request, item, consensus_form=form)
    messages.success(request, _("Đã ghi phiếu thống nhất của hội đồng."))
    return _redirect_back(item, "consensus")


def _may_send(user: Any, item: Evaluation) -> bool:
    """Whether "Gửi phiếu" could go now (then it asks first); else the workflow's refusal at once."""
    seat = workflow.seat(user, item)
    if item.is_closed or seat is None or not seat.scores:
        return False
    declared = item.declarations.filter(member=seat, has_conflict=False).exists()
    return declared and not item.sheets.filter(member=seat, submitted_at__isnull=False).exists()


def _subject(item: Evaluation) -> str:
    return _("Hồ sơ “%(product)s” — %(round)s") % {"product": item.dossier.product, "round": item.round}


def _star_text(star: int | None) -> str:
    return _("%(star)s sao") % {"star": star} if star else "—"


def _send_confirmation(item: Evaluation, running: dict[str, Any]) -> Confirmation:
    return Confirmation(
        title=_("Gửi phiếu chấm"),
        subject=_subject(item),
        details=[
            (_("Tổng điểm của phiếu"), f"{format_number(running['total'], 2)} / 100"),
            (_("Hạng sao theo phiếu"), _star_text(running["star"])),
        ],
        consequences=[
            _("Phiếu được gửi cho hội đồng và không sửa được nữa."),
            _("Sau khi gửi, bạn thấy phiếu của các thành viên khác đã gửi."),
        ],
        cancel_url=item.get_absolute_url() + "#sheet",
        alternative=("save", _("Lưu nháp, chưa gửi")),
    )


def _close_confirmation(item: Evaluation, summary: dict[str, Any]) -> Confirmation:
    spread = format_number(summary["spread"], 2)
    warning = ""
    if summary["needs_discussion"]:
        limit = item.round.settings().spread_limit
        warning = _(
            "Chênh lệch giữa các thành viên là %(spread)s điểm, vượt mức cho phép %(limit)s điểm – cần "
            "thảo luận. Hãy ghi lý do kết thúc phiên chấm; lý do được ghi vào biên bản."
        ) % {"spread": spread, "limit": format_number(scoring.round2(limit), 2)}
    not_recognised = summary["outcome"] in ("knocked_out", "not_recognised")
    return Confirmation(
        title=_("Kết thúc phiên chấm"),
        subject=_subject(item),
        warning=warning,
        details=[
            (_("Tổng điểm trung bình"), f"{format_number(summary['total'], 2)} / 100"),
            (_("Hạng sao"), _star_text(summary["star"])),
            (_("Kết quả"), str(summary["outcome_label"])),
            (_("Chênh lệch giữa các thành viên"), _("%(spread)s điểm") % {"spread": spread}),
        ],
        consequences=[
            _("Kết quả trên được tính một lần, ghi lại và không thể sửa (chỉ qua một quyết định mới)."),
            _("Không thành viên nào gửi hay sửa phiếu chấm được nữa."),
            _("Hồ sơ chuyển sang “không được công nhận”.")
            if not_recognised
            else _("Hồ sơ chuyển sang chờ quyết định công nhận."),
        ],
        cancel_url=item.get_absolute_url() + "#close",
    )


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Kết thúc phiên chấm (workflow.close): the result is computed once and frozen. A confirmation
    step first, naming the result; a spread beyond the limit asks for the chair's reason there."""
    item = _evaluation_for_step(request, pk)
    seat = workflow.seat(request.user, item)
    chair = seat is not None and seat.role == MemberRole.CHAIR
    ready = chair and not item.is_closed and not item.sheets.filter(submitted_at__isnull=True).exists()
    preview = workflow.preview(item) if ready else None
    reason = ""
    if preview is not None and preview.quorum_met is not False:  # else the workflow's refusal
        confirmation = _close_confirmation(item, result_summary(item, preview) or {})
        # The reason is asked only of a session flagged "cần thảo luận" (the only one that keeps it).
        disputed = preview.needs_discussion
        if not is_confirmed(request):
            form = CloseReasonForm(required=True, prefix="close") if disputed else None
            return confirmation_page(request, confirmation, form)
        if disputed:
            form = CloseReasonForm(request.POST, required=True, prefix="close")
            if not form.is_valid():
                return confirmation_page(request, confirmation, form)
            reason = form.cleaned_data["reason"]
    try:
        workflow.close(request.user, item, reason=reason)
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
        return _render_evaluation(request, item)
    messages.success(request, _("Đã kết thúc phiên chấm: kết quả đã được ghi."))
    return _redirect_back(item)


@require_POST
@role_required(Evaluation, VIEW)
def evaluation_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the running total and unmet minimums of the sheet being ticked (nothing is saved)."""
    item = get_restricted_object_or_404(_evaluation_queryset(), request.user, VIEW, pk=pk)
    if workflow.seat(request.user, item) is None:
        raise PermissionDenied
    sheet = item.get_sheet()
    if request.POST.get("_form") == "consensus":
        form = ConsensusForm(sheet, request.POST, prefix="consensus")
        running = consensus_running(
            request.user, item, sheet, form.lenient_answers(), form.chosen_knockouts()
        )
    else:
        sheet_form = SheetForm(sheet, request.POST, prefix="sheet")
        running = running_result(item, sheet, sheet_form.lenient_answers(), item.knockouts)
    return render(request, "evaluation/includes/sheet_running.html", {"running": running})
