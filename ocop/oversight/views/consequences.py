"""Warnings follow-up and the producer-facing "Kiểm tra, giám sát" tab.

    /oversight/warnings/                    warned products in scope (?state=open|overdue|closed,
                                            ?province=, ?deadline_from=, ?deadline_to=)
    /oversight/warnings/<pk>/               one warning: the actions asked, the deadline, the
                                            correction, the re-inspections
    /oversight/warnings/<pk>/resolve/       POST: record the correction (confirmed first)
    /oversight/warnings/<pk>/reinspect/     POST: plan a re-inspection ("Tái kiểm tra")

Everything is scoped with ocop.core.scoping; the follow-up steps are consequences.resolve and
consequences.reinspect (whoever may change the warning's inspection).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core import clock, queues
from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date
from ocop.core.generic import ObjectListView
from ocop.core.scoping import CHANGE, VIEW, get_restricted_object_or_404, restrict

from .. import consequences
from ..filtersets.consequences import OVERDUE, WarningFilterSet, state_condition
from ..forms.consequences import ResolveForm
from ..models import InspectedProduct, Inspection, InspectionStatus, Outcome
from ..tables.consequences import WarningTable

RELATED = (
    "product",
    "inspection__plan",
    "inspection__producer__province",
    "inspection__producer__commune",
)


def warnings(user: Any) -> QuerySet[InspectedProduct]:
    """The warned products of concluded inspections the user may see."""
    return restrict(
        InspectedProduct.objects.filter(outcome=Outcome.WARNING, inspection__status=InspectionStatus.DONE),
        user,
        VIEW,
    )


class WarningListView(ObjectListView):
    model = InspectedProduct
    table_class = WarningTable
    filterset_class = WarningFilterSet
    template_name = "oversight/warning_list.html"
    title = gettext_lazy("Cảnh báo, yêu cầu khắc phục")

    def get_queryset(self) -> QuerySet[InspectedProduct]:
        return (
            super()
            .get_queryset()
            .filter(outcome=Outcome.WARNING, inspection__status=InspectionStatus.DONE)
            .select_related(*RELATED)
        )


def _warning(request: HttpRequest, pk: int) -> InspectedProduct:
    return get_restricted_object_or_404(
        InspectedProduct.objects.filter(outcome=Outcome.WARNING).select_related(*RELATED, "certificate"),
        request.user,
        VIEW,
        pk=pk,
    )


def _context(request: HttpRequest, row: InspectedProduct, form: ResolveForm | None = None) -> dict[str, Any]:
    today = clock.today()
    may = consequences.may_follow_up(request.user, row)
    follow_ups = restrict(
        Inspection.objects.filter(
            follow_up_of_id=row.inspection_id, inspected_products__product=row.product_id
        ),
        request.user,
        VIEW,
    ).select_related("plan")
    return {
        "object": row,
        "inspection": row.inspection,
        "inspection_url": consequences.inspection_url(row.inspection),
        "overdue": row.resolved_on is None and row.deadline is not None and row.deadline < today,
        "may_follow_up": may,
        "form": form if form is not None else (ResolveForm() if may and row.resolved_on is None else None),
        "follow_ups": [(inspection, consequences.inspection_url(inspection)) for inspection in follow_ups],
        "today": today,
    }


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = _warning(request, pk)
    return render(request, "oversight/warning_detail.html", _context(request, row))


@login_required
@require_POST
def warning_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    row = _warning(request, pk)
    if not consequences.may_follow_up(request.user, row):
        raise PermissionDenied
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return render(request, "oversight/warning_detail.html", _context(request, row, form), status=400)
    data = form.cleaned_data
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Ghi nhận đã khắc phục"),
                subject=_("Cảnh báo “%(product)s” — %(producer)s")
                % {"product": row.product.name, "producer": row.inspection.producer.name},
                details=[
                    (_("Ngày khắc phục xong"), format_date(data["resolved_on"])),
                    (_("Kết quả khắc phục"), data["resolution_note"]),
                ],
                consequences=[
                    _("Cảnh báo được đóng và không còn trong danh sách chưa khắc phục, quá hạn."),
                    _("Chủ thể xem được kết quả này trên trang sản phẩm."),
                ],
                cancel_url=reverse("oversight:warning_detail", args=[row.pk]),
            ),
        )
    try:
        consequences.resolve(
            request.user,
            row,
            resolved_on=data["resolved_on"],
            note=data["resolution_note"],
            reason=getattr(request, "audit_reason", ""),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return render(request, "oversight/warning_detail.html", _context(request, row, form), status=400)
    messages.success(
        request, _("Đã ghi nhận khắc phục cảnh báo của “%(product)s”.") % {"product": row.product.name}
    )
    return HttpResponseRedirect(reverse("oversight:warning_detail", args=[row.pk]))


@login_required
@require_POST
def warning_reinspect(request: HttpRequest, pk: int) -> HttpResponse:
    row = _warning(request, pk)
    if not consequences.may_follow_up(request.user, row):
        raise PermissionDenied
    existing = consequences.pending_follow_up(row)
    try:
        inspection = consequences.reinspect(request.user, row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("oversight:warning_detail", args=[row.pk]))
    if existing is not None:
        messages.info(request, _("Cuộc tái kiểm tra sản phẩm này đã có trong kế hoạch."))
    else:
        messages.success(
            request,
            _("Đã thêm cuộc tái kiểm tra “%(product)s” vào kế hoạch “%(plan)s”.")
            % {"product": row.product.name, "plan": inspection.plan.title},
        )
    return HttpResponseRedirect(
        consequences.inspection_url(inspection) or reverse("oversight:warning_detail", args=[row.pk])
    )


# --- the home queue: warnings past their deadline (core.queues) ------------------------------------


def overdue_item(user: Any, today: dt.date) -> queues.Item:
    # The warnings the user follows up (their office's plans), not every one they may read.
    followed = restrict(Inspection.objects.all(), user, CHANGE).values("pk")
    values = (
        warnings(user)
        .filter(state_condition(OVERDUE, today), inspection__in=followed)
        .order_by()
        .aggregate(n=Count("pk"), due=Min("deadline"))
    )
    return queues.Item(
        "oversight_warnings_overdue",
        _("Cảnh báo quá hạn khắc phục"),
        values["n"] or 0,
        f"{reverse('oversight:warning_list')}?{urlencode({'state': OVERDUE})}",
        values["due"],
        today=today,
    )


# --- the "Kiểm tra, giám sát" tab of product and producer pages (registry.extensions) -------------


def _product_rows(product: Any, user: Any) -> QuerySet[InspectedProduct]:
    return (
        restrict(InspectedProduct.objects.filter(product=product), user, VIEW)
        .exclude(inspection__status=InspectionStatus.CANCELLED)
        .select_related("inspection__plan", "product")
        .order_by("-inspection__concluded_on", "-inspection__scheduled_on", "-pk")
    )


def _producer_rows(producer: Any, user: Any) -> QuerySet[InspectedProduct]:
    return (
        restrict(InspectedProduct.objects.filter(inspection__producer=producer), user, VIEW)
        .exclude(inspection__status=InspectionStatus.CANCELLED)
        .select_related("inspection__plan", "product")
        .order_by("-inspection__concluded_on", "-inspection__scheduled_on", "-pk")
    )


def _tab(request: HttpRequest, rows: list[InspectedProduct], *, show_product: bool) -> str:
    urls = {row.inspection_id: consequences.inspection_url(row.inspection) for row in rows}
    context = {
        "rows": [(row, urls[row.inspection_id]) for row in rows],
        "show_product": show_product,
        "today": clock.today(),
    }
    return render_to_string("oversight/warning_inspections_tab.html", context, request=request)


def product_tab_count(product: Any, user: Any) -> int:
    return _product_rows(product, user).count()


def product_tab_render(request: HttpRequest, product: Any) -> tuple[str, int]:
    rows = list(_product_rows(product, request.user))
    return _tab(request, rows, show_product=False), len(rows)


def producer_tab_count(producer: Any, user: Any) -> int:
    return _producer_rows(producer, user).count()


def producer_tab_render(request: HttpRequest, producer: Any) -> tuple[str, int]:
    rows = list(_producer_rows(producer, request.user))
    return _tab(request, rows, show_product=True), len(rows)
