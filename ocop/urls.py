from django.contrib import admin
from django.urls import include, path

from ocop.api import api
from ocop.core import urls as core_urls
from ocop.public.views import home
from ocop.reports import urls as reports_urls

# JSON under /api/, the Vietnamese/English pages elsewhere; 413 and 503 where they apply.
handler400 = "ocop.core.errors.bad_request"
handler403 = "ocop.core.errors.permission_denied"
handler404 = "ocop.core.errors.page_not_found"
handler500 = "ocop.core.errors.server_error"

urlpatterns = [
    # Public pages: /v/, /p/, /01/ (QR codes: tried first), /san-pham/, sitemap.xml… No other prefix
    # overlaps theirs.
    path("", include("ocop.public.urls")),
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
    path("oversight/", include("ocop.oversight.urls")),
    path("plans/", include("ocop.plans.urls")),
    path("reports/", include((reports_urls.reports_patterns, "reports"))),
    path("phan-anh/", include("ocop.oversight.public_urls")),  # consumers' reports (no login)
    # The `core` namespace: core's pages and the site's address `/` (core:home): the public home for
    # visitors, the dashboard of ocop.reports once signed in (ocop.public.views.home dispatches).
    path(
        "",
        include(
            (
                [path("", home.home, name="home"), *reports_urls.urlpatterns, *core_urls.urlpatterns],
                core_urls.app_name,
            )
        ),
    ),
]
