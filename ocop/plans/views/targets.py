"""Target pages: adding, editing and deleting a target of a plan, and the records behind its
current value ("xem danh sách": exactly what the indicator counts, paginated)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DeleteView, UpdateView

from ocop.core.generic import VersionedDeleteMixin, VersionedUpdateMixin
from ocop.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    RestrictedViewMixin,
    can,
    get_restricted_object_or_404,
    restrict,
    role_required,
    scope_of,
)

from .. import indicators, progress
from ..forms import TargetForm
from ..models import Plan, Target
from .plans import chosen_day

RECORDS_PER_PAGE = 50

# What each kind of record needs on the page (joins) and its order.
RECORD_QUERIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    indicators.PRODUCT: (("producer", "province", "commune"), ("sort_key", "pk")),
    indicators.PRODUCER: (("province", "commune"), ("sort_key", "pk")),
    indicators.COMMUNE: (("current_province",), ("current_province__sort_key", "sort_key", "pk")),
    indicators.CERTIFICATE: (
        ("product__province", "product__commune"),
        ("product__sort_key", "issue_date", "pk"),
    ),
    indicators.INSPECTION: (
        ("producer__province", "producer__commune", "plan"),
        ("producer__sort_key", "pk"),
    ),
    indicators.MANUAL_VALUE: (("province", "commune", "entered_by"), ("level", "-period_end", "pk")),
}


@role_required(Target, ADD)
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_restricted_object_or_404(
        Plan.objects.select_related("province", "commune"), request.user, VIEW, pk=pk
    )
    if not can(request.user, ADD, Target(plan=plan)):
        raise PermissionDenied
    form = TargetForm(request.POST or None, plan=plan, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            target = form.save()
        messages.success(request, _("Đã thêm chỉ tiêu “%(target)s”.") % {"target": target})
        if request.POST.get("_another"):
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(plan.get_absolute_url())
    return render(request, "plans/target_form.html", {"form": form, "plan": plan, "object": None})


class _TargetMixin:
    model = Target
    request: HttpRequest

    def get_queryset(self) -> QuerySet[Target]:
        return super().get_queryset().select_related("plan__province", "plan__commune")  # type: ignore[misc]

    def get_success_url(self) -> str:
        return self.object.plan.get_absolute_url()  # type: ignore[attr-defined]


class TargetUpdateView(_TargetMixin, VersionedUpdateMixin, RestrictedViewMixin, UpdateView):
    form_class = TargetForm
    restrict_action = CHANGE
    template_name = "plans/target_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "plan": self.object.plan, "actor": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "plan": self.object.plan}

    def form_valid(self, form: TargetForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã lưu chỉ tiêu “%(target)s”.") % {"target": self.object})
        return response


class TargetDeleteView(
    _TargetMixin, VersionedDeleteMixin, LoginRequiredMixin, RestrictedViewMixin, DeleteView
):
    restrict_action = DELETE
    template_name = "plans/confirm_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.object.plan.get_absolute_url()
        context["consequence"] = _("Lịch sử thay đổi của chỉ tiêu vẫn được lưu lại.")
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        name, url = str(self.object), self.get_success_url()
        with transaction.atomic():
            self.object.delete()
        messages.success(self.request, _("Đã xoá chỉ tiêu “%(target)s”.") % {"target": name})
        return HttpResponseRedirect(url)


def _visible(records: QuerySet, user: Any) -> QuerySet:
    """The records as the user may see them (administrative units are read by everyone signed in)."""
    try:
        scope_of(records.model)
    except ImproperlyConfigured:  # reference data without a scope declaration
        return records
    return restrict(records, user, VIEW)


@role_required(Target, VIEW)
def target_records(request: HttpRequest, pk: int) -> HttpResponse:
    """The records behind a target's current value: exactly the queryset the value is counted from
    (for a share, its denominator, the records of the numerator marked)."""
    target = get_restricted_object_or_404(
        Target.objects.select_related("plan__province", "plan__commune"), request.user, VIEW, pk=pk
    )
    plan = target.plan
    indicator = indicators.find(target.indicator)
    if indicator is None:
        raise Http404
    day_form, day = chosen_day(request)
    row = progress.target_progress(target, plan, day, progress.Evaluator())
    counted = indicator.counted(indicators.Scope.of(plan), day, plan.starts_on)
    # A kind of record the page does not know (a later module's indicator): listed by primary key.
    related, order = RECORD_QUERIES.get(indicator.record_kind, ((), ("pk",)))
    records = _visible(counted.records, request.user).select_related(*related).order_by(*order)
    if counted.hits is not None:
        records = records.annotate(counted=ExpressionWrapper(counted.hits, output_field=BooleanField()))
    paginator = Paginator(records, RECORDS_PER_PAGE)
    raw = request.GET.get("page", "1")
    try:
        page = paginator.page(int(raw) if raw.isdigit() and len(raw) < 10 else 0)
    except InvalidPage:
        raise Http404 from None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "target": target,
        "plan": plan,
        "indicator": indicator,
        "row": row,
        "day_form": day_form,
        "day": day,
        "page": page,
        "is_share": counted.hits is not None,
        "query": query.urlencode(),
        "kind": indicator.record_kind,
    }
    return render(request, "plans/target_records.html", context)
