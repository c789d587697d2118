"""Evaluation pages: dossiers, rounds, councils and the blind scoring page.

(The certificate pages under /evaluation/certificates/ are ocop.certification's.)
/evaluation/dossiers/ [new/] [<pk>/]        dossiers (Mẫu 01/02/03); steps are POST <pk>/<step>/
/evaluation/rounds/ [open/] [<pk>/]         rounds, "Mở đợt đánh giá", one round and its council
/evaluation/rounds/<pk>/minutes.pdf         the council's minutes (biên bản)
/evaluation/evaluations/<pk>/               one dossier before the council: declare, score, agree, close
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core import clock
from ocop.core.formatting import format_date
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import (
    ADD,
    CHANGE,
    VIEW,
    can,
    get_restricted_object_or_404,
    restrict,
    role_can,
    role_required,
)
from ocop.registry.models import Product

from . import criteria, minutes, scoring, workflow
from .filtersets import DossierFilterSet, RoundFilterSet
from .forms import (
    SUMMARY_FIELDS,
    CommuneAssessmentForm,
    ConsensusForm,
    DeclarationForm,
    DossierAddForm,
    DossierCreateForm,
    EvidenceAttachForm,
    MemberAddForm,
    RecognitionForm,
    RegistrationForm,
    ReturnForm,
    RoundOpenForm,
    SelfAssessmentForm,
    SheetForm,
    add_errors,
    dossier_candidates,
    option_label,
    points_text,
    score_field_name,
)
from .models import (
    SCORING_ROLES,
    CouncilMember,
    Dossier,
    DossierStatus,
    Evaluation,
    MemberRole,
    Round,
    ScoreSheet,
)
from .results import OUTCOME_LABELS, knockout_texts, result_summary
from .tables import DossierTable, RoundTable

# =================================================================================================
# Rounds, councils and blind scoring (QĐ 26/2026/QĐ-TTg Art. 5, 7). Every step is a function of
# ocop.evaluation.workflow; views fetch objects through core.scoping and show refusals as messages.
# =================================================================================================

# A round's closing date is "near" this many days ahead.
DEADLINE_WARNING_DAYS = 14


def _step_error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _redirect_back(obj: Any, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(obj.get_absolute_url() + (f"#{anchor}" if anchor else ""))


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


def _spread_flag(
    evaluation_: Evaluation, sheets: list[ScoreSheet], settings: scoring.Settings
) -> bool | None:
    """The "cần thảo luận" flag from the sent sheets the user may see (None: fewer than two)."""
    sent = [sheet.answers for sheet in sheets if sheet.is_submitted]
    if len(sent) < 2:
        return None
    try:
        result = scoring.evaluate(
            evaluation_.get_sheet(),
            criteria.get_version(evaluation_.criteria_version),
            sent,
            consensus=None,
            knockouts=evaluation_.knockouts,
            settings=settings,
        )
    except scoring.AnswerError:
        return None
    return result.needs_discussion


class RoundListView(ObjectListView):
    model = Round
    table_class = RoundTable
    filterset_class = RoundFilterSet
    template_name = "evaluation/round_list.html"
    title = gettext_lazy("Đợt đánh giá, phân hạng")

    def get_queryset(self) -> QuerySet[Round]:
        return (
            super()
            .get_queryset()
            .select_related("province")
            .annotate(evaluation_count=Count("evaluations"))
            .order_by("-year", "-number", "pk")  # aggregation drops Meta.ordering
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_open"] = role_can(self.request.user, ADD, Round)
        return context


@role_required(Round, ADD)
def round_open(request: HttpRequest) -> HttpResponse:
    """Mở đợt đánh giá (workflow.open_round): the legal dates of Art. 5 come with it."""
    form = RoundOpenForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = workflow.open_round(request.user, **form.step_arguments())
        except ValidationError as error:
            form.add_error(None, _step_error_text(error))
        else:
            messages.success(request, _("Đã mở “%(round)s”.") % {"round": created})
            return HttpResponseRedirect(created.get_absolute_url())
    return render(request, "evaluation/round_form.html", {"form": form})


class RoundDetailView(ObjectDetailView):
    model = Round
    template_name = "evaluation/round_detail.html"

    def get_queryset(self) -> QuerySet[Round]:
        return super().get_queryset().select_related("province")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["active_tab"] != "history":
            context.update(round_context(self.request.user, self.object))
        return context


def _round_evaluations(user: Any, round_: Round, action: str = VIEW) -> QuerySet[Evaluation]:
    return (
        restrict(round_.evaluations.all(), user, action)
        .select_related("round", "dossier__product__producer", "dossier__product__commune")
        .annotate(
            sent_count=Count("sheets", filter=Q(sheets__submitted_at__isnull=False), distinct=True),
            conflict_count=Count("declarations", filter=Q(declarations__has_conflict=True), distinct=True),
        )
        .order_by("pk")
    )


def round_context(user: Any, round_: Round) -> dict[str, Any]:
    today = clock.today()
    can_manage = can(user, CHANGE, round_) and round_.is_open
    members = list(
        restrict(round_.members.all(), user, VIEW).select_related("user").order_by("role", "department", "pk")
    )
    groups = [
        (role.label, [member for member in members if member.role == role.value]) for role in MemberRole
    ]
    scoring_seats = round_.members.filter(role__in=[role.value for role in SCORING_ROLES]).count()
    settings = round_.settings()
    rows = []
    for item in _round_evaluations(user, round_):
        visible = workflow.visible_sheets(user, item)
        sees_all = len([s for s in visible if s.is_submitted]) == item.sent_count
        if item.is_closed:
            spread = (item.result or {}).get("needs_discussion")
        else:
            spread = _spread_flag(item, visible, settings) if sees_all else None
        star = workflow.recognisable_star(item)
        rows.append(
            {
                "evaluation": item,
                "product": item.dossier.product,
                "sent": item.sent_count,
                "scorers": max(scoring_seats - item.conflict_count, 0),
                "needs_discussion": spread,
                "result": result_summary(item) if item.is_closed else None,
                "recognisable_star": star,
                "can_recognise": star is not None
                and item.dossier.status in (DossierStatus.SCORED, DossierStatus.CENTRAL),
                "can_propose": (
                    item.is_closed
                    and item.outcome == "potential_five_star"
                    and item.dossier.status == DossierStatus.SCORED
                ),
            }
        )
    context: dict[str, Any] = {
        "round": round_,
        "today": today,
        "days_left": (round_.closes_by - today).days,
        "deadline_passed": today >= round_.closes_by,
        "deadline_near": today < round_.closes_by <= today + dt.timedelta(days=DEADLINE_WARNING_DAYS),
        "member_groups": groups,
        "member_count": len(members),
        "rows": rows,
        "can_manage": can_manage,
        "can_decide": can(user, CHANGE, round_),
        "minutes_allowed": may_read_minutes(user, round_),
    }
    if can_manage:
        context["member_form"] = MemberAddForm(actor=user, round_=round_, prefix="member")
        context["dossier_candidates"] = list(dossier_candidates(user, round_))
    recognisable = [row["evaluation"].pk for row in rows if row["can_recognise"]]
    if context["can_decide"] and recognisable:
        context["recognition_form"] = RecognitionForm(
            queryset=round_.evaluations.filter(pk__in=recognisable), round_=round_, prefix="decision"
        )
        context["recognisable_rows"] = [row for row in rows if row["can_recognise"]]
    return context


def _round_for_step(request: HttpRequest, pk: int) -> Round:
    return get_restricted_object_or_404(Round.objects.select_related("province"), request.user, CHANGE, pk=pk)


@require_POST
@role_required(Round, CHANGE)
def round_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Thêm thành viên (workflow.add_member)."""
    round_ = _round_for_step(request, pk)
    form = MemberAddForm(request.POST, actor=request.user, round_=round_, prefix="member")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _redirect_back(round_, "council")
    try:
        member = workflow.add_member(
            request.user,
            round_,
            form.cleaned_data["user"],
            form.cleaned_data["role"],
            department=form.cleaned_data["department"].strip(),
        )
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
    else:
        messages.success(request, _("Đã thêm %(member)s vào hội đồng.") % {"member": member})
    return _redirect_back(round_, "council")


