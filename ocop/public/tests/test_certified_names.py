"""A certificate is a legal document frozen at issue: renaming the product later changes no public fact."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from ocop.certification.pdf import verification_path
from ocop.public import published

pytestmark = pytest.mark.django_db

CERTIFIED = "Gạo nếp cái hoa vàng"
RENAMED = "Gạo nếp thượng hạng mới"


@pytest.fixture
def renamed(catalogue):
    product = catalogue.products["valid"]
    product.name = RENAMED
    product.save()
    product.producer.name = "Công ty Đổi Tên"
    product.producer.save()
    cache.clear()
    return catalogue.certificates["valid"]


def test_verification_page_and_json_keep_the_certified_names(anonymous, renamed) -> None:
    html = anonymous.get(verification_path(renamed.code)).content.decode()
    assert CERTIFIED in html and "Hợp tác xã Nông sản Sạch Đông Anh" in html
    assert "Tên hiện nay" in html and RENAMED in html and "Công ty Đổi Tên" in html
    body = anonymous.get(reverse("api:public_certificate", args=[renamed.code])).json()
    assert body["product"] == CERTIFIED and body["product_current_name"] == RENAMED
    assert body["producer"] == "Hợp tác xã Nông sản Sạch Đông Anh"
    assert body["producer_current_name"] == "Công ty Đổi Tên" and body["certified_place"]


def test_unchanged_names_show_no_current_name(anonymous, catalogue) -> None:
    code = catalogue.certificates["valid"].code
    assert "Tên hiện nay" not in anonymous.get(verification_path(code)).content.decode()
    body = anonymous.get(reverse("api:public_certificate", args=[code])).json()
    assert body["product_current_name"] is None and body["producer_current_name"] is None


def test_product_page_shows_both_names(anonymous, renamed) -> None:
    html = anonymous.get(published.product_path(renamed.product)).content.decode()
    assert f"Được công nhận OCOP với tên: {CERTIFIED}" in html
    assert "Tên hiện nay" in html and RENAMED in html


def test_open_data_keeps_the_certified_name(anonymous, renamed) -> None:
    items = json.loads(anonymous.get(reverse("public:open_data_json")).content)["items"]
    row = next(item for item in items if item["certificate_code"] == renamed.code)
    assert row["product_name"] == CERTIFIED and row["product_current_name"] == RENAMED
    assert row["producer_name"] == "Hợp tác xã Nông sản Sạch Đông Anh"
    csv_text = anonymous.get(reverse("public:open_data_csv")).content.decode("utf-8-sig")
    line = next(line for line in csv_text.splitlines() if renamed.code in line)
    assert CERTIFIED in line and RENAMED in line
