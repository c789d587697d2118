"""Dossier pages (Art. 6–7): the list, "Lập hồ sơ đánh giá", one dossier's page with its tabs
(Mẫu 01, 02, 03), and the steps posted on it (each a function of ocop.evaluation.workflow).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core import concurrency
from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import ADD, CHANGE, VIEW, can, get_restricted_object_or_404, restrict, role_required
from ocop.registry.models import Product

from .. import criteria, workflow
from ..filtersets import DossierFilterSet
from ..forms import (
    SUMMARY_FIELDS,
    CommuneAssessmentForm,
    DossierCreateForm,
    EvidenceAttachForm,
    RegistrationForm,
    ReturnForm,
    SelfAssessmentForm,
    add_errors,
    option_label,
    score_field_name,
)
from ..models import Dossier, DossierKind, Level
from ..results import OUTCOME_LABELS, failure_reasons, running_figures
from ..tables import DossierTable
from .common import _step_error_text

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
    offer_first = False
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
            # Too late to re-evaluate (Art. 7.6.a): offer a first-time dossier instead.
            filing = getattr(error, "filing", None)
            offer_first = filing is not None and filing.verdict in ("late", "expired")
        else:
            messages.success(
                request,
                _("Đã lập hồ sơ đánh giá cho sản phẩm “%(name)s”. Hãy điền phiếu đăng ký (Mẫu 01).")
                % {"name": product.name},
            )
            return HttpResponseRedirect(f"{dossier.get_absolute_url()}?tab=registration")
    context = {"form": form, "product": product, "offer_first": offer_first}
    if offer_first:
        context["first_kind"] = DossierKind.FIRST.value
        context["first_sheet"] = form.cleaned_data["sheet"]
    return render(request, "evaluation/dossier_form.html", context)


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


def _self_running(
    dossier: Dossier, sheet: criteria.Sheet | None, answers: dict[str, int]
) -> dict[str, Any] | None:
    """Mẫu 02's self-scores summed, banded and checked against the minimums by the council's
    engine (results.running_figures); None without a sheet."""
    if sheet is None:
        return None
    level = dossier.round.level if dossier.round_id else Level.PROVINCE
    return running_figures(sheet, criteria.get_version(dossier.criteria_version), answers, level=level)


@require_POST
@role_required(Dossier, VIEW)
def dossier_self_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the running total, band, star and unmet minimums of the self-scores being ticked
    (nothing is saved); the same fragment as the council's sheet."""
    dossier = get_restricted_object_or_404(Dossier.objects.select_related("round"), request.user, VIEW, pk=pk)
    sheet = _sheet_of(dossier)
    if sheet is None:
        raise Http404
    form = SelfAssessmentForm(request.POST, dossier=dossier, sheet=sheet)
    running = _self_running(dossier, sheet, form.chosen())
    return render(request, "evaluation/includes/sheet_running.html", {"running": running})


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
        # Mẫu 01, 02, 03 carry the version of the dossier they were read from (core.concurrency);
        # a stale form shown again brings the new one in its context.
        context.setdefault("version", concurrency.version_of(dossier))
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
                self_running=_self_running(dossier, sheet, form.chosen()),
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
            # Why a closed result is not recognised (failure_reasons is None while scoring is open).
            context["evaluations"] = [
                (item, OUTCOME_LABELS.get(item.outcome, item.outcome), failure_reasons(item))
                for item in evaluations.order_by("pk")
            ]
        return context


def _render_dossier(
    request: HttpRequest, dossier: Dossier, tab: str, forms: dict[str, Any], **extra: Any
) -> HttpResponse:
    """The dossier page again with a posted form and its errors (nothing was saved); `extra` is
    added to the context (a stale form's new version and conflicts, core.concurrency)."""
    view = DossierDetailView(bound_forms=forms, forced_tab=tab)
    view.setup(request, pk=dossier.pk)
    view.object = dossier
    return TemplateResponse(request, view.template_name, view.get_context_data(object=dossier, **extra))


def _tab_url(dossier: Dossier, tab: str) -> str:
    return f"{dossier.get_absolute_url()}?tab={tab}"


def _dossier_confirmation(
    dossier: Dossier, title: str, consequences: list[str], details: list[tuple[str, str]] | None = None
) -> Confirmation:
    product = dossier.product
    return Confirmation(
        title=title,
        subject=_("Hồ sơ “%(product)s” — %(producer)s") % {"product": product, "producer": product.producer},
        consequences=consequences,
        details=details or [],
        cancel_url=_tab_url(dossier, "info"),
    )


