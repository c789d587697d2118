"""Test URLconf: the project's URLs, plus /api/v1/users/ if ocop.api does not mount it yet,
plus a POST endpoint behind `api_auth` to check CSRF protection of session auth."""

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from ocop.accounts.api import users_router
from ocop.accounts.auth import api_auth
from ocop.api import api
from ocop.core.api import install_error_handlers
from ocop.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)

if not any(router is users_router for _prefix, router in api._routers):
    fallback = NinjaAPI(urls_namespace="accounts-tests-users", docs_url=None, openapi_url=None)
    install_error_handlers(fallback)
    fallback.add_router("/users/", users_router)
    urlpatterns.insert(0, path("api/v1/", fallback.urls))

probe = NinjaAPI(urls_namespace="accounts-tests-probe", docs_url=None, openapi_url=None, auth=api_auth)
install_error_handlers(probe)


@probe.post("/echo")
def echo(request: HttpRequest) -> dict:
    return {"username": request.auth.username}


urlpatterns.insert(0, path("api/probe/", probe.urls))
