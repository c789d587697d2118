"""GS1 Digital Link: /01/<GTIN>[/10/<lot>] shows the product or returns its RFC 9264 linkset."""

from __future__ import annotations

import json

import pytest

from ocop.certification.pdf import verification_path
from ocop.public import gs1
from ocop.public.published import product_path
from ocop.registry.tests.conftest import make_product

from .conftest import gtin_with_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(catalogue):
    return catalogue.products["valid"]


def test_13_and_14_digit_forms_show_the_product(anonymous, product) -> None:
    assert len(product.gtin) == 13
    for gtin in (product.gtin, "0" + product.gtin):
        response = anonymous.get(f"/01/{gtin}")
        html = response.content.decode()
        assert response.status_code == 200, gtin
        assert "Gạo nếp cái hoa vàng" in html
        assert f'<link rel="canonical" href="http://testserver{product_path(product)}">' in html
        assert 'rel="linkset"' in response["Link"] and gs1.LINKSET_TYPE in response["Link"]
        assert "Accept" in response["Vary"]
    assert anonymous.get(f"/01/0{product.gtin}/10/LOT-2026.A").status_code == 200


def test_a_wrong_check_digit_is_a_clear_404(anonymous, product) -> None:
    wrong = product.gtin[:-1] + str((int(product.gtin[-1]) + 1) % 10)
    response = anonymous.get(f"/01/{wrong}")
    html = response.content.decode()
    assert response.status_code == 404
    assert "sai chữ số kiểm tra" in html and f"chữ số cuối phải là {product.gtin[-1]}" in html
    assert anonymous.get("/01/12345").status_code == 404
    assert anonymous.get("/01/89350495000A8").status_code == 404
    assert anonymous.get(f"/01/{product.gtin}/10/{'X' * 21}").status_code == 404


def test_unknown_or_unrecognised_gtins_are_404(anonymous, catalogue) -> None:
    assert anonymous.get(f"/01/{gtin_with_check('893000000001')}").status_code == 404
    hidden = make_product(catalogue.producer, name="Chưa công nhận", gtin=gtin_with_check("893000000002"))
    assert anonymous.get(f"/01/{hidden.gtin}").status_code == 404


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({"linkType": "all"}, {}),
        ({"linkType": "linkset"}, {}),
        ({}, {"HTTP_ACCEPT": "application/linkset+json"}),
        ({}, {"HTTP_ACCEPT": "application/json"}),
    ],
)
def test_linkset(anonymous, catalogue, product, query, headers) -> None:
    response = anonymous.get(f"/01/{product.gtin}", query, **headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/linkset+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = json.loads(response.content)
    (context,) = body["linkset"]
    full = "0" + product.gtin
    assert context["anchor"] == f"http://testserver/01/{full}"
    assert context["description"] == "Gạo nếp cái hoa vàng"
    (pip,) = context[gs1.PIP]
    assert pip["href"] == f"http://testserver{product_path(product)}" and pip["type"] == "text/html"
    assert pip["hreflang"] == ["vi", "en"] and pip["title"]
    code = catalogue.certificates["valid"].code
    page, machine = context[gs1.CERTIFICATION_INFO]
    assert page["href"] == f"http://testserver{verification_path(code)}"
    assert machine["href"] == f"http://testserver/api/v1/public/certificates/{code}"
    assert machine["type"] == "application/json"
    (default,) = context[gs1.DEFAULT_LINK]
    assert default["href"] == pip["href"]
    for targets in (v for k, v in context.items() if k.startswith("https://")):
        assert all(isinstance(t, dict) and t["href"].startswith("http") for t in targets)


def test_linkset_of_a_lot(anonymous, product) -> None:
    body = anonymous.get(f"/01/{product.gtin}/10/AB%2B12%26C", {"linkType": "all"}).json()
    assert body["linkset"][0]["anchor"] == f"http://testserver/01/0{product.gtin}/10/AB%2B12%26C"
    assert anonymous.get(f"/01/{product.gtin}/10/AB 12").status_code == 404  # not a GS1 character


def test_link_types(anonymous, catalogue, product) -> None:
    code = catalogue.certificates["valid"].code
    for value in ("gs1:certificationInfo", "https://gs1.org/voc/certificationInfo"):
        response = anonymous.get(f"/01/{product.gtin}", {"linkType": value})
        assert response.status_code == 307 and response["Location"] == verification_path(code)
    assert anonymous.get(f"/01/{product.gtin}", {"linkType": "gs1:pip"}).status_code == 200
    assert anonymous.get(f"/01/{product.gtin}", {"linkType": "gs1:recallStatus"}).status_code == 404


def test_gs1_queries(anonymous, product, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(4):
        assert anonymous.get(f"/01/{product.gtin}").status_code == 200
    with django_assert_max_num_queries(0):
        assert anonymous.get(f"/01/0{product.gtin}").status_code == 200


def test_parse_gtin() -> None:
    body = "893504950001"
    good = gtin_with_check(body)
    assert gs1.parse_gtin(good) == "0" + good
    assert gs1.parse_gtin("0" + good) == "0" + good
    with pytest.raises(gs1.GtinError, match="chữ số kiểm tra"):
        gs1.parse_gtin(body + str((int(good[-1]) + 1) % 10))
    with pytest.raises(gs1.GtinError, match="8, 12, 13 hoặc 14"):
        gs1.parse_gtin("123")
    assert gs1.link_type("https://ref.gs1.org/voc/pip") == "pip" and gs1.link_type("gs1:nothing") is None
