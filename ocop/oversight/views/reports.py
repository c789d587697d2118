"""Officers' pages of consumers' reports: the triage queue, one report, its photo, and the two
triage steps (``ocop.oversight.triage``: link to an inspection, close with a reason).

Scoped like everything else (``ConsumerReport.scope``): the province's officers see and handle
their province's reports, the national agency all of them; viewers read them without the
reporter's contact and photo; communes, councils and producers see none. The contact and the
photo are shown only to those who may handle the report (``can(user, "change", report)``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import CHANGE, VIEW, can, get_restricted_object_or_404

from .. import triage
from ..filtersets.reports import ReportFilterSet
from ..forms.reports import CloseForm, LinkForm
from ..models import ConsumerReport, Inspection, ReportStatus
from ..tables.reports import ReportTable


class ReportListView(ObjectListView):
    """The triage queue: new reports first, then the newest."""

    model = ConsumerReport
    table_class = ReportTable
    filterset_class = ReportFilterSet
    template_name = "oversight/report_list.html"
    title = gettext_lazy("Phản ánh của người tiêu dùng")

    def get_queryset(self) -> QuerySet[ConsumerReport]:
        new_first = Case(
            When(status=ReportStatus.NEW, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            super()
            .get_queryset()
            .select_related("product", "province")
            .annotate(new_first=new_first)
            .order_by("new_first", "-created", "-pk")
        )


def add_producers_url(plan_pk: int, producer_id: int) -> str:
    """The plans part's page adding a producer to a plan, or "" while it does not exist."""
    try:
        return f"{reverse('oversight:plan_add_producers', args=[plan_pk])}?producer={producer_id}"
    except NoReverseMatch:
        return ""


class ReportDetailView(ObjectDetailView):
    model = ConsumerReport
    template_name = "oversight/report_detail.html"

    def get_queryset(self) -> QuerySet[ConsumerReport]:
        return (
            super()
            .get_queryset()
            .select_related(
                "product__producer",
                "product__province",
                "certificate",
                "province",
                "where_province",
                "inspection",
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        handler = can(user, CHANGE, report)
        open_ = report.status != ReportStatus.CLOSED
        plans = []
        if handler and open_ and report.product_id is not None:
            for plan in triage.plan_choices(user, report):
                if url := add_producers_url(plan.pk, report.product.producer_id):
                    plans.append({"plan": plan, "url": url})
        inspections = (
            triage.inspection_choices(user, report) if handler and open_ else Inspection.objects.none()
        )
        context.update(
            handler=handler,
            may_triage=handler and open_,
            link_form=kwargs.get("link_form") or LinkForm(inspections=inspections),
            close_form=kwargs.get("close_form") or CloseForm(),
            plans=plans,
            linked_inspection=(
                report.inspection if report.inspection_id and can(user, VIEW, report.inspection) else None
            ),
        )
        return context


def _report(request: HttpRequest, pk: int) -> ConsumerReport:
    return get_restricted_object_or_404(
        ConsumerReport.objects.select_related("product__producer", "province"), request.user, VIEW, pk=pk
    )


def _refused(request: HttpRequest, report: ConsumerReport, error: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(report.get_absolute_url())


@require_POST
def report_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the report to an inspection (in progress); asks for confirmation first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = _report(request, pk)
    if not can(request.user, CHANGE, report):
        raise PermissionDenied
    form = LinkForm(request.POST, inspections=triage.inspection_choices(request.user, report))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(report.get_absolute_url())
    inspection = form.cleaned_data["inspection"]
    if not is_confirmed(request) and report.status != ReportStatus.CLOSED:
        return confirmation_page(
            request,
            Confirmation(
                title=_("Đưa phản ánh vào cuộc kiểm tra"),
                subject=_("Phản ánh %(receipt)s") % {"receipt": report.receipt_code},
                details=[(_("Cuộc kiểm tra"), str(inspection))],
                consequences=[
                    _(
                        "Phản ánh chuyển sang “Đang xử lý”; người phản ánh thấy trạng thái này "
                        "bằng mã tiếp nhận."
                    ),
                    _("Đoàn kiểm tra xem nội dung phản ánh khi kiểm tra chủ thể."),
                ],
                cancel_url=report.get_absolute_url(),
            ),
        )
    try:
        triage.link(request.user, report, inspection)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(request, _("Đã đưa phản ánh vào cuộc kiểm tra."))
    return HttpResponseRedirect(report.get_absolute_url())


@require_POST
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the report with a reason (and an optional public outcome); asks for confirmation first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = _report(request, pk)
    if not can(request.user, CHANGE, report):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if not form.is_valid():
        view = ReportDetailView()
        view.setup(request, pk=pk)
        view.object = view.get_object()
        context = view.get_context_data(object=view.object, close_form=form)
        return render(request, view.template_name, context, status=400)
    reason, outcome = form.cleaned_data["reason"], form.cleaned_data["outcome"]
    if not is_confirmed(request) and report.status != ReportStatus.CLOSED:
        return confirmation_page(
            request,
            Confirmation(
                title=_("Đóng phản ánh"),
                subject=_("Phản ánh %(receipt)s") % {"receipt": report.receipt_code},
                details=[(_("Lý do"), reason), (_("Người phản ánh đọc được"), outcome or reason)],
                consequences=[
                    _("Phản ánh chuyển sang “Đã xử lý xong” và không mở lại được."),
                    _("Người phản ánh đọc kết quả trên bằng mã tiếp nhận."),
                ],
                cancel_url=report.get_absolute_url(),
            ),
        )
    try:
        triage.close(request.user, report, reason, outcome)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(request, _("Đã đóng phản ánh."))
    return HttpResponseRedirect(report.get_absolute_url())


@require_safe
def report_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's photo, to the officers who handle the report only (never public, never cached)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = get_restricted_object_or_404(ConsumerReport.objects.all(), request.user, CHANGE, pk=pk)
    if not report.photo:
        raise Http404
    try:
        handle = report.photo.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=report.photo_type or "application/octet-stream")
    response["Content-Disposition"] = f'inline; filename="{report.receipt_code}{_extension(report)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _extension(report: ConsumerReport) -> str:
    name = report.photo.name or ""
    return name[name.rfind(".") :] if "." in name else ""
