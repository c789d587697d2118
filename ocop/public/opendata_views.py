"""/open-data/: the documentation page and the files of ``ocop.public.opendata``, open to anyone.

Every file carries an ETag (hash of its bytes) and a Last-Modified (from the data), answers
conditional requests with 304, is cacheable for five minutes and open to other origins (CORS *).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from ocop.certification.pdf import public_base_url

from . import opendata, published
from .language import browser_language

MAX_AGE = 300


def _serve(request: HttpRequest, file: opendata.File, filename: str = "") -> HttpResponse:
    response = HttpResponse(file.body, content_type=file.content_type)
    response["ETag"] = file.etag
    timestamp = int(file.last_modified.timestamp()) if file.last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return get_conditional_response(request, etag=file.etag, last_modified=timestamp, response=response)


@require_safe
def products_csv(request: HttpRequest) -> HttpResponse:
    """/open-data/ocop-products.csv"""
    return _serve(request, opendata.products_file(public_base_url(request), "csv"), "ocop-products.csv")


@require_safe
def products_json(request: HttpRequest) -> HttpResponse:
    """/open-data/ocop-products.json"""
    return _serve(request, opendata.products_file(public_base_url(request), "json"), "ocop-products.json")


@require_safe
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    """/open-data/catalog.jsonld: DCAT-AP (dcat:Catalog → dcat:Dataset → dcat:Distribution)."""
    return _serve(request, opendata.catalog_file(public_base_url(request)))


@require_safe
@browser_language
def changes_feed(request: HttpRequest) -> HttpResponse:
    """/open-data/changes.atom: the latest new, expired and revoked certificates (in the page language)."""
    response = _serve(request, opendata.feed_file(public_base_url(request), get_language() or "vi"))
    patch_vary_headers(response, ("Cookie",))  # the titles follow the language switch
    return response


@require_safe
@browser_language
def open_data(request: HttpRequest) -> HttpResponse:
    """/open-data/: what the files hold, column by column, and the licence."""
    base = public_base_url(request)
    csv_file = opendata.products_file(base, "csv")
    files = [
        ("CSV", reverse("public:open_data_csv"), "text/csv"),
        ("JSON", reverse("public:open_data_json"), "application/json"),
        ("DCAT-AP (JSON-LD)", reverse("public:open_data_catalog"), "application/ld+json"),
        ("Atom", reverse("public:open_data_feed"), "application/atom+xml"),
    ]
    context = {
        "columns": opendata.COLUMNS,
        "files": files,
        "license_url": opendata.LICENSE_URL,
        "license_name": opendata.LICENSE_NAME,
        "rows": csv_file.count,
        "last_modified": csv_file.last_modified,
        "today": published.today(),
        "base_url": base,
        "feed_size": opendata.FEED_SIZE,
    }
    response = render(request, "public/open_data.html", context)
    patch_cache_control(response, public=True, max_age=60)
    patch_vary_headers(response, ("Cookie",))
    return response
