"""QR codes (SVG and PNG, segno) of the permanent public addresses, for packaging, stamps and print.

    /qr/v/<certificate code>.svg|.png   → <public base>/v/<code>          (as on the certificate PDF)
    /qr/p/<OCOP product code>.svg|.png  → <public base>/01/<GTIN-14> when the product has a valid
                                          GTIN (GS1 Digital Link), else <public base>/p/<code>
    /qr/01/<GTIN>.svg|.png              → <public base>/01/<GTIN-14>
    /qr/san-pham/<id>.svg|.png          → the product's canonical address (no code, no GTIN)

The public base is ``ocop.certification.pdf.public_base_url`` (``OCOP_PUBLIC_URL``, else the
request's origin) and the symbol is made exactly as the certificate PDF makes it (error correction
M), so a code reads the same absolute URL wherever it is printed. Only published products and
certificates in effect have a QR code here (404 otherwise): this is not a general QR generator.

Caching: a certificate's QR depends only on its URL, so it is ``immutable`` for a year; a product's
may change when a GTIN is added or corrected, so it is cached for a day (and on the server until
the product changes, ``ocop.public.cache``).
"""

from __future__ import annotations

import hashlib
import io

import segno
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from ocop.certification.models import Certificate
from ocop.certification.pdf import public_base_url, verification_path
from ocop.registry.models import Product

from . import cache, gs1, published

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
SCALE = 8  # pixels (PNG) or SVG units per module
BORDER = 4  # the quiet zone the QR standard asks for, in modules
YEAR = 365 * 24 * 3600
DAY = 24 * 3600


def symbol(url: str) -> segno.QRCode:
    """The QR symbol of ``url``, made as ``ocop.certification.pdf.qr_svg`` makes the certificate's."""
    return segno.make(url, error="m", micro=False)


def render(url: str, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "svg":
        symbol(url).save(out, kind="svg", scale=SCALE, border=BORDER, xmldecl=True, title=url, dark="#000")
    else:
        symbol(url).save(out, kind="png", scale=SCALE, border=BORDER)
    return out.getvalue()


def product_target_path(product: Product) -> str:
    """The path a product's QR code carries: /01/<GTIN-14> with a valid GTIN, else its public path."""
    if product.gtin:
        try:
            return reverse("public:gs1", args=[gs1.parse_gtin(product.gtin)])
        except gs1.GtinError:
            pass
    return published.product_path(product)


def product_qr_path(product: Product, fmt: str = "svg") -> str:
    """Where a product's QR image is served (by OCOP code, else GTIN, else id)."""
    if product.code:
        return reverse("public:qr_product", args=[product.code, fmt])
    if product.gtin:
        return reverse("public:qr_gtin", args=[published.gtin14(product.gtin), fmt])
    return reverse("public:qr_product_id", args=[product.pk, fmt])


def certificate_qr_path(code: str, fmt: str = "svg") -> str:
    return reverse("public:qr_certificate", args=[code, fmt])


def _image(body: bytes, fmt: str, max_age: int, *, immutable: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=max_age)
    if immutable:
        patch_cache_control(response, immutable=True)
    return response


def _missing() -> Http404:
    return Http404("No published product or certificate has this code.")


def _product_image(request: HttpRequest, ids: list[int], fmt: str) -> HttpResponse:
    if len(ids) != 1:  # unknown, or a legacy code shared by several products
        raise _missing()
    pk = ids[0]
    base = public_base_url(request)

    def build() -> bytes:
        product = Product.objects.only("id", "code", "gtin").get(pk=pk)
        return render(base + product_target_path(product), fmt)

    body = cache.get_or_build(cache.PRODUCT, pk, ["qr", fmt, base], build)
    return _image(body, fmt, DAY, immutable=False)


@require_GET
def product_qr(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    kind, normal = published.find_product_code(code)
    if not kind:
        raise _missing()
    if kind == "current" and normal != code:
        return HttpResponsePermanentRedirect(reverse("public:qr_product", args=[normal, fmt]))
    day = published.today()
    ids = cache.alias(kind, normal, lambda: published.products_with_code(kind, normal, code, day))
    return _product_image(request, ids, fmt)


@require_GET
def gtin_qr(request: HttpRequest, gtin: str, fmt: str) -> HttpResponse:
    try:
        full = gs1.parse_gtin(gtin)
    except gs1.GtinError:
        raise _missing() from None
    day = published.today()
    ids = cache.alias("gtin", full, lambda: published.products_with_gtin(full, day))
    if len(ids) != 1:
        raise _missing()
    base = public_base_url(request)
    body = cache.get_or_build(
        cache.PRODUCT,
        ids[0],
        ["qr-gtin", full, fmt, base],
        lambda: render(base + reverse("public:gs1", args=[full]), fmt),
    )
    return _image(body, fmt, YEAR, immutable=True)


@require_GET
def product_id_qr(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    ids = [int(pk)] if published.is_published(int(pk)) else []
    return _product_image(request, ids, fmt)


@require_GET
def certificate_qr(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    normal, problem = published.check_code(code)
    if problem:
        raise _missing()
    if normal != code:
        return HttpResponsePermanentRedirect(certificate_qr_path(normal, fmt))
    day = published.today()
    exists = cache.get_or_build(
        cache.CERTIFICATE,
        normal,
        ["qr-exists", day.isoformat()],
        lambda: Certificate.objects.filter(code=normal, issue_date__lte=day).exists(),
    )
    if not exists:
        raise _missing()
    base = public_base_url(request)
    body = cache.get_or_build(
        cache.CERTIFICATE, normal, ["qr", fmt, base], lambda: render(base + verification_path(normal), fmt)
    )
    return _image(body, fmt, YEAR, immutable=True)