@require_POST
@role_required(Round, CHANGE)
def round_dossier_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Đưa hồ sơ vào đợt (workflow.add_to_round), with the Tổ tư vấn's review."""
    round_ = _round_for_step(request, pk)
    form = DossierAddForm(request.POST, actor=request.user, round_=round_)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _redirect_back(round_, "dossiers")
    dossier = form.cleaned_data["dossier"]
    try:
        workflow.add_to_round(request.user, dossier, round_, form.cleaned_data["advisory_review"])
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
    else:
        messages.success(request, _("Đã đưa hồ sơ “%(product)s” vào đợt.") % {"product": dossier.product})
    return _redirect_back(round_, "dossiers")


@require_POST
@role_required(Round, CHANGE)
def round_recognise(request: HttpRequest, pk: int) -> HttpResponse:
    """Trình quyết định công nhận (workflow.recognise): one decision, a certificate per product."""
    round_ = _round_for_step(request, pk)
    queryset = restrict(round_.evaluations.all(), request.user, CHANGE).select_related(
        "round", "dossier__product"
    )
    form = RecognitionForm(request.POST, queryset=queryset, round_=round_, prefix="decision")
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
                for name, errors in form.errors.items()
                for error in errors
            ),
        )
        return _redirect_back(round_, "decision")
    data = form.cleaned_data
    try:
        decision = workflow.recognise(
            request.user,
            list(data["evaluations"]),
            number=data["number"],
            date=data["date"],
            authority=data["authority"],
            signer=data["signer"],
            issue_date=data["issue_date"],
        )
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
        return _redirect_back(round_, "decision")
    count = decision.certificates.count()
    messages.success(
        request,
        _("Đã ghi quyết định %(number)s: %(count)s giấy chứng nhận.")
        % {"number": decision.number, "count": count},
    )
    return _redirect_back(round_, "dossiers")


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_propose_central(request: HttpRequest, pk: int) -> HttpResponse:
    """Đề nghị trung ương (workflow.propose_central) for a "tiềm năng 5 sao" result."""
    item = _evaluation_for_step(request, pk)
    try:
        workflow.propose_central(request.user, item)
    except ValidationError as error:
        messages.error(request, _step_error_text(error))
    else:
        messages.success(
            request, _("Đã đề nghị trung ương đánh giá “%(product)s”.") % {"product": item.dossier.product}
        )
    return _redirect_back(item.round, "dossiers")


