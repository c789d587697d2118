"""The printable certificate (giấy chứng nhận kết quả phân hạng sản phẩm OCOP) as a PDF.

``certificate_pdf(certificate, base_url)`` renders ``certification/certificate_pdf.html`` with
WeasyPrint: A4 landscape, the issuing authority as written on the decision, the product, its
producer (name and place only: no personal data), the dates, and a QR code of the certificate's
public verification URL ``<base_url>/v/<code>`` (``verification_url``, shared with the public
pages).

Rendering never touches the network: the fonts are the bundled Noto Serif files in
``ocop/core/fonts/`` (copied by ``scripts/vendor_static.py``), the QR code and the stars are inline
SVG, and the URL fetcher refuses every URL outside the font folder.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import ocop.core
from ocop.core import clock

from .models import AuthorityLevel, Certificate, CertificateStatus, Decision

TEMPLATE = "certification/certificate_pdf.html"
FONT_DIR = Path(ocop.core.__file__).resolve().parent / "fonts" / "noto-serif"

# The fontsource subsets we ship and the characters each covers (from the package's index.css).
# Each subset is its own family: WeasyPrint keys embedded fonts by family and weight, so two
# files under one family name would share glyph numbers and print the wrong letters.
_SUBSETS = {
    "latin": (
        "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,"
        "U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"
    ),
    "vietnamese": (
        "U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,U+01AF-01B0,U+0300-0301,"
        "U+0303-0304,U+0308-0309,U+0323,U+0329,U+1EA0-1EF9,U+20AB"
    ),
}
FONT_FAMILIES = tuple(f"OCOP Serif {subset}" for subset in _SUBSETS)
WEIGHTS = (400, 700)

VERIFICATION_PREFIX = "/v/"
_UBND = re.compile(r"^\s*(?:ubnd|[uủ][yỷ] ban nhân dân)\b\s*(?P<place>.*)$", re.IGNORECASE)
_DIVISION_WORDS = {"", "tỉnh", "thành phố", "tp", "tp.", "huyện", "thị xã", "quận"}


# --- the public verification URL ---


def public_base_url(request: HttpRequest | None = None) -> str:
    """``settings.OCOP_PUBLIC_URL`` (e.g. https://ocop.example.gov.vn), else this request's origin."""
    base = (getattr(settings, "OCOP_PUBLIC_URL", "") or "").strip()
    if base:
        if urlsplit(base).scheme not in {"http", "https"} or not urlsplit(base).netloc:
            raise ImproperlyConfigured(f"OCOP_PUBLIC_URL must be an absolute http(s) URL, not {base!r}.")
        return base.rstrip("/")
    if request is None:
        raise ImproperlyConfigured("Set OCOP_PUBLIC_URL to build public URLs outside a request.")
    return request.build_absolute_uri("/").rstrip("/")


def verification_path(code: str) -> str:
    """``/v/<code>``: certificate codes are URL-safe (digits, capitals, "-" and a possible "*")."""
    return VERIFICATION_PREFIX + quote(code, safe="*")


def verification_url(code: str, request: HttpRequest | None = None) -> str:
    """The absolute public URL where anyone can check certificate ``code`` (printed as a QR code)."""
    return public_base_url(request) + verification_path(code)


# --- the document ---


def authority_lines(decision: Decision) -> list[str]:
    """The issuing authority in capitals, as a formal heading ("UỶ BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP")."""
    name = " ".join(decision.authority.split())
    if match := _UBND.match(name):
        place = match["place"]
        if place.casefold() in _DIVISION_WORDS and decision.province is not None:
            place = decision.province.name  # "UBND tỉnh" alone: the province on the decision
        return [line for line in (_("UỶ BAN NHÂN DÂN"), place.upper()) if line]
    if name:
        return [name.upper()]
    if decision.authority_level == AuthorityLevel.CENTRAL:
        return [_("BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG")]
    return []


def signature_title(decision: Decision) -> str:
    """The line above the signer's name: "TM. UỶ BAN NHÂN DÂN" for a People's Committee."""
    if _UBND.match(decision.authority):
        return _("TM. UỶ BAN NHÂN DÂN")
    return " ".join(authority_lines(decision))


def producer_place(certificate: Certificate) -> str:
    """Where the producer is, on the current map: "Xã Bát Tràng, Thành phố Hà Nội" (never the street)."""
    producer = certificate.product.producer
    return ", ".join(unit.name for unit in (producer.commune, producer.province) if unit is not None)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (error correction M), sized by the template's CSS."""
    return segno.make(url, error="m", micro=False).svg_inline(omitsize=True, border=2, dark="#000")


def font_faces() -> list[dict[str, Any]]:
    faces = []
    for weight in WEIGHTS:
        for (subset, unicode_range), family in zip(_SUBSETS.items(), FONT_FAMILIES, strict=True):
            path = FONT_DIR / f"noto-serif-{subset}-{weight}-normal.woff2"
            faces.append({"family": family, "weight": weight, "url": path.as_uri(), "range": unicode_range})
    return faces


def context(certificate: Certificate, base_url: str, printed_on: dt.date | None = None) -> dict[str, Any]:
    decision = certificate.decision
    url = base_url.rstrip("/") + verification_path(certificate.code)
    status = certificate.status
    place = decision.province.short_name if decision.province is not None else ""
    return {
        "certificate": certificate,
        "product": certificate.product,
        "producer": certificate.product.producer,
        "producer_place": certificate.certified_place or producer_place(certificate),
        # What was recognised, frozen at issue (a later rename of the product does not reprint it).
        "product_name": certificate.certified_product_name or certificate.product.name,
        "producer_name": certificate.certified_producer_name or certificate.product.producer.name,
        "decision": decision,
        "authority_lines": authority_lines(decision),
        "signature_title": signature_title(decision),
        "place": place,
        "star_marks": range(certificate.star),
        "verification_url": url,
        "qr_svg": qr_svg(url),
        "status_watermark": "" if status == CertificateStatus.VALID else certificate.status_label.upper(),
        "printed_on": printed_on or clock.today(),
        "font_faces": font_faces(),
        "font_family": ", ".join(f"'{family}'" for family in FONT_FAMILIES),
        "language": get_language() or settings.LANGUAGE_CODE,
    }


def certificate_pdf(certificate: Certificate, base_url: str) -> bytes:
    """The certificate as PDF bytes; ``base_url`` is the public site root the QR code points to."""
    from weasyprint import HTML  # heavy import (Pango, HarfBuzz): only when a PDF is made

    html = render_to_string(TEMPLATE, context(certificate, base_url))
    return HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).write_pdf()


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BundledFilesOnly(URLFetcher):
        """Serves the bundled fonts; refuses everything else (no network, no other local file)."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in {"", "localhost"}:
                raise ValueError(f"not a bundled file: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(FONT_DIR) or not path.is_file():
                raise ValueError(f"not a bundled file: {url}")
            return URLFetcherResponse(url, body=path.read_bytes())

    return BundledFilesOnly(allowed_protocols={"file"})
