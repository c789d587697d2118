"""Manual values (số liệu nhập tay): the list, entering a value, correcting and deleting one; and
the registry of indicators with their definitions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DeleteView, UpdateView

from ocop.core.generic import ObjectListView, VersionedDeleteMixin, VersionedUpdateMixin
from ocop.core.scoping import ADD, CHANGE, DELETE, VIEW, RestrictedViewMixin, role_can, role_required

from .. import indicators
from ..filtersets import ManualValueFilterSet
from ..forms import DUPLICATE, ManualValueForm, may_plan_somewhere
from ..models import ManualValue, Plan
from ..tables import ManualValueTable


class ManualValueListView(ObjectListView):
    model = ManualValue
    table_class = ManualValueTable
    filterset_class = ManualValueFilterSet
    template_name = "plans/manual_value_list.html"
    title = gettext_lazy("Số liệu nhập tay")

    def get_queryset(self) -> QuerySet[ManualValue]:
        return (
            super()
            .get_queryset()
            .select_related("province", "commune", "entered_by")
            .order_by("indicator", "-period_end", "level", "province__sort_key", "commune__sort_key", "pk")
        )

    def get_table_kwargs(self) -> dict[str, Any]:
        return {**super().get_table_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = role_can(user, ADD, ManualValue) and may_plan_somewhere(user)
        context["manual_indicators"] = [i for i in indicators.all_indicators() if not i.computed]
        return context


def _save(request: HttpRequest, form: ManualValueForm) -> ManualValue | None:
    value = form.save(commit=False)
    if value.pk is None:
        value.entered_by = request.user
    try:
        with transaction.atomic():
            value.save()
    except IntegrityError:  # entered concurrently by someone else
        form.add_error(None, DUPLICATE)
        return None
    return value


@role_required(ManualValue, ADD)
def manual_value_add(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.method == "GET" and request.GET.get("indicator") in {
        code for code, _n in indicators.manual_choices()
    }:
        initial["indicator"] = request.GET["indicator"]
    form = ManualValueForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid() and (value := _save(request, form)) is not None:
        messages.success(
            request,
            _("Đã nhập số liệu “%(indicator)s” của %(unit)s.")
            % {"indicator": indicators.get(value.indicator).name, "unit": value.unit_name},
        )
        if request.POST.get("_another"):
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("plans:manual_value_list"))
    return render(request, "plans/manual_value_form.html", {"form": form, "object": None})


class ManualValueUpdateView(VersionedUpdateMixin, RestrictedViewMixin, UpdateView):
    model = ManualValue
    form_class = ManualValueForm
    restrict_action = CHANGE
    template_name = "plans/manual_value_form.html"
    success_url = reverse_lazy("plans:manual_value_list")

    def get_queryset(self) -> QuerySet[ManualValue]:
        return super().get_queryset().select_related("province", "commune")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_delete"] = self.object is not None and role_can(self.request.user, DELETE, ManualValue)
        return context

    def form_valid(self, form: ManualValueForm) -> HttpResponse:
        if _save(self.request, form) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Đã lưu số liệu."))
        return HttpResponseRedirect(self.get_success_url())


class ManualValueDeleteView(VersionedDeleteMixin, LoginRequiredMixin, RestrictedViewMixin, DeleteView):
    model = ManualValue
    restrict_action = DELETE
    template_name = "plans/confirm_delete.html"
    success_url = reverse_lazy("plans:manual_value_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("plans:manual_value_list")
        context["consequence"] = _("Lịch sử thay đổi của số liệu vẫn được lưu lại.")
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            self.object.delete()
        messages.success(self.request, _("Đã xoá số liệu."))
        return HttpResponseRedirect(self.get_success_url())


@role_required(Plan, VIEW)
def indicator_list(request: HttpRequest) -> HttpResponse:
    """Danh mục chỉ tiêu: every indicator with its unit, kind, direction and definition."""
    return render(request, "plans/indicator_list.html", {"indicators": indicators.all_indicators()})