def _needs_confirmation(request: HttpRequest, dossier: Dossier, step: str, ready: bool = True) -> bool:
    """Irreversible steps ask first (core.confirm) when the page offers them and they can go now;
    otherwise the workflow's refusal is shown straight away, as before (nothing to confirm)."""
    return not is_confirmed(request) and ready and step in workflow.dossier_steps(request.user, dossier)


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
    done: str | Callable[[Any], tuple[int, str]],
    current: Callable[[Dossier], Any] | None = None,
) -> HttpResponse:
    """A step with a form: valid input goes to the workflow; errors and refusals show on the form.

    When the page would not show that form now (a stale page: the dossier moved on), they become
    a message on the dossier's page instead, so they are never lost.

    With `current` (Mẫu 01, 02, 03: the form of the dossier as stored, unbound) the form's
    ``_version`` is checked under the dossier's row lock (core.concurrency): a form read before
    someone else's save saves nothing and comes back with the user's input, the values saved
    meanwhile and the new version. A form without ``_version`` is saved (last writer wins).
    """
    with transaction.atomic():  # check the version and save under the row's lock
        if current is not None:
            concurrency.lock_row(Dossier, dossier.pk)
            dossier.refresh_from_db()
            if concurrency.is_stale(dossier, concurrency.read_version(request)):
                return _stale_form(request, dossier, name, form, tab, current(dossier))
        if form.is_valid():
            try:
                step(form)
            except ValidationError as error:
                dossier.refresh_from_db()  # the step rolled back: show what is stored
                add_errors(form, error)
            else:
                # `done` is the message, or says from the saved form how it went (level, text).
                level, text = done(form) if callable(done) else (messages.SUCCESS, done)
                messages.add_message(request, level, text)
                return HttpResponseRedirect(_tab_url(dossier, tab))
    if FORM_STEPS[name] in workflow.dossier_steps(request.user, dossier):
        return _render_dossier(request, dossier, tab, {name: form})
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))
    return HttpResponseRedirect(_tab_url(dossier, tab))


def _stale_form(
    request: HttpRequest, dossier: Dossier, name: str, form: Any, tab: str, current: Any
) -> HttpResponse:
    """Nothing saved: the form again with the user's input, the conflicts and the new version (or,
    when the page no longer shows that form, the message on the dossier's page)."""
    extra = concurrency.stale_form_context(form, current, dossier)
    if FORM_STEPS[name] in workflow.dossier_steps(request.user, dossier):
        return _render_dossier(request, dossier, tab, {name: form}, **extra)
    messages.error(request, extra["stale_message"])
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
        current=lambda stored: RegistrationForm(dossier=stored),
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
        _self_assessment_saved,
        current=lambda stored: SelfAssessmentForm(dossier=stored, sheet=_sheet_of(stored)),
    )


def _self_assessment_saved(form: SelfAssessmentForm) -> tuple[int, str]:
    """What saving Mẫu 02 did, in words that agree with the submission check: saved, and (a
    warning) which parts of the report are still empty; never "saved" next to an unnamed "missing"."""
    missing = form.missing_parts()
    if not any(str(value).strip() for value in form.self_assessment().values()):
        return messages.WARNING, _(
            "Đã lưu phần tự chấm điểm của Mẫu 02, nhưng báo cáo chưa có nội dung: %(parts)s đều để trống. "
            "Hãy điền trước khi nộp hồ sơ."
        ) % {"parts": ", ".join(missing)}
    if missing:
        return messages.SUCCESS, _("Đã lưu báo cáo tự đánh giá (Mẫu 02). Còn để trống: %(parts)s.") % {
            "parts": ", ".join(missing)
        }
    return messages.SUCCESS, _("Đã lưu báo cáo tự đánh giá (Mẫu 02).")


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
        current=lambda stored: CommuneAssessmentForm(dossier=stored),
    )


def _return(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = ReturnForm(request.POST)
    if form.is_valid() and _needs_confirmation(request, dossier, "return"):
        confirmation = _dossier_confirmation(
            dossier,
            _("Trả hồ sơ – cần bổ sung"),
            [
                _("Hồ sơ trở lại chủ thể để bổ sung; chủ thể sửa và nộp lại."),
                _("Chủ thể thấy nội dung cần bổ sung ghi dưới đây."),
            ],
            [(_("Nội dung cần bổ sung"), form.cleaned_data["comment"])],
        )
        return confirmation_page(request, confirmation)
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
    if _needs_confirmation(request, dossier, "submit", not workflow.submission_problems(dossier)):
        commune = dossier.product.commune
        confirmation = _dossier_confirmation(
            dossier,
            _("Nộp hồ sơ"),
            [
                _("Hồ sơ được nộp cho UBND cấp xã %(commune)s.")
                % {"commune": commune.name if commune else ""},
                _(
                    "Sau khi nộp, không sửa được Mẫu 01, Mẫu 02 và minh chứng, "
                    "trừ khi xã trả hồ sơ để bổ sung."
                ),
            ],
        )
        return confirmation_page(request, confirmation)
    return _button_step(
        request,
        dossier,
        lambda: workflow.submit(request.user, dossier),
        lambda: _("Đã nộp hồ sơ cho UBND cấp xã."),
    )


def _receive(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    if _needs_confirmation(request, dossier, "receive"):
        confirmation = _dossier_confirmation(
            dossier,
            _("Tiếp nhận hồ sơ"),
            [
                _("Hồ sơ được ghi là đã tiếp nhận hôm nay; hạn xử lý 15 ngày làm việc của xã bắt đầu tính."),
                _("Chủ thể không sửa được hồ sơ nữa, trừ khi xã trả hồ sơ để bổ sung."),
            ],
        )
        return confirmation_page(request, confirmation)
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
    ready = not workflow.assessment_problems(dossier.commune_assessment)
    if _needs_confirmation(request, dossier, "forward", ready):
        confirmation = _dossier_confirmation(
            dossier,
            _("Đề nghị lên tỉnh"),
            [
                _(
                    "Hồ sơ và báo cáo đánh giá của xã (Mẫu 03) được gửi lên UBND cấp tỉnh "
                    "để đánh giá, phân hạng."
                ),
                _("Xã không sửa được Mẫu 03 nữa; chỉ cơ quan OCOP của tỉnh có thể trả hồ sơ để bổ sung."),
            ],
        )
        return confirmation_page(request, confirmation)
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