def may_read_minutes(user: Any, round_: Round) -> bool:
    """The minutes are the council's record: for the office of the round and the council's members."""
    if can(user, CHANGE, round_):
        return True
    return bool(getattr(user, "pk", None)) and round_.members.filter(user=user).exists()


@role_required(Round, VIEW)
def round_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Biên bản họp hội đồng (PDF): the council, and per dossier the result and every sheet."""
    round_ = get_restricted_object_or_404(Round.objects.select_related("province"), request.user, VIEW, pk=pk)
    if not may_read_minutes(request.user, round_):
        raise PermissionDenied
    content = minutes.minutes_pdf(round_, request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-dot-{round_.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- one evaluation: the scoring page ------------------------------------------------------------


def _evaluation_queryset() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related(
        "round__province", "dossier__product__producer", "dossier__product__commune", "closed_by"
    )


def _evaluation_for_step(request: HttpRequest, pk: int) -> Evaluation:
    return get_restricted_object_or_404(_evaluation_queryset(), request.user, CHANGE, pk=pk)


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
        context["consensus_running"] = running_result(
            item, sheet, consensus_form.chosen(), consensus_form.chosen_knockouts()
        )
    if open_ and seat is not None and seat.role == MemberRole.CHAIR:
        context["close_preview"] = result_summary(item, preview) if preview is not None else None
        context["drafts"] = item.sheets.filter(submitted_at__isnull=True).count()
    if item.is_closed:
        context["result"] = result_summary(item)
        context["consensus_rows"] = sheet_rows(sheet, item.consensus) if item.consensus else []
    if item.consensus and not item.is_closed and (records or context["sees_all"]):
        context["consensus_rows"] = sheet_rows(sheet, item.consensus)
    return context


def running_result(
    item: Evaluation, sheet: criteria.Sheet, answers: Mapping[str, int], knockouts: Any
) -> dict[str, Any]:
    """The live figures of one sheet being ticked (no state change), computed by the engine.

    The total of a complete sheet is scoring.member_total; while criteria are open it is the sum so
    far ("tạm tính"). Minimums are judged by scoring.evaluate on this sheet alone, with the open
    criteria taken at their best option, so what it reports is what the ticks made so far already
    rule out.
    """
    answered = {
        code: position
        for code, position in answers.items()
        if 1 <= position <= len(sheet.criterion(code).options)
    }
    partial = sum((sheet.criterion(code).option(p).points for code, p in answered.items()), Fraction(0))
    ids = [k for k in knockouts or () if any(known.id == k for known in sheet.knockouts)]
    try:
        total: Fraction | None = scoring.member_total(sheet, answered, ids)
    except scoring.AnswerError:
        total = None
    filled = {
        criterion.code: answered.get(criterion.code)
        or max(criterion.options, key=lambda o: o.points).position
        for criterion in sheet.criteria
    }
    result = scoring.evaluate(
        sheet, criteria.get_version(item.criteria_version), [filled], knockouts=ids, level=item.round.level
    )
    return {
        "answered": len(answered),
        "count": len(sheet.criteria),
        "complete": total is not None,
        "total": scoring.round2(total if total is not None else partial),
        "star": result.star if total is not None else None,
        "unmet": [unmet.message() for unmet in result.unmet_minimums if unmet.criterion in answered],
        "knockouts": knockout_texts(sheet, result.knockouts),
    }


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
    send = "send" in request.POST
    if not form.is_valid():
        messages.error(request, _("Phiếu chấm có lựa chọn không hợp lệ."))
        return _render_evaluation(request, item, sheet_form=form)
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


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Kết thúc phiên chấm (workflow.close): the result is computed once and frozen."""
    item = _evaluation_for_step(request, pk)
    try:
        workflow.close(request.user, item)
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
        form: SheetForm = ConsensusForm(sheet, request.POST, prefix="consensus")
        knockouts = form.chosen_knockouts()
    else:
        form = SheetForm(sheet, request.POST, prefix="sheet")
        knockouts = item.knockouts
    running = running_result(item, sheet, form.lenient_answers(), knockouts)
    return render(request, "evaluation/includes/sheet_running.html", {"running": running})


