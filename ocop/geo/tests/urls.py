"""Test URLconf: the project's URLs, plus /units/ if ocop.urls does not include the geo pages yet."""

from django.urls import include, path

from ocop.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)

if not any(getattr(p, "namespace", None) == "geo" for p in urlpatterns):
    urlpatterns.insert(0, path("units/", include("ocop.geo.urls", namespace="geo")))
