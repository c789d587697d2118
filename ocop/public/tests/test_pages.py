"""Catalogue, product, producer and province pages: recognised products only, public facts only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from ocop.certification import revocation
from ocop.certification.tests.conftest import make_certificate
from ocop.core import clock
from ocop.public.published import product_path
from ocop.public.views import listings
from ocop.registry.models import Product
from ocop.registry.tests.conftest import make_producer, make_product
from ocop.reports import statistics

from .conftest import PRIVATE
from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db

CATALOGUE = "/san-pham/"


def names(html: str, catalogue) -> set[str]:
    return {key for key, product in catalogue.products.items() if product.name in html}


def test_catalogue_lists_recognised_products_only(anonymous, catalogue) -> None:
    response = anonymous.get(CATALOGUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert names(html, catalogue) == {"valid", "expired", "revoked", "superseded", "hcm"}
    assert "6 sản phẩm" not in html and "5 sản phẩm" in html
    assert 'class="ocop-sidebar' not in html and "ocop-topbar" not in html  # not the officers' shell


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "gao nep"}, {"valid"}),  # no diacritics needed
        ({"q": "GẠO Nếp"}, {"valid"}),
        ({"q": "dong anh"}, {"valid", "expired", "revoked", "superseded"}),  # the producer's name
        ({"q": PRIVATE["tax_code"]}, set()),  # never matched on the producer's tax number
        ({"province": "79"}, {"hcm"}),
        ({"sector": "II"}, set()),
        ({"sector": "I"}, {"valid", "expired", "revoked", "superseded", "hcm"}),
        ({"star": "4"}, {"valid", "revoked", "superseded"}),
        ({"star": "3"}, {"expired", "hcm"}),
        ({"status": "valid"}, {"valid", "superseded", "hcm"}),
        ({"status": "expired"}, {"expired"}),
        ({"status": "revoked"}, {"revoked"}),
        ({"province": "01", "star": "4", "status": "valid"}, {"valid", "superseded"}),
    ],
)
def test_catalogue_filters(anonymous, catalogue, query, expected) -> None:
    html = anonymous.get(CATALOGUE, query).content.decode()
    assert names(html, catalogue) == expected
    assert 'name="robots" content="noindex, follow"' in html


def test_catalogue_searches_codes(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    assert names(anonymous.get(CATALOGUE, {"q": product.code}).content.decode(), catalogue) == {"valid"}
    assert names(anonymous.get(CATALOGUE, {"q": product.gtin}).content.decode(), catalogue) == {"valid"}


def test_catalogue_pagination_and_bad_filters(anonymous, catalogue, monkeypatch) -> None:
    monkeypatch.setattr(listings, "PAGE_SIZE", 2)
    first = anonymous.get(CATALOGUE).content.decode()
    assert "Trang 1/3" in first and "page=2" in first
    last = anonymous.get(CATALOGUE, {"page": "3"}).content.decode()
    assert len(names(last, catalogue)) == 1
    assert anonymous.get(CATALOGUE, {"page": "x", "star": "9", "province": "zz"}).status_code == 200


def test_catalogue_query_counts(anonymous, catalogue, django_assert_max_num_queries) -> None:
    for product in catalogue.products.values():
        make_product(product.producer, name=f"{product.name} loại 2")  # never recognised
    # 5, and the ids a search term names read first (registry.search._listed): its units, and on
    # PostgreSQL its producers; a constant per term, whatever the number of rows
    with django_assert_max_num_queries(7 if connection.vendor == "postgresql" else 6):
        assert anonymous.get(CATALOGUE, {"province": "01", "q": "a"}).status_code == 200
    with django_assert_max_num_queries(0):
        assert anonymous.get(CATALOGUE, {"province": "01", "q": "a"}).status_code == 200


def test_product_page(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    response = anonymous.get(f"/p/{product.code}")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Gạo nếp cái hoa vàng",
        "Gạo nếp thơm dẻo.",
        "Giống lúa cổ của làng.",
        "Túi 2 kg",
        product.code,
    ):
        assert text in html
    assert catalogue.certificates["valid"].code in html and "15/GCN" in html
    assert product.commune.name in html and product.province.name in html
    assert "10/01/2025" in html and "10/01/2028" in html and "Còn hiệu lực" in html
    assert f'href="{reverse("public:producer", args=[product.producer_id])}"' in html


def test_product_page_shows_every_status(anonymous, catalogue) -> None:
    expired = anonymous.get(product_path(catalogue.products["expired"])).content.decode()
    assert "Hết hạn" in expired and "hết hiệu lực sau ngày 10/01/2026" in expired
    revoked = anonymous.get(product_path(catalogue.products["revoked"])).content.decode()
    assert "Đã bị thu hồi" in revoked and "77/QĐ-UBND" in revoked
    superseded = anonymous.get(product_path(catalogue.products["superseded"])).content.decode()
    assert "4 sao" in superseded and "Đã được thay thế" in superseded  # the old one, in the history


def test_product_page_queries(anonymous, catalogue, django_assert_max_num_queries) -> None:
    path = product_path(catalogue.products["valid"])
    with django_assert_max_num_queries(4):  # code → id, product, certificates, photos
        assert anonymous.get(path).status_code == 200
    with django_assert_max_num_queries(0):
        assert anonymous.get(path).status_code == 200


def test_unpublished_products_are_404(anonymous, catalogue) -> None:
    product = catalogue.products["unpublished"]
    assert anonymous.get(f"/p/{product.code}").status_code == 404
    assert anonymous.get(reverse("public:product_id", args=[product.pk])).status_code == 404
    assert anonymous.get("/p/khong-phai-ma").status_code == 404


def test_product_address_survives_a_rename(anonymous, catalogue, world) -> None:
    product = catalogue.products["valid"]
    path = f"/p/{product.code}"
    assert "Gạo nếp cái hoa vàng" in anonymous.get(path).content.decode()  # now cached
    product.name = "Gạo nếp cái hoa vàng Đông Anh"
    product.full_clean()
    product.save()
    html = anonymous.get(path).content.decode()
    assert "Gạo nếp cái hoa vàng Đông Anh" in html
    # A cosmetic slug redirects to the permanent address; codes written loosely are normalised.
    assert anonymous.get(f"{path}/gao-nep-cu").headers["Location"] == path
    province, commune, seq, year = product.code.split("-")
    loose = f"{int(province)}-{int(commune)}-{seq}-{year}"
    assert anonymous.get(f"/p/{loose}").headers["Location"] == path


def test_expiry_shows_without_any_edit(anonymous, catalogue, monkeypatch) -> None:
    path = product_path(catalogue.products["valid"])
    assert "Còn hiệu lực" in anonymous.get(path).content.decode()
    monkeypatch.setattr(clock, "today", lambda: dt.date(2028, 1, 11))  # the day after the last valid day
    assert "hết hiệu lực sau ngày 10/01/2028" in anonymous.get(path).content.decode()
    assert "HẾT HẠN" in anonymous.get(f"/v/{catalogue.certificates['valid'].code}").content.decode()


def test_legacy_codes(anonymous, catalogue) -> None:
    product = catalogue.products["expired"]
    product.legacy_code = "83-829-28780-3-2022"
    product.save()
    assert "Mật ong rừng" in anonymous.get("/p/83-829-28780-3-2022").content.decode()
    twin = make_product(product.producer, name="Mật ong hoa nhãn", legacy_code="83-829-28780-3-2022")
    make_certificate(twin, star=3, issue_date=product.certificates.get().issue_date)
    html = anonymous.get("/p/83-829-28780-3-2022").content.decode()
    assert "Nhiều sản phẩm mang mã" in html and "Mật ong rừng" in html and "Mật ong hoa nhãn" in html


def test_product_without_codes_lives_at_its_id(anonymous, catalogue) -> None:
    product = catalogue.products["hcm"]
    Product.objects.filter(pk=product.pk).update(code=None)  # e.g. a former commune that split
    path = reverse("public:product_id", args=[product.pk])
    assert anonymous.get(path).status_code == 200
    assert anonymous.get(f"{path}ten-cu/").headers["Location"] == path
    assert anonymous.get(reverse("public:product_id", args=[catalogue.products["valid"].pk])).headers[
        "Location"
    ] == product_path(catalogue.products["valid"])


def test_producer_page(anonymous, catalogue, django_assert_max_num_queries) -> None:
    path = reverse("public:producer", args=[catalogue.producer.pk])
    with django_assert_max_num_queries(4):
        response = anonymous.get(path)
    html = response.content.decode()
    assert response.status_code == 200 and "Hợp tác xã Nông sản Sạch Đông Anh" in html
    assert names(html, catalogue) == {"valid", "expired", "revoked", "superseded"}
    assert anonymous.get(f"{path}ten-khac/").headers["Location"] == path
    nobody = make_producer(catalogue.producer.unit, name="Chưa có sản phẩm OCOP")
    make_product(nobody)
    assert anonymous.get(reverse("public:producer", args=[nobody.pk])).status_code == 404


def test_province_pages(anonymous, catalogue, django_assert_max_num_queries) -> None:
    # The page's own queries and those of its figures (ocop.reports.statistics.snapshot: the
    # products' statement, the units' names and the producers for a province).
    with django_assert_max_num_queries(8):
        response = anonymous.get(reverse("public:province", args=["01"]))
    html = response.content.decode()
    assert response.status_code == 200 and catalogue.producer.province.name in html
    assert names(html, catalogue) == {"valid", "expired", "revoked", "superseded"}
    figures = statistics.snapshot(statistics.Scope(province=catalogue.producer.province))
    shown = dict(re.findall(r'data-figure="(\w+)"><dt>.*?</dt><dd>([\d.]+)</dd>', html))
    assert shown == {
        "ocop": "2",
        "5": "0",
        "4p": "0",
        "4": "2",
        "3": "0",
        "revoked": "1",
        "communes": str(figures.communes_with_ocop),
    }
    # Without a star: the expired product and the one never recognised (not shown publicly).
    assert figures.by_category == {"3": 0, "4": 2, "4p": 0, "5": 0, "revoked": 1, "none": 2}
    assert anonymous.get(reverse("public:province", args=["99"])).status_code == 404
    listing = anonymous.get(reverse("public:provinces")).content.decode()
    assert catalogue.producer.province.name in listing and catalogue.products["hcm"].province.name in listing


def test_revocation_through_the_workflow_shows_at_once(anonymous, catalogue, world) -> None:
    certificate = catalogue.certificates["valid"]
    page, product_page = f"/v/{certificate.code}", product_path(catalogue.products["valid"])
    api = reverse("api:public_certificate", args=[certificate.code])
    assert "HỢP LỆ" in anonymous.get(page).content.decode()
    assert anonymous.get(api).json()["status"] == "valid"
    assert "Còn hiệu lực" in anonymous.get(product_page).content.decode()
    valid_list = anonymous.get(CATALOGUE, {"status": "valid"}).content.decode()
    assert "Gạo nếp cái hoa vàng" in valid_list
    revocation.revoke(
        world.users["province_hn"],
        certificate,
        ground="đ",
        number="2000/QĐ-UBND",
        date=dt.date(2026, 11, 20),
        authority="UBND thành phố Hà Nội",
        reason="Dừng sản xuất",
    )
    html = anonymous.get(page).content.decode()
    assert "ĐÃ BỊ THU HỒI" in html and "2000/QĐ-UBND" in html and "20/11/2026" in html
    assert anonymous.get(api).json()["status"] == "revoked"
    assert "Đã bị thu hồi" in anonymous.get(product_page).content.decode()
    assert "Gạo nếp cái hoa vàng" not in anonymous.get(CATALOGUE, {"status": "valid"}).content.decode()


def test_product_page_says_where_to_buy(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    product.where_to_buy = "Điểm bán OCOP Hà Nội, 12 Phố Huế; https://shop.example.vn/gao-nep"
    product.save()
    html = anonymous.get(f"/p/{product.code}").content.decode()
    assert "Nơi bán" in html
    assert "<li>Điểm bán OCOP Hà Nội, 12 Phố Huế</li>" in html  # one place per ";" or line
    assert 'href="https://shop.example.vn/gao-nep"' in html  # web addresses become links
