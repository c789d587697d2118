"""Inspection plan pages (Art. 9.2.a, 9.4, 10.1.b): the list, adding and editing a plan, one plan
with its team, progress and inspections, its steps (activate, close), choosing the producers to
inspect (by filters or one by one), and the list of every inspection in the user's scope.

Every object comes through ocop.core.scoping; the steps are ocop.oversight.planning.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date
from ocop.core.generic import ObjectDetailView, ObjectListView, VersionedUpdateMixin
from ocop.core.scoping import (
    ADD,
    CHANGE,
    PRODUCER,
    VIEW,
    RestrictedViewMixin,
    can,
    get_restricted_object_or_404,
    restrict,
    role_can,
    role_required,
)
from ocop.registry import search
from ocop.registry.models import Producer

from .. import planning
from ..filtersets.plans import InspectionFilterSet, PlanFilterSet
from ..forms.plans import PlanForm, ProducerFilterForm, ProducerPickForm
from ..models import InspectedProduct, Inspection, InspectionPlan, InspectionStatus, PlanStatus
from ..tables.plans import InspectionTable, PlanTable

# How many producers the one-by-one picker lists at a time (a search narrows them).
PICKER_SIZE = 50


def _step_error(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- plans -----------------------------------------------------------------------------------------


class PlanListView(ObjectListView):
    model = InspectionPlan
    table_class = PlanTable
    filterset_class = PlanFilterSet
    template_name = "oversight/plan_list.html"
    title = gettext_lazy("Kế hoạch kiểm tra")

    def get_queryset(self) -> QuerySet[InspectionPlan]:
        return (
            super()
            .get_queryset()
            .select_related("province")
            .annotate(**planning.progress_annotations())
            .order_by("-year", "-starts_on", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = role_can(self.request.user, ADD, InspectionPlan) and self.request.user.role in (
            "admin",
            "central",
            "province",
        )
        return context


def _plan_form_page(request: HttpRequest, form: PlanForm, plan: InspectionPlan | None) -> HttpResponse:
    return render(request, "oversight/plan_form.html", {"form": form, "object": plan})


@role_required(InspectionPlan, ADD)
def plan_add(request: HttpRequest) -> HttpResponse:
    """Lập kế hoạch kiểm tra: a province office for its province, the Ministry central plans."""
    if request.user.role not in ("admin", "central", "province"):
        raise PermissionDenied
    form = PlanForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.created_by = request.user
        with transaction.atomic():
            plan.save()
            form.save_m2m()
        messages.success(request, _("Đã lập kế hoạch “%(plan)s”.") % {"plan": plan})
        return HttpResponseRedirect(plan.get_absolute_url())
    return _plan_form_page(request, form, None)


class PlanUpdateView(VersionedUpdateMixin, RestrictedViewMixin, UpdateView):
    model = InspectionPlan
    form_class = PlanForm
    restrict_action = CHANGE
    template_name = "oversight/plan_form.html"

    def get_object(self, queryset: QuerySet | None = None) -> InspectionPlan:
        plan = super().get_object(queryset)
        if plan.status == PlanStatus.CLOSED:
            raise PermissionDenied
        return plan

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form: PlanForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã lưu kế hoạch “%(plan)s”.") % {"plan": self.object})
        return response


def plan_inspections(user: Any, plan: InspectionPlan) -> QuerySet[Inspection]:
    """The plan's inspections the user may see, with their producers and products (three queries)."""
    products = InspectedProduct.objects.select_related("product").order_by("product__sort_key", "pk")
    return (
        restrict(plan.inspections.all(), user, VIEW)
        .select_related("producer__province", "producer__commune")
        .prefetch_related(Prefetch("inspected_products", queryset=products))
        .order_by("-status", "producer__sort_key", "pk")  # planned, done, cancelled
    )


