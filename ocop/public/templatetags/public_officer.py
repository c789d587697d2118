"""`{% load public_officer %}`: what the public site shows of a product or certificate, on the
officers' pages — its public address, its QR codes (SVG, PNG), the scans of the last 30 days and,
for a valid certificate, the stamp sheet.

Template tags rather than registry/evaluation view code (as the evidence and dossier tabs do),
so those apps' views stay untouched and import nothing from the public app.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from ocop.certification.models import CertificateStatus
from ocop.certification.pdf import verification_path

from .. import published, qr
from ..scan_report import DEFAULT_PERIOD, product_scan_total

register = template.Library()


@register.inclusion_tag("public/officer/product_panel.html", takes_context=True)
def product_public_panel(context: template.Context, product: Any) -> dict[str, Any]:
    """The "Trang công khai" box of a product page: two queries (published? scans)."""
    is_public = product.pk is not None and published.is_published(product.pk)
    return {
        "product": product,
        "is_public": is_public,
        "public_path": published.product_path(product) if is_public else "",
        "qr_svg": qr.product_qr_path(product, "svg") if is_public else "",
        "qr_png": qr.product_qr_path(product, "png") if is_public else "",
        "scans": product_scan_total(product, context["request"].user) if is_public else None,
        "period": DEFAULT_PERIOD,
    }


@register.inclusion_tag("public/officer/certificate_links.html")
def certificate_public_links(certificate: Any) -> dict[str, Any]:
    """The certificate's verification page and QR codes; the stamp sheet form when valid today."""
    in_effect = certificate.status != CertificateStatus.PENDING
    return {
        "certificate": certificate,
        "in_effect": in_effect,
        "valid": certificate.status == CertificateStatus.VALID,
        "verification_path": verification_path(certificate.code),
        "qr_svg": qr.certificate_qr_path(certificate.code, "svg") if in_effect else "",
        "qr_png": qr.certificate_qr_path(certificate.code, "png") if in_effect else "",
        "per_sheet_choices": [8, 12, 24, 40],
    }


# --- the product page's box (ocop.registry.extensions), registered by PublicConfig.ready() ---


def product_panel_render(request: Any, product: Any) -> str:
    context = product_public_panel(template.Context({"request": request}), product)
    return render_to_string("public/officer/product_panel.html", context, request=request)


def certificate_actions_render(request: Any, certificate: Any) -> str:
    """The certificate page's public links (ocop.certification.extensions), from PublicConfig.ready()."""
    context = certificate_public_links(certificate)
    return render_to_string("public/officer/certificate_links.html", context, request=request)
