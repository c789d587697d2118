"""Public pages, without login: catalogue, product, producer, province, certificate verification,
GS1 Digital Link, sitemap and robots.txt.

Thin views: what may be shown comes from ``published``, caching from ``cache`` (one entry per owner
object, rendered once per language, day and host), GS1 rules from ``gs1``; each hit of a product or
certificate is reported to ``scans.record_hit``. Printed addresses (/v/<code>, /01/<GTIN>,
/p/<code>) are keyed on codes, never on names: they keep answering after a rename or an expiry.
The pages use no inline script or style (the CSP); JSON-LD is a data block, which the CSP ignores.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from ocop.certification.pdf import public_base_url, verification_path
from ocop.geo.models import Level, Structure, Unit
from ocop.registry import classification
from ocop.registry.models import Product, ProductImage

from . import cache, gs1, images, published, sitemaps
from .cache import CERTIFICATE, LISTINGS, PRODUCER, PRODUCT
from .filtersets import PublicProductFilterSet
from .scans import hit_source, record_hit

PAGE_SIZE = 24
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
    patch_vary_headers(response, vary)  # the language is a cookie
    return response


def _not_found_entry(request: HttpRequest, title: str, message: str) -> Entry:
    return _render(request, "public/not_found.html", {"title": title, "message": message}, status=404)


def _not_found(request: HttpRequest, title: str, message: str) -> HttpResponse:
    return _respond(_not_found_entry(request, title, message))


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


def _product_not_found_entry(request: HttpRequest) -> Entry:
    return _not_found_entry(
        request,
        _("Không tìm thấy sản phẩm OCOP"),
        _("Không có sản phẩm OCOP đã được công nhận nào mang mã này. Hãy kiểm tra lại mã in trên bao bì."),
    )


def _not_found_product(request: HttpRequest) -> HttpResponse:
    return _respond(_product_not_found_entry(request))


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
        data["gtin"] = published.gtin14(product.gtin)
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
    certificates = published.public_certificates(pk, day) if product is not None else []
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
        "status": published.product_status(certificates),
        "photos": [(p, _image_url(p, 480), _image_url(p, 1280), images.scaled_size(p, 480)) for p in photos],
        "sector": sector,
        "product_set": product_set,
        "gtin": published.gtin14(product.gtin),
        # One place per line, or separated by ";" (as the import template says).
        "where_to_buy": [
            p.strip() for p in product.where_to_buy.replace(";", "\n").splitlines() if p.strip()
        ],
        "canonical_url": base + published.product_path(product),
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
        record_hit("product", entry["object_id"], hit_source(request))
    response = _respond(entry, vary=("Cookie", "Accept") if headers else ("Cookie",))
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@require_safe
def product_by_code(request: HttpRequest, code: str, slug: str | None = None) -> HttpResponse:
    """/p/<OCOP product code> (T-X-STT-YYYY, or a legacy five-part code when unambiguous)."""
    kind, normal = published.find_product_code(code)
    if not kind:
        return _not_found(
            request,
            _("Mã sản phẩm không hợp lệ"),
            _("“%(code)s” không phải mã sản phẩm OCOP (dạng Mã tỉnh-Mã xã-STT-Năm, ví dụ 82-28756-12-2026).")
            % {"code": code},
        )
    if slug is not None or (kind == "current" and normal != code):
        return HttpResponsePermanentRedirect(reverse("public:product_code", args=[normal]))
    day = published.today()
    ids = cache.alias(kind, normal, lambda: published.products_with_code(kind, normal, code, day))
    if not ids:
        return _not_found_product(request)
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
def gs1_resolver(request: HttpRequest, gtin: str, lot: str | None = None) -> HttpResponse:
    """/01/<GTIN>[/10/<lot>]: the product page, or its linkset (Accept or ?linkType=all)."""
    try:
        full = gs1.parse_gtin(gtin)
    except gs1.GtinError as error:
        return _not_found(request, _("Mã GTIN không hợp lệ"), str(error))
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
            _("Không có sản phẩm OCOP đã được công nhận nào mang mã GTIN %(gtin)s.") % {"gtin": full},
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
            _("Mã GTIN %(gtin)s không có liên kết loại “%(type)s”.") % {"gtin": full, "type": requested},
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


# --- catalogue, producer, province ----------------------------------------------------------------


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


def _page(request: HttpRequest, queryset) -> tuple[Any, list[dict[str, Any]]]:
    paginator = Paginator(queryset.prefetch_related(published.images_prefetch()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, [_card(p) for p in page.object_list]


def _query_variant(request: HttpRequest) -> str:
    items = sorted((k, v) for k, values in request.GET.lists() for v in values if v.strip())
    return urlencode(items)


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """/san-pham/: recognised products, searchable and filtered (province, ngành, star, status)."""

    def build() -> Entry:
        queryset = published.published_products().order_by("sort_key", "pk")
        filterset = PublicProductFilterSet(request.GET or None, queryset=queryset, request=request)
        page, cards = _page(request, filterset.qs)
        filtered = any(v.strip() for k, v in request.GET.items() if k != "page")
        return _render(
            request,
            "public/catalogue.html",
            {"filter": filterset, "page": page, "cards": cards, "filtered": filtered},
        )

    return _respond(
        cache.get_or_build(
            LISTINGS, cache.ALL, _variant(request, "catalogue", _query_variant(request)), build
        )
    )


@require_safe
def producer_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    """/chu-the/<id>/: a producer's name, place and recognised products (no personal data)."""
    if slug is not None:
        return HttpResponsePermanentRedirect(reverse("public:producer", args=[pk]))

    def build() -> Entry:
        producer = published.published_producers().filter(pk=pk).first()
        if producer is None:
            return _not_found_entry(
                request,
                _("Không tìm thấy chủ thể"),
                _("Không có chủ thể OCOP nào có sản phẩm được công nhận ở địa chỉ này."),
            )
        products = published.published_products().filter(producer_id=pk).order_by("sort_key", "pk")
        page, cards = _page(request, products)
        return _render(
            request,
            "public/producer_detail.html",
            {"producer": producer, "page": page, "cards": cards},
            object_id=pk,
        )

    page_number = request.GET.get("page", "")
    return _respond(cache.get_or_build(PRODUCER, pk, _variant(request, "page", page_number), build))


