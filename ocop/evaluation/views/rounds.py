"""Round pages (QĐ 26/2026/QĐ-TTg Art. 5, 7): the list, "Mở đợt đánh giá", one round with its
council and dossiers, and the office's steps on it: seating members, putting dossiers before the
council, the recognition decision, proposing a "tiềm năng 5 sao" result to the Ministry; and the
council's minutes (PDF).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core import clock
from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date, format_number
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

from .. import criteria, minutes, scoring, workflow
from ..filtersets import RoundFilterSet
from ..forms import DossierAddForm, MemberAddForm, RecognitionForm, RoundOpenForm, dossier_candidates
from ..models import SCORING_ROLES, DossierStatus, Evaluation, MemberRole, Round, ScoreSheet
from ..results import result_summary
from ..tables import RoundTable
from .common import _evaluation_for_step, _redirect_back, _step_error_text

# =================================================================================================
# Rounds, councils and blind scoring (QĐ 26/2026/QĐ-TTg Art. 5, 7). Every step is a function of
# ocop.evaluation.workflow; views fetch objects through core.scoping and show refusals as messages.
# =================================================================================================

# The query flag that keeps the member picker open after an addition.
MEMBER_PICKER = "add-members"
# A round's closing date is "near" this many days ahead.
DEADLINE_WARNING_DAYS = 14


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
            context["member_picker_open"] = self.request.GET.get(MEMBER_PICKER) == "1"
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
    # Back to the open picker, so that the next members are added without reopening it.
    back = HttpResponseRedirect(f"{round_.get_absolute_url()}?{MEMBER_PICKER}=1#council")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    added, refused = [], []
    for user in form.cleaned_data["user"]:
        try:
            with transaction.atomic():  # each seat on its own: one refusal keeps the others
                added.append(
                    workflow.add_member(
                        request.user,
                        round_,
                        user,
                        form.cleaned_data["role"],
                        department=form.cleaned_data["department"].strip(),
                    )
                )
        except ValidationError as error:
            refused.append(f"{user.get_full_name() or user.username}: {_step_error_text(error)}")
    if added:
        messages.success(
            request,
            _("Đã thêm %(member)s vào hội đồng.") % {"member": ", ".join(str(member) for member in added)},
        )
    for text in refused:
        messages.error(request, text)
    return back


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


def _recognition_confirmation(round_: Round, data: dict[str, Any]) -> Confirmation:
    products = [
        _("%(product)s — %(star)s sao")
        % {"product": item.dossier.product, "star": workflow.recognisable_star(item) or "—"}
        for item in data["evaluations"]
    ]
    return Confirmation(
        title=_("Ghi quyết định công nhận"),
        subject=str(round_),
        details=[
            (_("Số quyết định"), data["number"]),
            (_("Ngày ban hành"), format_date(data["date"])),
            (_("Cơ quan ban hành"), data["authority"]),
            (_("Sản phẩm được công nhận"), "; ".join(str(p) for p in products)),
        ],
        consequences=[
            _(
                "Quyết định được ghi và cấp %(count)s giấy chứng nhận, mỗi sản phẩm một giấy, "
                "có mã tra cứu công khai."
            )
            % {"count": len(products)},
            _("Giấy chứng nhận không xoá được; chỉ có thể thu hồi hoặc thay thế bằng quyết định mới."),
        ],
        cancel_url=round_.get_absolute_url() + "#decision",
    )


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
    if not is_confirmed(request):
        return confirmation_page(request, _recognition_confirmation(round_, data))
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
    if getattr(decision, "reused", False):
        text = _(
            "Đã ghi thêm %(added)s giấy chứng nhận vào quyết định đã có %(number)s "
            "(quyết định này nay có %(count)s giấy chứng nhận)."
        ) % {"added": len(data["evaluations"]), "number": decision.number, "count": count}
    else:
        text = _("Đã ghi quyết định %(number)s: %(count)s giấy chứng nhận.") % {
            "number": decision.number,
            "count": count,
        }
    messages.success(request, with_certificate_links(text, decision, data["evaluations"]))
    return _redirect_back(round_, "dossiers")


def with_certificate_links(text: str, decision: Any, evaluations: Any) -> SafeString:
    """The decision's message followed by a link to each certificate this step issued (escaped text,
    safe markup: the message store keeps it safe)."""
    issued = (
        decision.certificates.filter(evaluation__in=evaluations).select_related("product").order_by("code")
    )
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a> ({})',
        (
            (certificate.get_absolute_url(), certificate.code, certificate.product.name)
            for certificate in issued
        ),
    )
    if not links:
        return format_html("{}", text)
    return format_html("{} {} {}", text, _("Giấy chứng nhận mới:"), links)


@require_POST
@role_required(Evaluation, CHANGE)
def evaluation_propose_central(request: HttpRequest, pk: int) -> HttpResponse:
    """Đề nghị trung ương (workflow.propose_central) for a "tiềm năng 5 sao" result."""
    item = _evaluation_for_step(request, pk)
    proposable = item.outcome == "potential_five_star" and item.dossier.status == DossierStatus.SCORED
    if not is_confirmed(request) and item.is_closed and proposable:
        confirmation = Confirmation(
            title=_("Đề nghị trung ương"),
            subject=_("Hồ sơ “%(product)s” — %(round)s")
            % {"product": item.dossier.product, "round": item.round},
            details=[(_("Tổng điểm trung bình"), f"{format_number(item.total, 2)} / 100")],
            consequences=[
                _("Hồ sơ được đề nghị Bộ (trung ương) đánh giá, công nhận sản phẩm tiềm năng 5 sao."),
                _("Hồ sơ rời đợt đánh giá của tỉnh; tỉnh không ra quyết định công nhận từ kết quả này."),
            ],
            cancel_url=item.round.get_absolute_url() + "#dossiers",
        )
        return confirmation_page(request, confirmation)
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
