"""A periodic report as a PDF (WeasyPrint), from the same ``display.document`` as the page and the XLSX.

A4 portrait, the wide tables (more than five columns) on landscape pages; the title block names
the unit, the period and the day the figures were counted for, and a draft says so across every
page. Fonts are the bundled Noto Serif of ``ocop.certification.pdf`` and the renderer may read
nothing else (no network, no other file).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ocop.certification import pdf as certificate_pdf
from ocop.core import clock

from .display import Document

TEMPLATE = "plans/periodic/report_pdf.html"


def html(document: Document) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "document": document,
            "report": document.report,
            "printed_on": clock.today(),
            "font_faces": certificate_pdf.font_faces(),
            "font_family": ", ".join(f"'{family}'" for family in certificate_pdf.FONT_FAMILIES),
            "language": get_language() or settings.LANGUAGE_CODE,
        },
    )


def render(document: Document) -> bytes:
    from weasyprint import HTML  # heavy import (Pango, HarfBuzz): only when a PDF is made

    return HTML(
        string=html(document),
        base_url=certificate_pdf.FONT_DIR.as_uri() + "/",
        url_fetcher=certificate_pdf._fetcher(),
    ).write_pdf()
