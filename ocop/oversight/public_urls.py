"""Public pages of oversight (no login): consumers' reports at /phan-anh/ (see views.reports_public)."""

from django.urls import path

from .views import reports_public

app_name = "oversight_public"
urlpatterns: list = [
    path("", reports_public.report_form, name="report_form"),
    path("tra-cuu/", reports_public.report_lookup, name="report_lookup"),
    path("<str:receipt>/", reports_public.report_status, name="report_status"),
]
