"""REST API v1 (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

from ocop.accounts.api import router as auth_router
from ocop.geo.api import router as units_router

api = NinjaAPI(
    title="OCOP API",
    version="1",
    urls_namespace="api",
    description="API của nền tảng OCOP — OCOP platform API",
)
api.add_router("/auth/", auth_router)
api.add_router("/units/", units_router)
