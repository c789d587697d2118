"""Plan pages: the list (and its export), adding, editing and deleting a plan, one plan with the
live progress of its targets and the roll-up of the plans under it, and its progress export.

Every object comes through ocop.core.scoping; the figures are ocop.plans.progress.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DeleteView, UpdateView

from ocop.core import clock
from ocop.core.generic import (
    EXPORT_CONTENT_TYPES,
    EXPORT_SPOOL_BYTES,
    ExportMixin,
    ObjectDetailView,
    ObjectListView,
    VersionedDeleteMixin,
    VersionedUpdateMixin,
    export_filename,
)
from ocop.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    NATIONAL_ROLES,
    VIEW,
    RestrictedViewMixin,
    can,
    get_restricted_object_or_404,
    restrict,
    role_can,
    role_required,
)
from ocop.geo.models import Level, Structure, Unit

from .. import exports, progress
from ..filtersets import PlanFilterSet
from ..forms import DayForm, PlanForm, may_plan_somewhere
from ..history import target_history
from ..models import Plan, PlanLevel, Target
from ..tables import PlanTable


def chosen_day(request: HttpRequest) -> tuple[DayForm, dt.date]:
    """The day of the progress figures: ``?day=dd/mm/yyyy``, today by default."""
    form = DayForm(request.GET or None)
    return form, form.chosen()


# --- list ------------------------------------------------------------------------------------------


def uncovered_units(user: Any, year: int) -> tuple[str, list[Unit]] | None:
    """For a national user, the provinces without a plan of their own running in ``year``; for a
    province office, its communes without one (one query)."""
    units = Unit.objects.filter(structure=Structure.CURRENT)
    if user.role in NATIONAL_ROLES:
        covered = Plan.objects.filter(level=PlanLevel.PROVINCE, start_year__lte=year, end_year__gte=year)
        missing = units.filter(level=Level.PROVINCE).exclude(pk__in=covered.values("province_id"))
        return "province", list(missing.order_by("sort_key", "code"))
    if user.scope_province_id and user.scope_commune_id is None:
        covered = Plan.objects.filter(
            level=PlanLevel.COMMUNE, province=user.scope_province_id, start_year__lte=year, end_year__gte=year
        )
        missing = units.filter(level=Level.COMMUNE, current_province=user.scope_province_id).exclude(
            pk__in=covered.values("commune_id")
        )
        return "commune", list(missing.order_by("sort_key", "code"))
    return None


class PlanListView(ExportMixin, ObjectListView):
    model = Plan
    table_class = PlanTable
    filterset_class = PlanFilterSet
    template_name = "plans/plan_list.html"
    title = gettext_lazy("Kế hoạch và chỉ tiêu")
    export_name = gettext_lazy("Kế hoạch")

    def get_queryset(self) -> QuerySet[Plan]:
        return (
            super()
            .get_queryset()
            .select_related("province", "commune")
            .annotate(target_count=Count("targets"))
            .order_by("-end_year", "-start_year", "level", "province__sort_key", "commune__sort_key", "pk")
        )

    def write_export(self, queryset: QuerySet[Plan], stream: IO[bytes], fmt: str) -> None:
        exports.write_plans(queryset.iterator(chunk_size=2000), stream, fmt)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = role_can(user, ADD, Plan) and may_plan_somewhere(user)
        raw = self.request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else clock.today().year
        context["uncovered_year"] = year
        context["uncovered"] = uncovered_units(user, year)
        return context


# --- add, edit, delete ------------------------------------------------------------------------------


@role_required(Plan, ADD)
def plan_add(request: HttpRequest) -> HttpResponse:
    """Lập kế hoạch: the central office for the country, a province for itself or its communes, a
    commune for itself."""
    form = PlanForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.created_by = request.user
        with transaction.atomic():
            plan.save()
        messages.success(request, _("Đã lập kế hoạch “%(plan)s”. Hãy thêm các chỉ tiêu.") % {"plan": plan})
        return HttpResponseRedirect(plan.get_absolute_url())
    return render(request, "plans/plan_form.html", {"form": form, "object": None})


class PlanUpdateView(VersionedUpdateMixin, RestrictedViewMixin, UpdateView):
    model = Plan
    form_class = PlanForm
    restrict_action = CHANGE
    template_name = "plans/plan_form.html"

    def get_queryset(self) -> QuerySet[Plan]:
        return super().get_queryset().select_related("province", "commune")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form: PlanForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã lưu kế hoạch “%(plan)s”.") % {"plan": self.object})
        return response


class PlanDeleteView(VersionedDeleteMixin, LoginRequiredMixin, RestrictedViewMixin, DeleteView):
    model = Plan
    restrict_action = DELETE
    template_name = "plans/confirm_delete.html"
    success_url = reverse_lazy("plans:plan_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["consequence"] = _(
            "Các chỉ tiêu của kế hoạch cũng bị xoá; lịch sử thay đổi vẫn được lưu lại."
        )
        context["cancel_url"] = self.object.get_absolute_url()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        name = str(self.object)
        with transaction.atomic():
            self.object.delete()
        messages.success(self.request, _("Đã xoá kế hoạch “%(plan)s”.") % {"plan": name})
        return HttpResponseRedirect(self.get_success_url())


# --- one plan --------------------------------------------------------------------------------------


def _children(user: Any, plan: Plan) -> QuerySet[Plan] | None:
    """The plans one level below ``plan`` overlapping its period, as the user may see them."""
    overlapping = Plan.objects.filter(start_year__lte=plan.end_year, end_year__gte=plan.start_year)
    if plan.level == PlanLevel.COUNTRY:
        children = overlapping.filter(level=PlanLevel.PROVINCE)
        order = ("province__sort_key", "start_year", "pk")
    elif plan.level == PlanLevel.PROVINCE:
        children = overlapping.filter(level=PlanLevel.COMMUNE, province=plan.province_id)
        order = ("commune__sort_key", "start_year", "pk")
    else:
        return None
    return progress.with_targets(
        restrict(children, user, VIEW).select_related("province", "commune").order_by(*order)
    )


def rollup(user: Any, plan: Plan, day: dt.date) -> dict[str, Any] | None:
    """The plans under ``plan`` with their progress, and the units under it without any plan."""
    children = _children(user, plan)
    if children is None:
        return None
    plans = list(children)
    summaries = progress.summaries(plans, day, province_id=plan.province_id)
    units = Unit.objects.filter(structure=Structure.CURRENT)
    if plan.level == PlanLevel.COUNTRY:
        units = units.filter(level=Level.PROVINCE).exclude(pk__in={child.province_id for child in plans})
        kind = "province"
    else:
        units = units.filter(level=Level.COMMUNE, current_province=plan.province_id).exclude(
            pk__in={child.commune_id for child in plans}
        )
        kind = "commune"
    return {"kind": kind, "summaries": summaries, "uncovered": list(units.order_by("sort_key", "code"))}


class PlanDetailView(ObjectDetailView):
    model = Plan
    template_name = "plans/plan_detail.html"

    def get_queryset(self) -> QuerySet[Plan]:
        targets = Target.objects.order_by("deadline", "indicator", "pk")
        return (
            super()
            .get_queryset()
            .select_related("province", "commune", "created_by")
            .prefetch_related(Prefetch("targets", queryset=targets))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        day_form, day = chosen_day(self.request)
        context.update(
            {
                "plan": plan,
                "day_form": day_form,
                "day": day,
                "is_today": day == clock.today(),
                "may_edit": can(user, CHANGE, plan),
                "may_delete": can(user, DELETE, plan),
                "may_add_target": can(user, ADD, Target(plan=plan)),
            }
        )
        if context["active_tab"] == "history":
            context["target_history"] = target_history(plan)
            return context
        rows = progress.plan_progress(plan, day)
        for row in rows:
            row.may_change = can(user, CHANGE, row.target)
            row.may_delete = can(user, DELETE, row.target)
        context["rows"] = rows
        context["rollup"] = rollup(user, plan, day)
        return context


@role_required(Plan, VIEW)
def plan_progress_export(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """The progress of a plan's targets as .xlsx or .csv (the rows of the plan's page)."""
    if fmt not in EXPORT_CONTENT_TYPES:
        raise Http404
    plan = get_restricted_object_or_404(progress.with_targets(Plan.objects.all()), request.user, VIEW, pk=pk)
    _form, day = chosen_day(request)
    rows = progress.plan_progress(plan, day)
    stream = tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    exports.write_progress(rows, stream, fmt)
    stream.seek(0)
    name = _("Tiến độ %(plan)s") % {"plan": plan.title}
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=export_filename(name, fmt, day),
        content_type=EXPORT_CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response
