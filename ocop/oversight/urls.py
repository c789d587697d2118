"""/oversight/: the officers' pages of post-recognition oversight, one module of routes per part."""

from .views import (
    consequences_urls,
    inspections_urls,
    plans_urls,
    reports_urls,
    signals_urls,
    stats_urls,
)

app_name = "oversight"
urlpatterns = [
    *plans_urls.urlpatterns,
    *inspections_urls.urlpatterns,
    *consequences_urls.urlpatterns,
    *reports_urls.urlpatterns,
    *signals_urls.urlpatterns,
    *stats_urls.urlpatterns,
]