def _star_counts(queryset) -> dict[str, int]:
    rows = queryset.order_by().values("public_status", "public_star").annotate(n=Count("pk"))
    counts = {"total": 0, "valid": 0, "expired": 0, "revoked": 0, "star3": 0, "star4": 0, "star5": 0}
    for row in rows:
        counts["total"] += row["n"]
        counts[row["public_status"]] += row["n"]
        if row["public_status"] == published.VALID:
            counts[f"star{row['public_star']}"] += row["n"]
    return counts


@require_safe
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    """/tinh/<code>/: counts by star and status, and the province's recognised products."""

    def build() -> Entry:
        province = (
            Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE, code=code)
            .only("id", "code", "name")
            .first()
        )
        if province is None:
            return _not_found_entry(
                request,
                _("Không tìm thấy tỉnh/thành phố"),
                _("Mã tỉnh/thành phố phải là mã hiện hành gồm 2 chữ số."),
            )
        products = published.published_products().filter(province=province)
        page, cards = _page(request, products.order_by("-public_star", "sort_key", "pk"))
        context = {"province": province, "counts": _star_counts(products), "page": page, "cards": cards}
        return _render(request, "public/province_detail.html", context)

    page_number = request.GET.get("page", "")
    return _respond(
        cache.get_or_build(LISTINGS, cache.ALL, _variant(request, "province", code, page_number), build)
    )


@require_safe
def province_list(request: HttpRequest) -> HttpResponse:
    """/tinh/: the current provinces and how many recognised products each has."""

    def build() -> Entry:
        rows = (
            published.published_products()
            .order_by()
            .values("province__code", "province__name", "public_status")
            .annotate(n=Count("pk"))
        )
        provinces: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = provinces.setdefault(
                row["province__code"],
                {"code": row["province__code"], "name": row["province__name"], "total": 0, "valid": 0},
            )
            entry["total"] += row["n"]
            if row["public_status"] == published.VALID:
                entry["valid"] += row["n"]
        ordered = sorted(provinces.values(), key=lambda p: p["code"])
        return _render(request, "public/province_list.html", {"provinces": ordered})

    return _respond(cache.get_or_build(LISTINGS, cache.ALL, _variant(request, "provinces"), build))


