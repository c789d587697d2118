"""The product page and the addresses printed on packaging that lead to it: /p/<OCOP code>
(a legacy code shared by several products lists them), /san-pham/<id>/ and the GS1 Digital Link
resolver /01/<GTIN>[/10/<lot>] with its linkset. Each view of a product reports a hit to
``scans.record_hit``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ocop.certification.pdf import public_base_url, verification_path
from ocop.registry.classification import ProductStatus
from ocop.registry.models import Product, ProductImage

from .. import cache, gs1, images, published
from ..cache import LISTINGS, PRODUCT
from ..language import browser_language
from ..scans import hit_source, record_hit, record_region
from .common import (
    BROWSER_MAX_AGE,
    Entry,
    _card,
    _classification,
    _image_url,
    _languages,
    _ld_json,
    _not_found,
    _not_found_product,
    _product_not_found_entry,
    _render,
    _respond,
    _variant,
)

# --- product --------------------------------------------------------------------------------------


def _product_json_ld(product: Product, shown: published.PublicCertificate, photos: list, base: str) -> dict:
    url = base + published.product_path(product)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "productID": product.code or product.legacy_code or str(product.pk),
        "manufacturer": {
            "@type": "Organization",
            "name": product.producer.name,
            "url": base + published.producer_path(product.producer),
        },
        "countryOfOrigin": {"@type": "Country", "name": "VN"},
    }
    if product.name_en:
        data["alternateName"] = product.name_en
    if description := (product.description or product.story).strip():
        data["description"] = description[:1000]
    if product.gtin:
        data["gtin"] = published.gtin_shown(product.gtin)
    sector, product_set = _classification(product.classification_set)
    if product_set:
        data["category"] = f"{sector} > {product_set}"
    if photos:
        data["image"] = [base + _image_url(photo, images.WIDTHS[-1]) for photo in photos]
    active = shown.status == published.VALID
    if active:
        data["award"] = f"OCOP {shown.star} ★"
    data["hasCertification"] = {
        "@type": "Certification",
        "name": "OCOP",
        "certificationIdentification": shown.code,
        "issuedBy": {"@type": "GovernmentOrganization", "name": shown.authority},
        "validFrom": shown.issued.isoformat(),
        "expires": shown.expires.isoformat(),
        "certificationStatus": "https://schema.org/"
        + ("CertificationActive" if active else "CertificationInactive"),
        "certificationRating": {
            "@type": "Rating",
            "ratingValue": shown.star,
            "bestRating": 5,
            "worstRating": 3,
        },
        "url": base + shown.path,
    }
    return data


def _product_entry(request: HttpRequest, pk: int) -> Entry:
    day = published.today()
    product = (
        Product.objects.select_related("producer", "province", "commune")
        .only(*published.PRODUCT_FIELDS)
        .filter(pk=pk)
        .first()
    )
    removed = product is not None and product.status == ProductStatus.REMOVED
    certificates = published.public_certificates(pk, day, removed=removed) if product is not None else []
    if not certificates:  # never recognised: it does not exist publicly
        return _product_not_found_entry(request)
    photos = list(
        ProductImage.objects.filter(product_id=pk).only(*published.IMAGE_FIELDS).order_by("position", "pk")
    )
    shown = published.headline(certificates)
    base = public_base_url(request)
    sector, product_set = _classification(product.classification_set)
    english = get_language() == "en" and product.name_en
    photo = photos[0] if photos else None
    context = {
        "product": product,
        "display_name": product.name_en if english else product.name,
        "other_name": product.name if english else product.name_en,
        "certificates": certificates,
        "shown": shown,
        "status": published.product_status(certificates, removed=removed),
        "photos": [(p, _image_url(p, 480), _image_url(p, 1280), images.scaled_size(p, 480)) for p in photos],
        "sector": sector,
        "product_set": product_set,
        "gtin": published.gtin_shown(product.gtin),
        # One place per line, or separated by ";" (as the import template says).
        "where_to_buy": [
            p.strip() for p in product.where_to_buy.replace(";", "\n").splitlines() if p.strip()
        ],
        "canonical_url": base + published.product_path(product),
        # The code the page actions are for (ocop.public.extensions): the one printed on the
        # package, whichever address led here, so the cached page is the same for all of them.
        "action_code": product.code or published.gtin_shown(product.gtin) or shown.code,
        "producer_path": published.producer_path(product.producer),
        "json_ld": _ld_json(_product_json_ld(product, shown, photos, base)),
        "og_image": base + _image_url(photo, 1280) if photo else "",
        "og_image_size": images.scaled_size(photo, 1280) if photo else None,
    }
    return _render(request, "public/product_detail.html", context, object_id=pk)


def _product_summary(pk: int) -> dict[str, Any] | None:
    """What the GS1 resolver needs besides the page: name, canonical path, headline certificate."""
    day = published.today()
    product = Product.objects.only("id", "name", "code", "gtin").filter(pk=pk).first()
    shown = published.headline(published.public_certificates(pk, day)) if product else None
    if shown is None:
        return None
    return {"name": product.name, "path": published.product_path(product), "certificate": shown.code}


def _product_response(request: HttpRequest, pk: int, headers: dict[str, str] | None = None) -> HttpResponse:
    entry = cache.get_or_build(PRODUCT, pk, _variant(request, "page"), lambda: _product_entry(request, pk))
    if entry["object_id"] is not None:
        source = hit_source(request)
        record_hit("product", entry["object_id"], source)
        record_region("product", entry["object_id"], source, request)
    response = _respond(entry, vary=("Cookie", "Accept") if headers else ("Cookie",))
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@require_safe
@browser_language
def product_by_code(request: HttpRequest, code: str, slug: str | None = None) -> HttpResponse:
    """/p/<OCOP product code> (T-X-STT-YYYY, or a legacy five-part code when unambiguous)."""
    kind, normal = published.find_product_code(code)
    if not kind:
        return _not_found(
            request,
            _("Mã sản phẩm không hợp lệ"),
            _("“%(code)s” không phải mã sản phẩm OCOP (dạng Mã tỉnh-Mã xã-STT-Năm, ví dụ 82-28756-12-2026).")
            % {"code": code},
            code,
        )
    if slug is not None or (kind == "current" and normal != code):
        return HttpResponsePermanentRedirect(reverse("public:product_code", args=[normal]))
    day = published.today()
    ids = cache.alias(kind, normal, lambda: published.products_with_code(kind, normal, code, day))
    if not ids:
        return _not_found_product(request, normal)
    if len(ids) > 1:
        return _choices(request, normal, ids)
    return _product_response(request, ids[0])


def _choices(request: HttpRequest, code: str, ids: list[int]) -> HttpResponse:
    """A legacy code shared by several products: let the reader pick (no guessing)."""

    def build() -> Entry:
        products = (
            published.published_products().filter(pk__in=ids).prefetch_related(published.images_prefetch())
        )
        context = {"code": code, "products": [_card(p) for p in products.order_by("sort_key", "pk")]}
        return _render(request, "public/product_choices.html", context)

    return _respond(cache.get_or_build(LISTINGS, cache.ALL, _variant(request, "choices", code), build))


@require_safe
@browser_language
def product_by_id(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    """/san-pham/<id>/: the address of a product with neither an OCOP code nor a GTIN."""
    summary = cache.get_or_build(
        PRODUCT, pk, _variant(request, "summary"), lambda: _product_summary(pk) or {}
    )
    if not summary:
        return _not_found_product(request)
    if slug is not None or summary["path"] != request.path:
        return HttpResponsePermanentRedirect(summary["path"])
    return _product_response(request, pk)


# --- GS1 Digital Link -----------------------------------------------------------------------------


@require_safe
@browser_language
def gs1_resolver(request: HttpRequest, gtin: str, lot: str | None = None) -> HttpResponse:
    """/01/<GTIN>[/10/<lot>]: the product page, or its linkset (Accept or ?linkType=all)."""
    try:
        full = gs1.parse_gtin(gtin)
    except gs1.GtinError as error:
        return _not_found(request, _("Mã GTIN không hợp lệ"), str(error), gtin)
    if lot is not None and not gs1.valid_lot(lot):
        return _not_found(
            request,
            _("Số lô không hợp lệ"),
            _("Số lô (AI 10) gồm tối đa 20 ký tự chữ, số và dấu thông dụng."),
        )
    day = published.today()
    ids = cache.alias("gtin", full, lambda: published.products_with_gtin(full, day))
    if not ids:
        return _not_found(
            request,
            _("Không tìm thấy sản phẩm OCOP"),
            _("Không có sản phẩm OCOP đã được công nhận nào mang mã GTIN %(gtin)s.")
            % {"gtin": published.gtin_shown(full)},
            published.gtin_shown(full),
        )
    pk = ids[0]
    base = public_base_url(request)
    anchor = base + gs1.anchor_path(full, lot)
    requested = request.GET.get("linkType", "").strip()
    if requested in gs1.LINKSET_REQUESTS or (
        not requested and gs1.wants_linkset(request.headers.get("Accept", ""))
    ):
        return _linkset(request, pk, anchor)
    kind = gs1.link_type(requested) if requested else "pip"
    if kind == "certificationInfo":
        summary = cache.get_or_build(
            PRODUCT, pk, _variant(request, "summary"), lambda: _product_summary(pk) or {}
        )
        if summary:
            record_hit("product", pk, hit_source(request))
            response = HttpResponseRedirect(verification_path(summary["certificate"]))
            response.status_code = 307
            return response
    if kind not in ("pip", "defaultLink"):
        return _not_found(
            request,
            _("Không có liên kết loại này"),
            _("Mã GTIN %(gtin)s không có liên kết loại “%(type)s”.")
            % {"gtin": published.gtin_shown(full), "type": requested},
        )
    link = f'<{anchor}?linkType=all>; rel="linkset"; type="{gs1.LINKSET_TYPE}"'
    return _product_response(request, pk, headers={"Link": link})


def _linkset(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    summary = cache.get_or_build(
        PRODUCT, pk, _variant(request, "summary"), lambda: _product_summary(pk) or {}
    )
    if not summary:
        return _not_found_product(request)
    base = public_base_url(request)
    code = summary["certificate"]
    body = gs1.linkset(
        anchor=anchor,
        description=summary["name"],
        page_url=base + summary["path"],
        certificate_page_url=base + verification_path(code) if code else None,
        certificate_json_url=base + reverse("api:public_certificate", args=[code]) if code else None,
        languages=_languages(),
    )
    record_hit("product", pk, hit_source(request))
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=gs1.LINKSET_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    patch_vary_headers(response, ("Accept", "Cookie"))
    return response
