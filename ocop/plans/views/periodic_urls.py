"""URL patterns of the periodic reports (/plans/reports/); ocop.plans.urls includes them."""

from django.urls import path

from . import periodic

urlpatterns: list = [
    path("reports/", periodic.ReportListView.as_view(), name="report_list"),
    path("reports/add/", periodic.report_create, name="report_create"),
    path("reports/<int:pk>/", periodic.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", periodic.report_edit, name="report_edit"),
    path("reports/<int:pk>/refresh/", periodic.report_refresh, name="report_refresh"),
    path("reports/<int:pk>/file/", periodic.report_file, name="report_file"),
    path("reports/<int:pk>/xlsx/", periodic.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/pdf/", periodic.report_pdf, name="report_pdf"),
]