# --- dossiers (Art. 6–7): the list, "Lập hồ sơ đánh giá", one dossier's page and its steps ---------

DOSSIER_RELATED = ("product__producer", "product__province", "product__commune", "round__province")
DOSSIER_TABS = (
    ("info", gettext_lazy("Thông tin")),
    ("registration", gettext_lazy("Mẫu 01 – Phiếu đăng ký")),
    ("self_assessment", gettext_lazy("Mẫu 02 – Tự đánh giá")),
    ("commune", gettext_lazy("Mẫu 03 – Đánh giá của xã")),
    ("evaluations", gettext_lazy("Đánh giá")),
)


def product_dossiers(product: Any, user: Any) -> QuerySet[Dossier]:
    """The dossiers of a product the user may see, newest first."""
    return (
        restrict(Dossier.objects.filter(product=product), user, VIEW)
        .select_related("round__province")
        .order_by("-created", "-pk")
    )


class DossierListView(ObjectListView):
    model = Dossier
    table_class = DossierTable
    filterset_class = DossierFilterSet
    template_name = "evaluation/dossier_list.html"
    title = gettext_lazy("Hồ sơ đánh giá, phân hạng")

    def get_queryset(self) -> QuerySet[Dossier]:
        return super().get_queryset().select_related(*DOSSIER_RELATED)