class PlanDetailView(ObjectDetailView):
    model = InspectionPlan
    template_name = "oversight/plan_detail.html"

    def get_queryset(self) -> QuerySet[InspectionPlan]:
        return super().get_queryset().select_related("province", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = self.object
        user = self.request.user
        may_change = can(user, CHANGE, plan)
        context.update(
            {
                "plan": plan,
                "progress": planning.progress_of(plan),
                "members": list(plan.members.select_related("scope_unit").order_by("full_name", "username")),
                "team_lines": [line.strip() for line in plan.team.splitlines() if line.strip()],
                "may_edit": may_change and plan.status != PlanStatus.CLOSED,
                "may_activate": may_change and plan.status == PlanStatus.DRAFT,
                "may_close": may_change and plan.status == PlanStatus.ACTIVE,
                "may_add": may_change and plan.status != PlanStatus.CLOSED,
            }
        )
        if context["active_tab"] != "history":
            context["inspections"] = list(plan_inspections(user, plan))
            context["planned_status"] = InspectionStatus.PLANNED
        return context


def _plan_for_step(request: HttpRequest, pk: int) -> InspectionPlan:
    return get_restricted_object_or_404(
        InspectionPlan.objects.select_related("province"), request.user, CHANGE, pk=pk
    )


def _run_transition(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    plan = _plan_for_step(request, pk)
    back = HttpResponseRedirect(plan.get_absolute_url())
    progress = planning.progress_of(plan)
    if step == "activate":
        function, title = planning.activate, _("Đưa kế hoạch vào thực hiện")
        consequences = [
            _("Kế hoạch chuyển sang “Đang thực hiện”; các cuộc kiểm tra được ghi nhận trên điện thoại."),
            _("Các cuộc kiểm tra chưa thực hiện hiện trong “Việc cần làm” của cán bộ."),
        ]
        ready = plan.status == PlanStatus.DRAFT
    else:
        function, title = planning.close, _("Kết thúc kế hoạch")
        consequences = [
            _("Kế hoạch chuyển sang “Đã kết thúc”: không thêm, bỏ chủ thể hay sửa kế hoạch được nữa."),
            _(
                "Đã kiểm tra %(done)s/%(total)s chủ thể; "
                "các cuộc kiểm tra chưa thực hiện được giữ là “chưa kiểm tra”."
            )
            % {"done": progress.producers_inspected, "total": progress.producers_planned},
        ]
        ready = plan.status == PlanStatus.ACTIVE
    if ready and not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=title,
                subject=str(plan),
                consequences=consequences,
                cancel_url=plan.get_absolute_url(),
                details=[
                    (_("Thời gian"), f"{format_date(plan.starts_on)} – {format_date(plan.ends_on)}"),
                ],
            ),
        )
    try:
        function(request.user, plan)
    except ValidationError as error:
        messages.error(request, _step_error(error))
    else:
        messages.success(request, _("Kế hoạch “%(plan)s”: %(step)s.") % {"plan": plan, "step": title.lower()})
    return back


@require_POST
@role_required(InspectionPlan, CHANGE)
def plan_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_transition(request, pk, "activate")


@require_POST
@role_required(InspectionPlan, CHANGE)
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_transition(request, pk, "close")


@require_POST
@role_required(InspectionPlan, CHANGE)
def plan_remove_inspection(request: HttpRequest, pk: int, inspection_pk: int) -> HttpResponse:
    """Bỏ một cuộc kiểm tra chưa thực hiện khỏi kế hoạch (it is cancelled, kept in the history)."""
    plan = _plan_for_step(request, pk)
    inspection = get_restricted_object_or_404(
        plan.inspections.select_related("producer"), request.user, CHANGE, pk=inspection_pk
    )
    back = HttpResponseRedirect(plan.get_absolute_url() + "#inspections")
    if (
        inspection.status == InspectionStatus.PLANNED
        and plan.status != PlanStatus.CLOSED
        and not is_confirmed(request)
    ):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Bỏ khỏi kế hoạch"),
                subject=_("%(producer)s — %(plan)s") % {"producer": inspection.producer, "plan": plan},
                consequences=[
                    _("Cuộc kiểm tra chuyển sang “Hủy” và không còn tính vào kế hoạch."),
                    _("Có thể đưa lại chủ thể vào kế hoạch sau (một cuộc kiểm tra mới)."),
                ],
                cancel_url=plan.get_absolute_url() + "#inspections",
            ),
        )
    try:
        planning.remove_inspection(request.user, inspection)
    except ValidationError as error:
        messages.error(request, _step_error(error))
    else:
        messages.success(
            request, _("Đã bỏ “%(producer)s” khỏi kế hoạch.") % {"producer": inspection.producer}
        )
    return back


# --- choosing producers ----------------------------------------------------------------------------


def _matching(user: Any, plan: InspectionPlan, form: ProducerFilterForm) -> QuerySet:
    """The products the filters choose, of producers not yet in the plan."""
    products = planning.filter_products(planning.candidate_products(user, plan), form.criteria(), plan)
    present = planning.in_plan(plan).values("producer_id")
    return products.exclude(producer_id__in=present)


def _added_message(request: HttpRequest, created: list[Inspection]) -> None:
    if not created:
        messages.info(request, _("Các chủ thể đã chọn đều đã có trong kế hoạch: không thêm gì."))
        return
    count = sum(len(inspection.inspected_products.all()) for inspection in created)
    messages.success(
        request,
        _("Đã đưa %(producers)s chủ thể, %(products)s sản phẩm vào kế hoạch.")
        % {"producers": len(created), "products": count},
    )


