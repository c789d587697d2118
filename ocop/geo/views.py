"""Browse administrative units: provinces → a province's communes (with their former units) → a unit."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from ocop.core.generic import ReferenceDetailView, ReferenceListView

from .filtersets import UnitFilterSet
from .models import Level, Structure, Unit, UnitSuccession
from .tables import UnitTable

# With no filter at all, the list opens on the current provinces: the entry point for browsing.
DEFAULT_FILTER = {"structure": Structure.CURRENT, "level": Level.PROVINCE}


class UnitListView(ReferenceListView):
    model = Unit
    table_class = UnitTable
    filterset_class = UnitFilterSet
    title = _("Đơn vị hành chính")
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.select_related("parent", "current_province").order_by("sort_key", "code")

    def get_filterset_kwargs(self, filterset_class: type[UnitFilterSet]) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not any(name in self.request.GET for name in filterset_class.base_filters):
            kwargs["data"] = {**self.request.GET.dict(), **DEFAULT_FILTER}
        return kwargs


def _predecessions() -> Prefetch:
    return Prefetch(
        "predecessions",
        queryset=UnitSuccession.objects.select_related("former__parent").order_by(
            "former__level", "former__sort_key"
        ),
    )


def _successions() -> Prefetch:
    return Prefetch(
        "successions",
        queryset=UnitSuccession.objects.select_related("current__parent").order_by("current__sort_key"),
    )


class UnitDetailView(ReferenceDetailView):
    model = Unit
    template_name = "geo/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset: QuerySet[Unit] | None = None) -> Unit:
        queryset = Unit.objects.select_related("parent", "current_province").prefetch_related(
            _predecessions(), _successions()
        )
        return get_object_or_404(queryset, structure=self.kwargs["structure"], code=self.kwargs["code"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit: Unit = self.object
        # Children with their own history: a current province's communes with their former units,
        # a former province's districts, a former district's communes with what they became.
        children = unit.children.order_by("sort_key", "code")
        if unit.is_current:
            children = children.prefetch_related(_predecessions())
        else:
            children = children.prefetch_related(_successions())
        context["children"] = list(children)
        context["predecessions"] = list(unit.predecessions.all())
        context["successions"] = list(unit.successions.all())
        context["Level"] = Level
        return context
