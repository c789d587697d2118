"""Shared generic views (NetBox-style): one list view and one detail view that every app reuses.

Lists combine a django-filter FilterSet (the same one the API uses), a django-tables2 table and
the scoping mechanism; an htmx request gets only the results fragment. Detail pages get the
restricted object and a "Lịch sử" (history) tab.
"""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import HttpRequest
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from ocop.core.forms import style_form
from ocop.core.history import history_entries
from ocop.core.scoping import RestrictedViewMixin


class ReferenceDataMixin(LoginRequiredMixin):
    """Reference data (administrative units, criteria): every signed-in user may read it."""


class _ListBase(SingleTableMixin, FilterView):
    template_name = "core/object_list.html"
    results_template_name = "core/includes/object_list_results.html"
    paginate_by = 50
    title: str = ""

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.results_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title or self.model._meta.verbose_name_plural
        context["model_meta"] = self.model._meta
        if context.get("filter") is not None:
            style_form(context["filter"].form)
        return context


class ObjectListView(RestrictedViewMixin, _ListBase):
    """A scoped list: the queryset goes through restrict(user, "view")."""


class ReferenceListView(ReferenceDataMixin, _ListBase):
    """A list of reference data, readable by every signed-in user."""


class _DetailBase(DetailView):
    template_name = "core/object_detail.html"
    tabs: tuple[tuple[str, str], ...] = ()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["active_tab"] = self.request.GET.get("tab", "info")
        if context["active_tab"] == "history" and hasattr(self.object, "history"):
            context["history_entries"] = history_entries(self.object)
        return context


class ObjectDetailView(RestrictedViewMixin, _DetailBase):
    """A scoped detail page: an out-of-scope object is a 404, its existence stays hidden."""


class ReferenceDetailView(ReferenceDataMixin, _DetailBase):
    """A detail page of reference data."""


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def verbose(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name)
