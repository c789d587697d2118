"""The public pages speak the visitor's language (the switch's cookie, else the browser's
Accept-Language), cached per language; a GTIN-13 is shown with the 13 digits printed under its
barcode (the 14-digit form is only the GS1 Digital Link address)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from ocop.public import published
from ocop.public.published import product_path

from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
VIETNAMESE = {"HTTP_ACCEPT_LANGUAGE": "vi-VN,vi;q=0.9,en;q=0.5"}


def lang(html: str) -> str:
    return re.search(r'<html lang="(\w+)"', html).group(1)


@pytest.mark.parametrize("path", ["/", "/san-pham/", "/tinh/", "/v/"])
def test_public_pages_follow_the_browser_language(anonymous, catalogue, path) -> None:
    english = anonymous.get(path, **ENGLISH)
    assert english.status_code == 200 and english["Content-Language"] == "en"
    assert lang(english.content.decode()) == "en"
    assert {"accept-language", "cookie"} <= {v.strip().lower() for v in english["Vary"].split(",")}
    # The same address right after, from a Vietnamese browser: not the cached English page.
    vietnamese = anonymous.get(path, **VIETNAMESE)
    assert vietnamese["Content-Language"] == "vi" and lang(vietnamese.content.decode()) == "vi"
    # A browser asking for neither gets Vietnamese.
    assert anonymous.get(path, HTTP_ACCEPT_LANGUAGE="fr-FR,fr")["Content-Language"] == "vi"


def test_the_home_in_english(anonymous, catalogue) -> None:
    html = anonymous.get("/", **ENGLISH).content.decode()
    assert "Tra cứu sản phẩm OCOP" not in html and "Kiểm tra" not in html


def test_the_language_switch_is_remembered_over_the_browser_language(anonymous, catalogue) -> None:
    response = anonymous.post(reverse("public:set_language"), {"language": "vi"}, HTTP_REFERER="/san-pham/")
    assert response.status_code == 302 and response["Location"] == "/san-pham/"
    cookie = anonymous.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "vi" and cookie["max-age"] == 365 * 24 * 3600  # kept after the browser closes
    for path in ("/", "/san-pham/", product_path(catalogue.products["valid"])):
        assert anonymous.get(path, **ENGLISH)["Content-Language"] == "vi", path
    anonymous.post(reverse("public:set_language"), {"language": "en"}, HTTP_REFERER="/")
    assert anonymous.get("/san-pham/", **VIETNAMESE)["Content-Language"] == "en"


def test_a_single_product_and_producer_are_named_in_the_singular(anonymous, catalogue) -> None:
    certificate = catalogue.certificates["valid"]
    html = anonymous.get(f"/v/{certificate.code}", **ENGLISH).content.decode()
    assert "<dt>Product</dt>" in html and "<dt>Producer</dt>" in html
    assert "<dt>Products</dt>" not in html and "<dt>Producers</dt>" not in html
    page = anonymous.get(product_path(catalogue.products["valid"]), **ENGLISH).content.decode()
    assert "<dt>Producer</dt>" in page
    vietnamese = anonymous.get(f"/v/{certificate.code}").content.decode()
    assert "<dt>Sản phẩm</dt>" in vietnamese and "<dt>Chủ thể</dt>" in vietnamese


def test_gtin_13_is_shown_with_13_digits(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    gtin = product.gtin
    assert len(gtin) == 13
    full = "0" + gtin
    # Product page (also reached through the GS1 Digital Link) and its JSON-LD.
    for path in (product_path(product), f"/01/{full}", f"/01/{gtin}"):
        html = anonymous.get(path).content.decode()
        assert f'<dd class="pub-code">{gtin}</dd>' in html, path
        assert full not in re.sub(r'(href|content)="[^"]*"', "", html), path  # only inside addresses
    # The verification JSON and the open data.
    code = catalogue.certificates["valid"].code
    body = anonymous.get(reverse("api:public_certificate", args=[code])).json()
    assert body["gtin"] == gtin
    rows = json.loads(anonymous.get(reverse("public:open_data_json")).content)
    rows = rows["items"] if isinstance(rows, dict) else rows
    assert {r["gtin"] for r in rows if r["product_code"] == product.code} == {gtin}
    # The Digital Link address itself keeps its canonical 14 digits.
    assert product_path(product) == f"/p/{product.code}"
    assert published.gtin14(gtin) == full


def test_a_gs1_message_shows_the_13_digits(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    html = anonymous.get(f"/01/0{product.gtin}", {"linkType": "gs1:recallStatus"}).content.decode()
    assert f"Mã GTIN {product.gtin} không có liên kết" in html


def test_gtin_shown() -> None:
    assert published.gtin_shown("08931000000115") == "8931000000115"
    assert published.gtin_shown("8931000000115") == "8931000000115"
    assert published.gtin_shown("18931000000112") == "18931000000112"  # a real GTIN-14
    assert published.gtin_shown("") == ""
