"""/plans/: programme plans, targets and progress; periodic reports. One module of routes per part."""

from .views import periodic_urls, plans_urls

app_name = "plans"
urlpatterns: list = [
    *plans_urls.urlpatterns,
    *periodic_urls.urlpatterns,
]
