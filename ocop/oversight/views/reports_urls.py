"""URL patterns of this part; ocop.oversight.urls joins them."""

from django.urls import path

from . import reports

urlpatterns: list = [
    path("reports/", reports.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/link/", reports.report_link, name="report_link"),
    path("reports/<int:pk>/close/", reports.report_close, name="report_close"),
    path("reports/<int:pk>/photo/", reports.report_photo, name="report_photo"),
]
