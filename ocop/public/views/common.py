"""What every public page shares: the cache entry (`Entry`) and its variant (language, day,
host), rendering and answering with the public cache headers, the "not found" pages, JSON-LD
escaping, photo addresses, classification names, and `_card`, what a list shows of a product.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ocop.certification.pdf import public_base_url
from ocop.registry import classification
from ocop.registry.models import Product, ProductImage

from .. import images, published

BROWSER_MAX_AGE = 60  # seconds a browser or proxy may reuse a page before asking again
HTML = "text/html; charset=utf-8"
_JSON_LD_ESCAPES = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})

Entry = dict[str, Any]  # {"status", "body", "object_id", "headers"}: what the cache keeps


# --- helpers --------------------------------------------------------------------------------------


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _variant(request: HttpRequest, *extra: Any) -> list[Any]:
    """What else a cached page depends on: language, day (statuses), host (absolute URLs)."""
    return [get_language(), published.today().isoformat(), public_base_url(request), *extra]


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    object_id: int | None = None,
) -> Entry:
    context = {"base_url": public_base_url(request), **context}
    body = render_to_string(template, context, request=request).encode()
    return {"status": status, "body": body, "object_id": object_id, "headers": {}}


def _respond(entry: Entry, *, content_type: str = HTML, vary: tuple[str, ...] = ("Cookie",)) -> HttpResponse:
    response = HttpResponse(entry["body"], status=entry["status"], content_type=content_type)
    for name, value in entry["headers"].items():
        response[name] = value
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    patch_vary_headers(response, vary)  # the language switch is a cookie
    return response


def _not_found_entry(request: HttpRequest, title: str, message: str, code: str = "") -> Entry:
    """The "not found" page; with the code that led nowhere, the page actions of that code
    (ocop.public.extensions: e.g. reporting a fake OCOP mark)."""
    context = {"title": title, "message": message, "action_code": code}
    return _render(request, "public/not_found.html", context, status=404)


def _not_found(request: HttpRequest, title: str, message: str, code: str = "") -> HttpResponse:
    return _respond(_not_found_entry(request, title, message, code))


def _ld_json(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: "</script>" can never close it early."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_LD_ESCAPES)


def _image_url(image: ProductImage, width: int) -> str:
    return reverse("public:image", args=[image.pk, width])


def _classification(code: str) -> tuple[str, str]:
    """(ngành, bộ sản phẩm) names of a set code, empty when unknown."""
    try:
        product_set = classification.get_set(code)
    except (KeyError, ValueError):
        return "", ""
    return classification.get_sector(product_set.sector).name, product_set.name


def _product_not_found_entry(request: HttpRequest, code: str = "") -> Entry:
    return _not_found_entry(
        request,
        _("Không tìm thấy sản phẩm OCOP"),
        _("Không có sản phẩm OCOP đã được công nhận nào mang mã này. Hãy kiểm tra lại mã in trên bao bì."),
        code,
    )


def _not_found_product(request: HttpRequest, code: str = "") -> HttpResponse:
    return _respond(_product_not_found_entry(request, code))


def _card(product: Product) -> dict[str, Any]:
    """What a list shows of a product (its first photo as a thumbnail)."""
    photo = product.public_images[0] if getattr(product, "public_images", None) else None
    return {
        "product": product,
        "path": published.product_path(product),
        "status": product.public_status,
        "status_label": published.STATUS_LABELS[product.public_status],
        "star": product.public_star,
        "photo": photo,
        "photo_url": _image_url(photo, 480) if photo else "",
        "photo_size": images.scaled_size(photo, 480) if photo else None,
    }
