"""URL patterns of plans, targets, manual values and the indicators; ocop.plans.urls joins them."""

from django.urls import path

from . import manual, plans, targets

urlpatterns: list = [
    path("", plans.PlanListView.as_view(), name="plan_list"),
    path("add/", plans.plan_add, name="plan_add"),
    path("<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/edit/", plans.PlanUpdateView.as_view(), name="plan_edit"),
    path("<int:pk>/delete/", plans.PlanDeleteView.as_view(), name="plan_delete"),
    path("<int:pk>/progress.<str:fmt>", plans.plan_progress_export, name="plan_progress_export"),
    path("<int:pk>/targets/add/", targets.target_add, name="target_add"),
    path("targets/<int:pk>/edit/", targets.TargetUpdateView.as_view(), name="target_edit"),
    path("targets/<int:pk>/delete/", targets.TargetDeleteView.as_view(), name="target_delete"),
    path("targets/<int:pk>/records/", targets.target_records, name="target_records"),
    path("manual-values/", manual.ManualValueListView.as_view(), name="manual_value_list"),
    path("manual-values/add/", manual.manual_value_add, name="manual_value_add"),
    path("manual-values/<int:pk>/edit/", manual.ManualValueUpdateView.as_view(), name="manual_value_edit"),
    path(
        "manual-values/<int:pk>/delete/", manual.ManualValueDeleteView.as_view(), name="manual_value_delete"
    ),
    path("indicators/", manual.indicator_list, name="indicator_list"),
]