@role_required(Dossier, ADD)
def dossier_add(request: HttpRequest) -> HttpResponse:
    """“Lập hồ sơ đánh giá” for `?product=<id>`: a draft dossier made by workflow.create_dossier."""
    product_id = request.GET.get("product", "")
    if not product_id.isdigit():
        raise Http404
    product = get_restricted_object_or_404(
        Product.objects.select_related("producer", "province", "commune"), request.user, VIEW, pk=product_id
    )
    if not can(request.user, ADD, Dossier(product=product)):
        raise PermissionDenied
    form = DossierCreateForm(
        request.POST if request.method == "POST" else None, product=product, user=request.user
    )
    if form.is_bound and form.is_valid():
        try:
            dossier = workflow.create_dossier(
                request.user,
                product,
                kind=form.cleaned_data["kind"],
                sheet=form.cleaned_data["sheet"],
                previous_certificate=form.cleaned_data["previous_certificate"],
            )
        except ValidationError as error:  # a StepError, or a rule of the Dossier model
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã lập hồ sơ đánh giá cho sản phẩm “%(name)s”. Hãy điền phiếu đăng ký (Mẫu 01).")
                % {"name": product.name},
            )
            return HttpResponseRedirect(f"{dossier.get_absolute_url()}?tab=registration")
    return render(request, "evaluation/dossier_form.html", {"form": form, "product": product})


def _sheet_of(dossier: Dossier) -> criteria.Sheet | None:
    try:
        return dossier.get_sheet()
    except criteria.CriteriaError:
        return None


def _self_assessment_layout(
    form: SelfAssessmentForm, sheet: criteria.Sheet | None, dossier: Dossier, links: list[Any]
) -> list[dict[str, Any]]:
    """Parts → sections → criteria, each with its radio group, the chosen option and its evidence."""
    by_code: dict[str, list[Any]] = {}
    for link in links:
        by_code.setdefault(link.criterion, []).append(link)
    parts = []
    for part in sheet.parts if sheet else ():
        sections = []
        for section in part.sections:
            rows = []
            for criterion in section.criteria:
                position = dossier.self_scores.get(criterion.code)
                chosen = None
                if position is not None and 1 <= int(position) <= len(criterion.options):
                    chosen = criterion.options[int(position) - 1]
                rows.append(
                    {
                        "criterion": criterion,
                        "field": form[score_field_name(criterion.code)],
                        "chosen": chosen,
                        "chosen_label": option_label(chosen) if chosen else "",
                        "evidence": by_code.get(criterion.code, []),
                    }
                )
            sections.append({"section": section, "rows": rows})
        parts.append({"part": part, "sections": sections})
    return parts


