"""Sharing and search engines (JSON-LD, Open Graph, sitemap, robots.txt), the CSP, the language
switch and the colours of the public pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from ocop.public.published import product_path
from ocop.registry.models import Product

from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[1] / "static/public/css/public.css"


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_product_json_ld_and_open_graph(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    html = anonymous.get(product_path(product)).content.decode()
    data = json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == "Gạo nếp cái hoa vàng" and data["alternateName"] == "Golden flower sticky rice"
    assert data["gtin"] == product.gtin and len(data["gtin"]) == 13 and data["productID"] == product.code
    assert data["url"] == f"http://testserver{product_path(product)}"
    assert data["manufacturer"]["name"] == "Hợp tác xã Nông sản Sạch Đông Anh"
    certification = data["hasCertification"]
    assert certification["certificationIdentification"] == catalogue.certificates["valid"].code
    assert certification["certificationStatus"] == "https://schema.org/CertificationActive"
    assert certification["certificationRating"]["ratingValue"] == 4
    assert certification["expires"] == "2028-01-10"
    for tag in ('property="og:type" content="product"', 'property="og:title"', 'property="og:url"'):
        assert tag in html
    assert f'<meta property="og:url" content="http://testserver{product_path(product)}">' in html
    revoked = json_ld(anonymous.get(product_path(catalogue.products["revoked"])).content.decode())
    assert revoked["hasCertification"]["certificationStatus"] == "https://schema.org/CertificationInactive"
    assert "award" not in revoked


def test_json_ld_cannot_break_out_of_its_script(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    Product.objects.filter(pk=product.pk).update(description='</script><script>alert("x")</script>')
    html = anonymous.get(product_path(product)).content.decode()
    assert "<script>alert" not in html
    assert json_ld(html)["description"] == '</script><script>alert("x")</script>'


def test_no_inline_script_or_style_and_a_strict_csp(anonymous, catalogue) -> None:
    pages = [
        product_path(catalogue.products["valid"]),
        "/san-pham/",
        f"/v/{catalogue.certificates['revoked'].code}",
        reverse("public:producer", args=[catalogue.producer.pk]),
        reverse("public:province", args=["01"]),
        reverse("public:provinces"),
        reverse("public:verify_form"),
    ]
    for path in pages:
        response = anonymous.get(path)
        html = response.content.decode()
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp, path
        inline = [attrs for attrs in re.findall(r"<script\b([^>]*)>", html) if "src=" not in attrs]
        assert all('type="application/ld+json"' in attrs for attrs in inline), path  # data, not code
        assert " style=" not in html and "<style" not in html, path
        assert 'nonce="' not in html, path  # cached pages are shared: no per-response nonce in them
        assert anonymous.head(path).status_code == 200, path  # link checkers and crawlers use HEAD


def test_sitemap_and_robots(anonymous, catalogue, settings) -> None:
    sitemap = anonymous.get("/sitemap.xml")
    xml = sitemap.content.decode()
    assert sitemap.status_code == 200 and sitemap["Content-Type"].startswith("application/xml")
    assert f"<loc>http://testserver{product_path(catalogue.products['valid'])}</loc>" in xml
    assert product_path(catalogue.products["unpublished"]) not in xml
    assert f"http://testserver{reverse('public:producer', args=[catalogue.producer.pk])}" in xml
    assert "http://testserver/tinh/01/" in xml and "http://testserver/tinh/79/" in xml
    settings.OCOP_PUBLIC_URL = "https://ocop.example.gov.vn"
    anonymous.get("/sitemap.xml")  # cached per host: the public address gives its own entry
    assert "https://ocop.example.gov.vn/p/" in anonymous.get("/sitemap.xml").content.decode()
    robots = anonymous.get("/robots.txt").content.decode()
    expected = ("Allow: /san-pham/", "Allow: /p/", "Allow: /01/", "Disallow: /registry/", "Disallow: /admin/")
    assert set(expected) <= set(robots.splitlines())
    assert "Sitemap: https://ocop.example.gov.vn/sitemap.xml" in robots


def test_language_switch_without_a_csrf_token(anonymous, catalogue) -> None:
    path = product_path(catalogue.products["valid"])
    html = anonymous.get(path).content.decode()
    assert 'action="/ngon-ngu/"' in html and 'value="en"' in html and "csrfmiddlewaretoken" not in html
    response = anonymous.post("/ngon-ngu/", {"language": "en"}, HTTP_REFERER=f"http://testserver{path}")
    assert response.status_code == 302 and response["Location"] == f"http://testserver{path}"
    english = anonymous.get(path).content.decode()
    assert '<html lang="en">' in english and 'value="vi"' in english
    assert "<h1" in english and "Golden flower sticky rice" in english  # the English name when there is one
    elsewhere = anonymous.post("/ngon-ngu/", {"language": "vi"}, HTTP_REFERER="https://evil.example/")
    assert elsewhere["Location"] == "/san-pham/"
    assert anonymous.get("/ngon-ngu/").status_code == 405


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_status_colours_are_readable_in_sunlight() -> None:
    colour = dict(re.findall(r"--(pub-[a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    for status in ("valid", "expired", "revoked", "superseded", "invalid"):
        assert _ratio(colour[f"pub-{status}-fg"], colour[f"pub-{status}-bg"]) >= 7, status  # WCAG AAA
    assert _ratio("#ffffff", colour["pub-green"]) >= 7
    assert _ratio(colour["pub-muted"], "#ffffff") >= 7
    assert _ratio("#8a5a00", "#ffffff") >= 4.5  # the star marks (always doubled by words)
