"""The inspection's minutes (biên bản kiểm tra) as a PDF, rendered with WeasyPrint.

``minutes_pdf(inspection, user)`` renders ``oversight/inspection_minutes_pdf.html`` (A4 portrait):
the parties (plan, team, producer and the person met), the products with their certificate, the
checklist with answers and notes, the photos and documents taken (listed), the conclusion per
product (ground, corrective actions, deadline), and the signature or the note of refusal.

Fonts are the bundled Noto Serif of ``ocop.certification.pdf`` (as the council minutes); the only
other resource the renderer may read is the signature, passed in as a data URL.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ocop.certification import pdf
from ocop.core import clock

from . import checklist
from .models import Inspection

TEMPLATE = "oversight/inspection_minutes_pdf.html"
_PNG_DATA = "data:image/png;base64,"


def _signature_url(inspection: Inspection) -> str:
    if not inspection.signature:
        return ""
    try:
        with inspection.signature.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        return ""
    return _PNG_DATA + base64.b64encode(content).decode("ascii")


def minutes_context(inspection: Inspection, user: Any) -> dict[str, Any]:
    items = list(
        inspection.inspected_products.select_related("product", "certificate", "evaluation__round").order_by(
            "product__sort_key", "pk"
        )
    )
    attachments = list(inspection.attachments.select_related("finding").order_by("uploaded_at", "pk"))
    photos = defaultdict(list)
    for attachment in attachments:
        photos[attachment.finding_id].append(attachment)
    lines = defaultdict(list)
    for finding in inspection.findings.order_by("position", "pk"):
        lines[finding.product_id].append(
            {
                "finding": finding,
                "label": checklist.shown_label(finding),
                "photos": photos.get(finding.pk, []),
            }
        )
    return {
        "inspection": inspection,
        "blocks": [{"item": item, "lines": lines.get(item.product_id, [])} for item in items],
        "attachments": attachments,
        "signature_url": _signature_url(inspection),
        "printed_on": clock.today(),
        "font_faces": pdf.font_faces(),
        "font_family": ", ".join(f"'{family}'" for family in pdf.FONT_FAMILIES),
        "language": get_language() or settings.LANGUAGE_CODE,
    }


def minutes_html(inspection: Inspection, user: Any) -> str:
    return render_to_string(TEMPLATE, minutes_context(inspection, user))


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    bundled = pdf._fetcher()

    class FontsAndSignature(URLFetcher):
        """The bundled fonts, and PNG data URLs (the signature); nothing else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith(_PNG_DATA):
                body = base64.b64decode(url.removeprefix(_PNG_DATA))
                return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/png"})
            return bundled.fetch(url, headers)

    return FontsAndSignature(allowed_protocols={"file", "data"})


def minutes_pdf(inspection: Inspection, user: Any) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

    html = minutes_html(inspection, user)
    return HTML(string=html, base_url=pdf.FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).write_pdf()
