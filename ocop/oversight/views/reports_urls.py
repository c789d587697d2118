"""URL patterns of this part; ocop.oversight.urls joins them."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
