"""Periodic report pages (/plans/reports/): the list, making a report, one report with its figures,
writing its narrative, refreshing its figures, filing it (with a confirmation page), and its XLSX
and PDF.

Every object comes through ocop.core.scoping; every write is a step of ocop.plans.periodic.steps.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core import clock, concurrency
from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import ADD, CHANGE, VIEW, can, get_restricted_object_or_404, role_can, role_required
from ocop.core.text import slugify_vi

from ..forms_periodic import NarrativeForm, ReportCreateForm
from ..models import PeriodicReport
from ..periodic import display, pdf, steps, workbook
from ..periodic.listing import ReportFilterSet, ReportTable, in_order, listed

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Roles that make reports (the others read, or see none).
MAKERS = frozenset({"admin", "central", "province", "commune"})


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def _reports() -> QuerySet[PeriodicReport]:
    return PeriodicReport.objects.select_related("province", "commune", "filed_by", "created_by")


def may_make(user: Any) -> bool:
    return getattr(user, "role", None) in MAKERS and role_can(user, ADD, PeriodicReport)


class ReportListView(ObjectListView):
    model = PeriodicReport
    table_class = ReportTable
    filterset_class = ReportFilterSet
    template_name = "plans/periodic/report_list.html"
    title = gettext_lazy("Báo cáo định kỳ")

    def get_queryset(self) -> QuerySet[PeriodicReport]:
        return in_order(listed(super().get_queryset()))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = may_make(self.request.user)
        return context


def stale_figures(report: PeriodicReport) -> bool:
    """A draft whose figures were taken before its period ended, now that it has ended."""
    as_of = (report.figures or {}).get("as_of")
    return (
        not report.is_filed
        and bool(as_of)
        and as_of < report.period_end.isoformat()
        and clock.today() >= report.period_end
    )


class ReportDetailView(ObjectDetailView):
    model = PeriodicReport
    template_name = "plans/periodic/report_detail.html"

    def get_queryset(self) -> QuerySet[PeriodicReport]:
        return super().get_queryset().select_related("province", "commune", "filed_by", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.object
        may_change = can(self.request.user, CHANGE, report) and not report.is_filed
        context.update(
            {
                "report": report,
                "document": display.document(report),
                "may_change": may_change,
                "problems": steps.filing_problems(report) if may_change else [],
                "stale": stale_figures(report),
            }
        )
        return context


def _create_page(request: HttpRequest, form: ReportCreateForm, status: int = 200) -> HttpResponse:
    return render(request, "plans/periodic/report_create.html", {"form": form}, status=status)


@role_required(PeriodicReport, ADD)
def report_create(request: HttpRequest) -> HttpResponse:
    """Lập báo cáo: the unit (among those the user reports on), the kind and the year; the figures
    are generated at once."""
    if not may_make(request.user):
        raise PermissionDenied
    form = ReportCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = steps.create(request.user, data["kind"], data["year"], data["unit"], data["narrative"])
        except PermissionDenied:
            form.add_error("unit", _("Bạn không lập được báo cáo cho đơn vị này."))
        except steps.DuplicateReport as error:
            form.add_error(None, _messages(error))
            if error.existing is not None and can(request.user, VIEW, error.existing):
                form.add_error(
                    None,
                    format_html(
                        '<a href="{}">{}</a>', error.existing.get_absolute_url(), _("Mở báo cáo đã có")
                    ),
                )
        except ValidationError as error:
            form.add_error(None, _messages(error))
        else:
            messages.success(
                request, _("Đã lập “%(report)s” với số liệu từ nền tảng.") % {"report": report.title}
            )
            return HttpResponseRedirect(report.get_absolute_url())
    return _create_page(request, form)


def _narrative_page(
    request: HttpRequest, form: NarrativeForm, report: PeriodicReport, **extra: Any
) -> HttpResponse:
    context = {"form": form, "object": report, "report": report, **extra}
    context.setdefault("version", concurrency.version_of(report))
    return render(request, "plans/periodic/report_edit.html", context)


def _refuse_filed(request: HttpRequest, report: PeriodicReport) -> HttpResponse | None:
    if report.is_filed:
        messages.error(request, _("Báo cáo đã nộp: số liệu và nội dung được giữ nguyên, không sửa được nữa."))
        return HttpResponseRedirect(report.get_absolute_url())
    return None


@role_required(PeriodicReport, CHANGE)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Sửa nội dung đánh giá (the narrative) of a draft; the figures come from the platform."""
    if request.method != "POST":
        report = get_restricted_object_or_404(_reports(), request.user, CHANGE, pk=pk)
        if (refusal := _refuse_filed(request, report)) is not None:
            return refusal
        return _narrative_page(request, NarrativeForm(instance=report), report)
    with transaction.atomic():  # check the version and save under the row's lock (core.concurrency)
        concurrency.lock_row(PeriodicReport, pk)
        report = get_restricted_object_or_404(_reports(), request.user, CHANGE, pk=pk)
        if (refusal := _refuse_filed(request, report)) is not None:
            return refusal
        form = NarrativeForm(request.POST, instance=report)
        if concurrency.is_stale(report, concurrency.read_version(request)):
            current = NarrativeForm(instance=concurrency.stored(report))
            return _narrative_page(
                request, form, report, **concurrency.stale_form_context(form, current, report)
            )
        if form.is_valid():
            try:
                steps.write_narrative(report, request.user, form.cleaned_data["narrative"])
            except ValidationError as error:
                form.add_error("narrative", _messages(error))
            else:
                messages.success(request, _("Đã lưu nội dung đánh giá."))
                return HttpResponseRedirect(report.get_absolute_url())
    return _narrative_page(request, form, report)