class DossierDetailView(ObjectDetailView):
    """One dossier: Thông tin, Mẫu 01, 02, 03, Đánh giá, Lịch sử; buttons for the steps allowed now."""

    model = Dossier
    template_name = "evaluation/dossier_detail.html"
    # Set when a posted form is shown again with its errors (see _render_dossier).
    bound_forms: dict[str, Any] = {}
    forced_tab: str | None = None

    def get_queryset(self) -> QuerySet[Dossier]:
        return super().get_queryset().select_related(*DOSSIER_RELATED, "previous_certificate")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.forced_tab:
            context["active_tab"] = self.forced_tab
        tab = context["active_tab"]
        dossier, user = self.object, self.request.user
        steps = workflow.dossier_steps(user, dossier)
        sheet = _sheet_of(dossier)
        bound = self.bound_forms
        context.update(
            tabs=DOSSIER_TABS,
            steps=steps,
            sheet=sheet,
            overdue=dossier.commune_overdue,
            product_visible=can(user, VIEW, dossier.product),
            submission_problems=workflow.submission_problems(dossier) if "submit" in steps else [],
            assessment_problems=(
                workflow.assessment_problems(dossier.commune_assessment) if "forward" in steps else []
            ),
        )
        if "return" in steps:
            context["return_form"] = bound.get("return") or ReturnForm()
        if tab == "registration":
            # Read-only, the page shows what is stored (not the defaults a new form offers).
            initial = None if "edit" in steps else dict(dossier.registration)
            context["registration_form"] = bound.get("registration") or RegistrationForm(
                dossier=dossier, **({"initial": initial} if initial is not None else {})
            )
        elif tab == "self_assessment":
            form = bound.get("self_assessment") or SelfAssessmentForm(dossier=dossier, sheet=sheet)
            links = list(
                restrict(dossier.evidence_links.all(), user, VIEW)
                .select_related("document")
                .order_by("criterion", "document__doc_type", "pk")
            )
            context.update(
                self_form=form,
                layout=_self_assessment_layout(form, sheet, dossier, links),
                general_evidence=[link for link in links if not link.criterion],
                summary_rows=[
                    (label, dossier.self_assessment.get(key, "")) for key, label, _help in SUMMARY_FIELDS
                ],
            )
            if "edit" in steps:
                criterion = self.request.GET.get("criterion", "")
                context["attach_form"] = bound.get("evidence") or EvidenceAttachForm(
                    dossier=dossier, sheet=sheet, user=user, initial={"criterion": criterion}
                )
        elif tab == "commune":
            context["commune_form"] = bound.get("commune") or CommuneAssessmentForm(dossier=dossier)
            stored = dossier.commune_assessment or {}
            items = [(label, stored.get(key) or {}) for key, label in workflow.COMMUNE_ITEMS]
            context["commune_rows"] = [
                (f"{number}. {_(label)}", item.get("text", ""), item.get("meets"))
                for number, (label, item) in enumerate(items, 1)
            ]
        elif tab == "evaluations":
            evaluations = restrict(dossier.evaluations.all(), user, VIEW).select_related("round__province")
            context["evaluations"] = [
                (item, OUTCOME_LABELS.get(item.outcome, item.outcome)) for item in evaluations.order_by("pk")
            ]
        return context


def _render_dossier(request: HttpRequest, dossier: Dossier, tab: str, forms: dict[str, Any]) -> HttpResponse:
    """The dossier page again with a posted form and its errors (nothing was saved)."""
    view = DossierDetailView(bound_forms=forms, forced_tab=tab)
    view.setup(request, pk=dossier.pk)
    view.object = dossier
    return TemplateResponse(request, view.template_name, view.get_context_data(object=dossier))


def _tab_url(dossier: Dossier, tab: str) -> str:
    return f"{dossier.get_absolute_url()}?tab={tab}"


def _button_step(
    request: HttpRequest, dossier: Dossier, step: Callable[[], Any], done: Callable[[], str]
) -> HttpResponse:
    """A step without input: done, or the workflow's refusal as a message; back to the dossier."""
    try:
        step()
    except ValidationError as error:  # StepError: a message for the user, never a 500
        messages.error(request, _step_error_text(error))
    else:
        messages.success(request, done())
    return HttpResponseRedirect(_tab_url(dossier, "info"))


def _form_step(
    request: HttpRequest,
    dossier: Dossier,
    name: str,
    form: Any,
    tab: str,
    step: Callable[[Any], Any],
    done: str,
) -> HttpResponse:
    """A step with a form: valid input goes to the workflow; errors and refusals show on the form.

    When the page would not show that form now (a stale page: the dossier moved on), they become
    a message on the dossier's page instead, so they are never lost.
    """
    if form.is_valid():
        try:
            step(form)
        except ValidationError as error:
            dossier.refresh_from_db()  # the transaction rolled back: show what is stored
            add_errors(form, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_tab_url(dossier, tab))
    if FORM_STEPS[name] in workflow.dossier_steps(request.user, dossier):
        return _render_dossier(request, dossier, tab, {name: form})
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))
    return HttpResponseRedirect(_tab_url(dossier, tab))


