"""REST API v1 (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="OCOP API",
    version="1",
    urls_namespace="api",
    description="API của nền tảng OCOP — OCOP platform API",
)
