from django.contrib import admin
from django.urls import include, path

from ocop.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("ocop.accounts.urls")),
    path("units/", include("ocop.geo.urls")),
    path("registry/", include("ocop.registry.urls")),
    path("documents/", include("ocop.documents.urls")),
    # The certificate pages keep their /evaluation/certificates/ addresses (ocop.certification).
    path("evaluation/certificates/", include("ocop.certification.urls")),
    path("evaluation/", include("ocop.evaluation.urls")),
    path("", include("ocop.public.urls")),  # public pages: /san-pham/, /v/, /01/, /p/, sitemap.xml…
    path("", include("ocop.core.urls")),
]