# The step of workflow.dossier_steps under which the page shows each form.
FORM_STEPS = {
    "registration": "edit",
    "self_assessment": "edit",
    "evidence": "edit",
    "commune": "assess",
    "return": "return",
}


def _save_registration(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = RegistrationForm(request.POST, dossier=dossier)
    return _form_step(
        request,
        dossier,
        "registration",
        form,
        "registration",
        lambda f: workflow.update_forms(request.user, dossier, registration=f.registration()),
        _("Đã lưu phiếu đăng ký (Mẫu 01)."),
    )


def _save_self_assessment(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = SelfAssessmentForm(request.POST, dossier=dossier, sheet=_sheet_of(dossier))
    return _form_step(
        request,
        dossier,
        "self_assessment",
        form,
        "self_assessment",
        lambda f: workflow.update_forms(
            request.user, dossier, self_assessment=f.self_assessment(), self_scores=f.self_scores()
        ),
        _("Đã lưu báo cáo tự đánh giá (Mẫu 02)."),
    )


def _attach_evidence(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = EvidenceAttachForm(request.POST, dossier=dossier, sheet=_sheet_of(dossier), user=request.user)
    return _form_step(
        request,
        dossier,
        "evidence",
        form,
        "self_assessment",
        lambda f: workflow.attach_evidence(
            request.user, dossier, f.cleaned_data["document"], f.cleaned_data["criterion"]
        ),
        _("Đã gắn minh chứng vào hồ sơ."),
    )


def _assess_commune(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = CommuneAssessmentForm(request.POST, dossier=dossier)
    return _form_step(
        request,
        dossier,
        "commune",
        form,
        "commune",
        lambda f: workflow.assess_commune(request.user, dossier, f.assessment()),
        _("Đã lưu báo cáo đánh giá của xã (Mẫu 03)."),
    )


def _return(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = ReturnForm(request.POST)
    return _form_step(
        request,
        dossier,
        "return",
        form,
        "info",
        lambda f: workflow.return_dossier(request.user, dossier, f.cleaned_data["comment"]),
        _("Đã trả hồ sơ để bổ sung; chủ thể sẽ thấy nội dung cần bổ sung."),
    )


def _submit(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    return _button_step(
        request,
        dossier,
        lambda: workflow.submit(request.user, dossier),
        lambda: _("Đã nộp hồ sơ cho UBND cấp xã."),
    )


def _receive(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    return _button_step(
        request,
        dossier,
        lambda: workflow.receive(request.user, dossier),
        lambda: (
            _("Đã tiếp nhận hồ sơ. Hạn xử lý của xã: %(day)s.")
            % {"day": format_date(dossier.commune_deadline)}
        ),
    )


def _forward(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    return _button_step(
        request,
        dossier,
        lambda: workflow.forward(request.user, dossier),
        lambda: _("Đã đề nghị UBND cấp tỉnh đánh giá, phân hạng sản phẩm."),
    )


DOSSIER_ACTIONS: dict[str, Callable[[HttpRequest, Dossier], HttpResponse]] = {
    "registration": _save_registration,
    "self_assessment": _save_self_assessment,
    "evidence": _attach_evidence,
    "submit": _submit,
    "receive": _receive,
    "commune": _assess_commune,
    "forward": _forward,
    "return": _return,
}


@require_POST
@role_required(Dossier, CHANGE)
def dossier_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST one step on a dossier: out of scope 404, a role that never acts 403 (before any lookup)."""
    handler = DOSSIER_ACTIONS.get(action)
    if handler is None:
        raise Http404
    dossier = get_restricted_object_or_404(
        Dossier.objects.select_related(*DOSSIER_RELATED), request.user, VIEW, pk=pk
    )
    return handler(request, dossier)