@require_POST
@role_required(PeriodicReport, CHANGE)
def report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Lấy lại số liệu of a draft (as of its period's end, or today while the period runs)."""
    report = get_restricted_object_or_404(_reports(), request.user, CHANGE, pk=pk)
    try:
        steps.generate(report, request.user)
    except ValidationError as error:
        messages.error(request, _messages(error))
    else:
        day = format_date(clock.today() if clock.today() < report.period_end else report.period_end)
        messages.success(request, _("Đã lấy lại số liệu, tính đến ngày %(day)s.") % {"day": day})
    return HttpResponseRedirect(report.get_absolute_url())


@require_POST
@role_required(PeriodicReport, CHANGE)
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Nộp báo cáo: after a confirmation page, the report is filed and never changes again."""
    report = get_restricted_object_or_404(_reports(), request.user, CHANGE, pk=pk)
    back = HttpResponseRedirect(report.get_absolute_url())
    problems = steps.filing_problems(report)
    if problems:
        messages.error(request, " ".join(problems))
        return back
    if not is_confirmed(request):
        document = display.document(report)
        warning = ""
        if stale_figures(report):
            warning = _(
                "Số liệu được lấy khi kỳ báo cáo chưa kết thúc (tính đến ngày %(day)s). "
                "Hãy “Lấy lại số liệu” trước khi nộp nếu muốn báo cáo đủ cả kỳ."
            ) % {"day": format_date(document.as_of)}
        elif document.partial_note:
            warning = document.partial_note
        return confirmation_page(
            request,
            Confirmation(
                title=_("Nộp báo cáo"),
                subject=report.title,
                consequences=[
                    _("Báo cáo được nộp với số liệu đang hiển thị (%(as_of)s).")
                    % {"as_of": document.as_of_line},
                    _(
                        "Sau khi nộp, số liệu và nội dung đánh giá được giữ nguyên mãi: không lấy lại "
                        "số liệu, không sửa được nữa (kể cả khi có giấy chứng nhận cấp, thu hồi sau này)."
                    ),
                    _("Sai sót phát hiện sau khi nộp được giải trình trong báo cáo kỳ sau."),
                ],
                cancel_url=report.get_absolute_url(),
                warning=warning,
                details=[(_("Kỳ báo cáo"), document.period), (_("Đơn vị"), document.unit)],
            ),
        )
    try:
        steps.file(report, request.user)
    except ValidationError as error:
        messages.error(request, _messages(error))
    else:
        messages.success(request, _("Đã nộp “%(report)s”.") % {"report": report.title})
    return back


def _download(report: PeriodicReport, content: bytes, extension: str, content_type: str) -> FileResponse:
    name = f"{slugify_vi(report.title) or 'bao-cao'}.{extension}"
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(PeriodicReport, VIEW)
def report_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    report = get_restricted_object_or_404(_reports(), request.user, VIEW, pk=pk)
    stream = io.BytesIO()
    workbook.write(display.document(report), stream)
    return _download(report, stream.getvalue(), "xlsx", XLSX_TYPE)


@role_required(PeriodicReport, VIEW)
def report_pdf(request: HttpRequest, pk: int) -> FileResponse:
    report = get_restricted_object_or_404(_reports(), request.user, VIEW, pk=pk)
    return _download(report, pdf.render(display.document(report)), "pdf", "application/pdf")
