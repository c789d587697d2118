"""REST API v1 (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI, Swagger
from ninja.operation import Operation

from ocop.accounts.api import router as auth_router
from ocop.accounts.api import users_router
from ocop.accounts.auth import api_auth
from ocop.certification.api import certificates_router, decisions_router
from ocop.core.api import CleanTextParser, install_error_handlers, notifications_router
from ocop.documents.api import router as evidence_router

# Imported for its routes too: it adds POST /decisions/recognition to certification's decisions_router.
from ocop.evaluation.api import criteria_router, dossiers_router, evaluations_router, rounds_router
from ocop.geo.api import router as units_router
from ocop.oversight.api import router as oversight_router
from ocop.plans.api import router as plans_router
from ocop.plans.periodic_api import router as periodic_reports_router
from ocop.public.api import router as public_router
from ocop.registry.api import change_requests_router, producers_router, products_router
from ocop.reports.api import router as statistics_router


class OcopAPI(NinjaAPI):
    """Operation ids stay as first published, whichever module a view lives in now.

    API clients generate code from them. An id is ``ocop_<app>_api_<function>`` (what ninja made of
    each app's single ``api.py``), so an app may split its api module into a package freely; the
    views that moved to another app keep their first id (``MOVED``).
    """

    MOVED = {
        # issue 8: certificates and decisions moved from evaluation to certification
        ("certification", "list_certificates"): "ocop_evaluation_api_list_certificates",
        ("certification", "get_certificate"): "ocop_evaluation_api_get_certificate",
        ("certification", "revoke"): "ocop_evaluation_api_revoke",
        ("certification", "list_decisions"): "ocop_evaluation_api_list_decisions",
        ("certification", "get_decision"): "ocop_evaluation_api_get_decision",
    }

    def get_openapi_operation_id(self, operation: Operation) -> str:
        view = operation.view_func
        app = view.__module__.split(".")[1]
        return self.MOVED.get((app, view.__name__), f"ocop_{app}_api_{view.__name__}")


api = OcopAPI(
    title="OCOP API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    # Text holding NUL or an unpaired surrogate is a 422 naming the field, on every endpoint.
    parser=CleanTextParser(),
    # Swagger UI from ninja's bundled files (settings: "ninja" in INSTALLED_APPS), under the site's
    # CSP; no validator badge, which would load an image from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    description=(
        "API của nền tảng OCOP. Xác thực: POST /api/v1/auth/token rồi gửi `Authorization: Bearer <token>`. "
        "Danh sách trả về `{items, count}` với `limit`/`offset`; lỗi trả về `{detail}`. "
        "Lý do thay đổi (ghi vào lịch sử): header `X-Audit-Reason`, văn bản UTF-8 "
        "hoặc mã hoá phần trăm (`S%E1%BB%ADa%20s%E1%BB%91`).\n\n"
        "OCOP platform API. Authenticate with POST /api/v1/auth/token, then send "
        "`Authorization: Bearer <token>`. Lists return `{items, count}` with `limit`/`offset`; "
        "errors return `{detail}`. The reason for a change (kept in the history) goes in the "
        "`X-Audit-Reason` header, as UTF-8 text or percent-encoded (`S%E1%BB%ADa%20s%E1%BB%91`)."
    ),
)
install_error_handlers(api)
api.add_router("/auth/", auth_router)
api.add_router("/units/", units_router)
api.add_router("/users/", users_router)
api.add_router("/producers/", producers_router)
api.add_router("/products/", products_router)
api.add_router("/change-requests/", change_requests_router)
api.add_router("/", evidence_router)
api.add_router("/certificates/", certificates_router)
api.add_router("/criteria/", criteria_router)
api.add_router("/rounds/", rounds_router)
api.add_router("/dossiers/", dossiers_router)
api.add_router("/evaluations/", evaluations_router)
api.add_router("/decisions/", decisions_router)
api.add_router("/public/", public_router)  # no auth, CORS open: certificate verification
api.add_router("/notifications/", notifications_router)
api.add_router("/oversight/", oversight_router)
api.add_router("/statistics/", statistics_router)
api.add_router("/plans/reports/", periodic_reports_router)
api.add_router("/plans/", plans_router)
