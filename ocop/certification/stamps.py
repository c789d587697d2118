"""Tem OCOP: an A4 sheet of stamp labels for a product's valid certificate, as a PDF.

Each label shows the star marks, "OCOP", the product name, the certificate code and number, the
last day it is valid, and the QR code of the certificate's public verification URL — the very URL
and symbol of the certificate PDF (``pdf.verification_url``, ``pdf.qr_svg``), so a scanned stamp
opens the live status (HỢP LỆ / HẾT HẠN / ĐÃ BỊ THU HỒI). Only a certificate valid today gets
stamps (``refusal`` explains why not otherwise).

Layouts: 8, 12, 24 or 40 labels per sheet (``LAYOUTS``), with dashed cutting lines. Rendering
uses the certificate PDF's WeasyPrint set-up: the bundled Noto Serif faces, the stars drawn as SVG
(Noto Serif has no ★) and a URL fetcher that refuses anything but the bundled fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import pdf
from .models import Certificate, CertificateStatus

TEMPLATE = "certification/stamps_pdf.html"
PAGE_MARGIN_MM = 8.0
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0


@dataclass(frozen=True)
class Layout:
    """A grid of labels on A4 portrait; sizes in millimetres, fonts in points."""

    columns: int
    rows: int
    qr: float
    star: float
    name_pt: float
    small_pt: float
    name_lines: int

    @property
    def count(self) -> int:
        return self.columns * self.rows

    @property
    def width(self) -> float:
        return round((PAGE_WIDTH_MM - 2 * PAGE_MARGIN_MM) / self.columns - 0.05, 2)

    @property
    def height(self) -> float:
        return round((PAGE_HEIGHT_MM - 2 * PAGE_MARGIN_MM) / self.rows - 0.05, 2)


LAYOUTS: dict[int, Layout] = {
    8: Layout(columns=2, rows=4, qr=36, star=6, name_pt=11, small_pt=8.5, name_lines=2),
    12: Layout(columns=3, rows=4, qr=32, star=5, name_pt=9, small_pt=7, name_lines=2),
    24: Layout(columns=4, rows=6, qr=24, star=3.6, name_pt=6.5, small_pt=5.2, name_lines=1),
    40: Layout(columns=5, rows=8, qr=19, star=2.8, name_pt=5.2, small_pt=4.3, name_lines=1),
}
DEFAULT_PER_SHEET = 12


def refusal(certificate: Certificate) -> str:
    """Why no stamps may be printed for this certificate today; "" when it is valid."""
    status = certificate.status
    values = {"code": certificate.code}
    if status == CertificateStatus.VALID:
        return ""
    if status == CertificateStatus.REVOKED:
        values["day"] = f"{certificate.revoked_on:%d/%m/%Y}"
        return (
            _(
                "Giấy chứng nhận %(code)s đã bị thu hồi từ ngày %(day)s: không được in tem OCOP "
                "cho sản phẩm này."
            )
            % values
        )
    if status == CertificateStatus.EXPIRED:
        values["day"] = f"{certificate.expiry:%d/%m/%Y}"
        return (
            _(
                "Giấy chứng nhận %(code)s đã hết hiệu lực sau ngày %(day)s: không in tem OCOP cho giấy chứng "
                "nhận không còn hiệu lực."
            )
            % values
        )
    if status == CertificateStatus.SUPERSEDED:
        values["new"] = certificate.superseded_by.code if certificate.superseded_by else ""
        return (
            _(
                "Giấy chứng nhận %(code)s đã được thay thế bởi giấy chứng nhận %(new)s: hãy in tem theo giấy "
                "chứng nhận mới."
            )
            % values
        )
    values["day"] = f"{certificate.issue_date:%d/%m/%Y}"
    return _("Giấy chứng nhận %(code)s chưa có hiệu lực (từ ngày %(day)s): chưa in được tem OCOP.") % values


def context(certificate: Certificate, base_url: str, per_sheet: int) -> dict[str, Any]:
    layout = LAYOUTS[per_sheet]
    url = base_url.rstrip("/") + pdf.verification_path(certificate.code)
    label = {
        "name": certificate.product.name,
        "code": certificate.code,
        "number": certificate.number,
        "expiry": certificate.expiry,
        "star_marks": range(certificate.star),
        "star": certificate.star,
        "qr_svg": pdf.qr_svg(url),
    }
    return {
        "certificate": certificate,
        "layout": layout,
        "labels": [label] * layout.count,
        "verification_url": url,
        "margin": PAGE_MARGIN_MM,
        "font_faces": pdf.font_faces(),
        "font_family": ", ".join(f"'{family}'" for family in pdf.FONT_FAMILIES),
        "language": get_language() or settings.LANGUAGE_CODE,
    }


def stamp_sheet(certificate: Certificate, base_url: str, per_sheet: int = DEFAULT_PER_SHEET) -> bytes:
    """One A4 page of ``per_sheet`` stamp labels as PDF bytes (``per_sheet`` in LAYOUTS)."""
    from weasyprint import HTML  # heavy import: only when a PDF is made

    html = render_to_string(TEMPLATE, context(certificate, base_url, per_sheet))
    return HTML(string=html, base_url=pdf.FONT_DIR.as_uri() + "/", url_fetcher=pdf._fetcher()).write_pdf()
