"""Public pages of oversight (no login): consumers' reports at /phan-anh/ (see views.reports_public)."""

from django.urls import path  # noqa: F401

app_name = "oversight_public"
urlpatterns: list = []
