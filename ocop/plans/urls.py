"""/plans/: programme plans, targets and progress; periodic reports."""

from .views import periodic_urls

app_name = "plans"
urlpatterns: list = [
    *periodic_urls.urlpatterns,
]