@role_required(InspectionPlan, CHANGE)
def plan_add_producers(request: HttpRequest, pk: int) -> HttpResponse:
    """Đưa chủ thể vào kế hoạch: by filters (with how many producers and products match) or one by
    one (a searchable picker; ``?producer=<id>`` preselects one)."""
    plan = _plan_for_step(request, pk)
    if plan.status == PlanStatus.CLOSED:
        messages.error(request, _("Kế hoạch đã kết thúc: không thay đổi được danh sách kiểm tra."))
        return HttpResponseRedirect(plan.get_absolute_url())
    user = request.user
    candidates = planning.candidate_producers(user, plan).exclude(
        pk__in=planning.in_plan(plan).values("producer_id")
    )
    source = request.POST if request.method == "POST" else request.GET
    filtering = source.get("mode") == "filter"
    filter_form = ProducerFilterForm(source if filtering else None, plan=plan, prefix="f")
    pick_form = ProducerPickForm(
        request.POST if request.method == "POST" and source.get("mode") == "pick" else None,
        candidates=candidates,
    )
    if request.method == "POST":
        created: list[Inspection] | None = None
        try:
            if filtering and filter_form.is_valid():
                products = list(_matching(user, plan, filter_form).select_related("producer"))
                producers = list({product.producer_id: product.producer for product in products}.values())
                if not producers:
                    messages.info(request, _("Không có chủ thể nào khớp bộ lọc."))
                else:
                    created = planning.add_producers(user, plan, producers, products)
            elif not filtering and pick_form.is_valid():
                created = planning.add_producers(user, plan, list(pick_form.cleaned_data["producers"]))
        except ValidationError as error:
            messages.error(request, _step_error(error))
        except PermissionDenied:
            messages.error(request, _("Có chủ thể ngoài phạm vi quản lý của bạn."))
        if created is not None:
            _added_message(request, created)
            return HttpResponseRedirect(plan.get_absolute_url() + "#inspections")
    context: dict[str, Any] = {
        "plan": plan,
        "object": plan,
        "filter_form": filter_form,
        "pick_form": pick_form,
        "filtering": filtering,
    }
    if filtering and filter_form.is_valid():
        matching = _matching(user, plan, filter_form)
        figures = matching.aggregate(
            products=Count("pk", distinct=True), producers=Count("producer_id", distinct=True)
        )
        context["match"] = figures
        context["filter_query"] = [
            (name, value) for name, value in source.items() if name.startswith("f-") or name == "mode"
        ]
    # The picker: the candidates matching the search (or the preselected producer), at most 50.
    query = request.GET.get("q", "").strip()[:100]
    listed = candidates.select_related("province", "commune")
    listed = search.search_producers(listed, query) if query else listed.order_by("sort_key", "pk")
    shown = list(listed[:PICKER_SIZE])
    preselected: set[int] = set()
    raw = request.GET.get("producer", "")
    if raw.isdigit() and len(raw) < 19:
        chosen = candidates.select_related("province", "commune").filter(pk=int(raw)).first()
        if chosen is not None:
            preselected.add(chosen.pk)
            if chosen.pk not in {producer.pk for producer in shown}:
                shown.insert(0, chosen)
        elif restrict(Producer.objects.filter(pk=int(raw)), user, VIEW).exists():
            context["preselect_refused"] = True
    picked = {
        int(value) for value in request.POST.getlist("producers") if value.isdigit() and len(value) < 19
    }
    context.update(
        {
            "query": query,
            "shown": shown,
            "checked": preselected | picked,
            "more": listed[PICKER_SIZE : PICKER_SIZE + 1].exists() if len(shown) >= PICKER_SIZE else False,
            "candidate_count": candidates.count(),
        }
    )
    return render(request, "oversight/plan_add_producers.html", context)


# --- all inspections ----------------------------------------------------------------------------------


class InspectionListView(ObjectListView):
    model = Inspection
    table_class = InspectionTable
    filterset_class = InspectionFilterSet
    template_name = "oversight/inspection_list.html"
    title = gettext_lazy("Cuộc kiểm tra")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The officers' list: a producer reads its own inspections (once done) from its products'
        # pages; a planned inspection, above all an ad hoc one, is not announced to the producer.
        if request.user.is_authenticated and getattr(request.user, "role", None) == PRODUCER:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Inspection]:
        return (
            super()
            .get_queryset()
            .select_related("plan", "producer__province", "producer__commune")
            .order_by("-status", "-inspected_on", "scheduled_on", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan_id = self.request.GET.get("plan", "")
        if plan_id.isdigit() and len(plan_id) < 19:
            context["filter_plan"] = (
                InspectionPlan.objects.restrict(self.request.user, VIEW).filter(pk=int(plan_id)).first()
            )
        return context


def planned_inspections_url() -> str:
    return f"{reverse('oversight:inspection_list')}?{urlencode({'status': InspectionStatus.PLANNED})}"