# --- verification ---------------------------------------------------------------------------------


def _verification_entry(request: HttpRequest, code: str) -> Entry:
    result = published.verify(code)
    status = 404 if result.status == published.INVALID else 200
    object_id = result.certificate.id if result.certificate else None
    return _render(request, "public/verify.html", {"v": result}, status=status, object_id=object_id)


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """/v/<certificate code>: the address printed as the certificate's QR code (pdf.verification_url)."""
    normal, problem = published.check_code(code)
    if normal and normal != code:
        return HttpResponsePermanentRedirect(verification_path(normal))
    if problem:  # malformed or mistyped: answered without a lookup, not worth a cache entry
        entry = _verification_entry(request, normal)
    else:
        entry = cache.get_or_build(
            CERTIFICATE, normal, _variant(request, "page"), lambda: _verification_entry(request, normal)
        )
    record_hit("certificate", entry["object_id"], hit_source(request))
    return _respond(entry)


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """/v/: type the code printed on a certificate or stamp (?code=… goes to /v/<code>)."""
    if code := request.GET.get("code", "").strip():
        normal, _problem = published.check_code(code)
        if normal:
            return HttpResponseRedirect(verification_path(normal))
    return _respond(_render(request, "public/verify_form.html", {}))


# --- photos ---------------------------------------------------------------------------------------


@require_safe
def image(request: HttpRequest, pk: int, width: int) -> HttpResponse:
    """A photo of a published product, re-encoded without metadata (ocop.public.images)."""
    if width not in images.WIDTHS:
        raise Http404
    photo = (
        ProductImage.objects.filter(pk=pk, product__in=published.published_product_ids())
        .only(*published.IMAGE_FIELDS)
        .first()
    )
    if photo is None or photo.format not in images.CONTENT_TYPES:
        raise Http404
    try:
        path, data = images.public_copy(photo, width)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = images.CONTENT_TYPES[photo.format]
    response = (
        FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 (FileResponse closes it)
        if path
        else HttpResponse(data, content_type=content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=86400)
    return response


# --- search engines, language ---------------------------------------------------------------------


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the public product, producer and province pages (django.contrib.sitemaps)."""

    def build() -> Entry:
        response = sitemap_views.sitemap(request, sitemaps.SITEMAPS)
        response.render()
        return {"status": response.status_code, "body": response.content, "object_id": None, "headers": {}}

    page = request.GET.get("p", "1")
    entry = cache.get_or_build(
        LISTINGS, cache.ALL, ["sitemap", page, published.today(), public_base_url(request)], build
    )
    return _respond(entry, content_type="application/xml", vary=())


# Officers' app: never crawled (it needs a login anyway). Everything not allowed is disallowed.
PUBLIC_PREFIXES = ("/san-pham/", "/p/", "/01/", "/chu-the/", "/tinh/", "/v/", "/anh/", "/static/")
PUBLIC_PREFIXES += ("/open-data/",)  # the open data files and their documentation
PRIVATE_PREFIXES = ("/admin/", "/accounts/", "/registry/", "/documents/", "/evaluation/", "/units/", "/api/")
PRIVATE_PREFIXES += ("/i18n/", "/ngon-ngu/")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *"]
    lines += [f"Allow: {prefix}" for prefix in PUBLIC_PREFIXES]
    lines += [f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES]
    lines += ["Disallow: /", "", f"Sitemap: {public_base_url(request)}{reverse('public:sitemap')}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The public pages' language switch: back to the page it was pressed on (the Referer).

    CSRF-exempt on purpose: the pages are cached for everyone, so they cannot carry a visitor's
    CSRF token, and a forged switch only changes the language a visitor reads in.
    """
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("public:catalogue")
    request.POST = request.POST.copy()
    request.POST["next"] = back
    return django_set_language(request)
