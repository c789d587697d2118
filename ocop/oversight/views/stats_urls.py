"""URL patterns of this part; ocop.oversight.urls joins them."""

from django.urls import path

from . import stats

urlpatterns: list = [
    path("stats/", stats.stats_page, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
]
