"""The reports' own addresses, served in the `core` namespace beside core's pages (ocop/urls.py).

The dashboard (views.home) has no pattern here: it is shown at `/` (URL name `core:home`) to a
signed-in user by ocop.public.views.home, which shows the public home to anyone else — the
address is the public site's as well, and the public app sits above this one.

`reports_patterns` are the pages under /reports/, in the `reports` namespace (ocop/urls.py).
"""

from django.urls import URLPattern, path

from . import map_views, views

urlpatterns: list[URLPattern] = []

reports_patterns: list[URLPattern] = [
    path("map/", map_views.map_page, name="map"),  # the province map (ocop.reports.map)
    # The dashboard's figures as a spreadsheet (same ?unit= and ?date=).
    path("statistics.<str:fmt>", views.statistics_export, name="statistics_export"),
    path("years/", views.years, name="years"),  # the dashboard's year table, loaded after the page
]
