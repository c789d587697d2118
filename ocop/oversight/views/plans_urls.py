"""URL patterns of the plans part; ocop.oversight.urls joins them."""

from django.urls import path

from . import plans

urlpatterns: list = [
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/add/", plans.plan_add, name="plan_add"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.PlanUpdateView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/activate/", plans.plan_activate, name="plan_activate"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan_close"),
    path("plans/<int:pk>/add-producers/", plans.plan_add_producers, name="plan_add_producers"),
    path(
        "plans/<int:pk>/inspections/<int:inspection_pk>/remove/",
        plans.plan_remove_inspection,
        name="plan_remove_inspection",
    ),
    path("inspections/", plans.InspectionListView.as_view(), name="inspection_list"),
]
