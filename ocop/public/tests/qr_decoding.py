"""Decode QR codes the way a phone would: rasterise (pypdfium2 for PDFs) and read with zxing-cpp."""

from __future__ import annotations

import base64
import io

import pypdfium2
import zxingcpp
from PIL import Image


def decode_image(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_png(data: bytes) -> list[str]:
    return decode_image(Image.open(io.BytesIO(data)).convert("L"))


def pdf_pages(data: bytes, dpi: int = 300) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("L") for page in document]
    finally:
        document.close()


def decode_pdf(data: bytes, dpi: int = 300) -> list[str]:
    return [text for page in pdf_pages(data, dpi) for text in decode_image(page)]


def decode_svg(data: bytes) -> list[str]:
    """An SVG drawn by WeasyPrint into a PDF page, then read like a printed code."""
    from weasyprint import HTML

    source = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
    html = f'<html><body style="margin:20mm"><img src="{source}" style="width:60mm"></body></html>'
    return decode_pdf(HTML(string=html).write_pdf(), dpi=200)
