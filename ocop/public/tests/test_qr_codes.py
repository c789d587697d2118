"""QR codes of products and certificates (/qr/…): they decode to the permanent absolute URLs."""

from __future__ import annotations

import pytest

from ocop.certification.pdf import verification_path, verification_url
from ocop.certification.tests.conftest import make_certificate
from ocop.public import published, qr
from ocop.registry.tests.conftest import make_product

from .conftest import gtin_with_check
from .qr_decoding import decode_png, decode_svg
from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def test_certificate_qr_png_and_svg_carry_the_verification_url(anonymous, catalogue) -> None:
    c = catalogue.certificates["valid"]
    url = BASE + verification_path(c.code)
    png = anonymous.get(f"/qr/v/{c.code}.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert decode_png(png.content) == [url]
    assert "immutable" in png["Cache-Control"] and "max-age=31536000" in png["Cache-Control"]
    assert png["ETag"]
    svg = anonymous.get(f"/qr/v/{c.code}.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    assert decode_svg(svg.content) == [url]


def test_qr_uses_the_configured_public_url_like_the_certificate_pdf(anonymous, catalogue, settings) -> None:
    settings.OCOP_PUBLIC_URL = "https://ocop.example.gov.vn"
    c = catalogue.certificates["revoked"]  # revoked or expired: its printed QR keeps answering
    png = anonymous.get(f"/qr/v/{c.code}.png")
    assert decode_png(png.content) == [verification_url(c.code)]
    assert verification_url(c.code) == f"https://ocop.example.gov.vn/v/{c.code}"


def test_product_qr_is_the_gs1_digital_link_when_there_is_a_gtin(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]  # has a GTIN-13
    gtin14 = published.gtin14(product.gtin)
    response = anonymous.get(f"/qr/p/{product.code}.png")
    assert response.status_code == 200
    assert decode_png(response.content) == [f"{BASE}/01/{gtin14}"]
    assert "max-age=86400" in response["Cache-Control"] and "immutable" not in response["Cache-Control"]
    # The GTIN's own address, and the helper the officers' pages link to.
    assert qr.product_qr_path(product, "png") == f"/qr/p/{product.code}.png"
    by_gtin = anonymous.get(f"/qr/01/{gtin14}.png")
    assert decode_png(by_gtin.content) == [f"{BASE}/01/{gtin14}"]
    assert anonymous.get(f"/qr/01/{product.gtin}.png").status_code == 200  # 13 digits too


def test_product_qr_without_gtin_is_its_product_code_url(anonymous, catalogue) -> None:
    product = catalogue.products["expired"]
    response = anonymous.get(f"/qr/p/{product.code}.svg")
    assert response.status_code == 200
    assert decode_svg(response.content) == [f"{BASE}/p/{product.code}"]


def test_product_without_a_code_has_a_qr_by_gtin_or_by_id(anonymous, catalogue, world) -> None:
    # Recorded at province level (no commune): no OCOP product code.
    plain = make_product(catalogue.producer, unit=world.places["hn"], name="Nước mắm cũ")
    barcoded = make_product(
        catalogue.producer, unit=world.places["hn"], name="Mắm tôm", gtin=gtin_with_check("893504950003")
    )
    for product in (plain, barcoded):
        make_certificate(product, star=3)
    assert not plain.code and not barcoded.code
    path = qr.product_qr_path(plain, "png")
    assert path == f"/qr/san-pham/{plain.pk}.png"
    assert decode_png(anonymous.get(path).content) == [f"{BASE}/san-pham/{plain.pk}/"]
    path = qr.product_qr_path(barcoded, "png")
    gtin14 = published.gtin14(barcoded.gtin)
    assert path == f"/qr/01/{gtin14}.png"
    assert decode_png(anonymous.get(path).content) == [f"{BASE}/01/{gtin14}"]


def test_unknown_unpublished_and_malformed_codes_are_404(anonymous, catalogue) -> None:
    unpublished = catalogue.products["unpublished"]
    c = catalogue.certificates["valid"]
    mistyped = c.code[:-1] + ("A" if c.code[-1] != "A" else "B")
    for path in (
        f"/qr/p/{unpublished.code}.png",
        "/qr/p/not-a-code.png",
        f"/qr/v/{mistyped}.png",
        "/qr/v/OCOP-01-2026-999999-X.svg",
        "/qr/01/8935049500019.png",  # wrong check digit
        f"/qr/san-pham/{unpublished.pk}.png",
        f"/qr/v/{c.code}.gif",
    ):
        assert anonymous.get(path).status_code == 404, path


def test_lower_case_code_redirects_to_the_canonical_qr(anonymous, catalogue) -> None:
    c = catalogue.certificates["valid"]
    response = anonymous.get(f"/qr/v/{c.code.lower()}.png")
    assert response.status_code == 301 and response["Location"] == f"/qr/v/{c.code}.png"


def test_second_request_is_served_from_the_cache(anonymous, catalogue, django_assert_max_num_queries) -> None:
    c = catalogue.certificates["valid"]
    product = catalogue.products["valid"]
    anonymous.get(f"/qr/v/{c.code}.svg")
    anonymous.get(f"/qr/p/{product.code}.svg")
    with django_assert_max_num_queries(0):
        assert anonymous.get(f"/qr/v/{c.code}.svg").status_code == 200
        assert anonymous.get(f"/qr/p/{product.code}.svg").status_code == 200


def test_a_new_gtin_changes_the_product_qr(anonymous, catalogue) -> None:
    product = make_product(catalogue.producer, name="Chè móc câu")
    make_certificate(product, star=3)
    assert decode_png(anonymous.get(f"/qr/p/{product.code}.png").content) == [f"{BASE}/p/{product.code}"]
    product.gtin = gtin_with_check("893504950002")
    product.save()  # the signals invalidate the product's cached entries
    assert decode_png(anonymous.get(f"/qr/p/{product.code}.png").content) == [
        f"{BASE}/01/{published.gtin14(product.gtin)}"
    ]
