"""The product list API writes its page without pydantic (issue 11): the same JSON as `ProductOut`."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from ninja.responses import NinjaJSONEncoder
from PIL import Image

from ocop.geo.models import Structure, Unit
from ocop.registry.api.products import _products, product_rows
from ocop.registry.api.schemas import ProductOut
from ocop.registry.models import Product

from .conftest import World, make_producer, make_product


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def _as_json(value) -> object:
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def test_rows_equal_the_schema_for_every_kind_of_product(world: World) -> None:
    commune = world.places["hn1"]
    producer = make_producer(commune)
    plain = make_product(producer, gtin="8934567890120", where_to_buy="Chợ Đồng Xuân")
    make_product(producer, unit=world.places["hn"], description="Cấp tỉnh, không có xã", name_en="Tea")
    former = Unit.objects.filter(structure=Structure.FORMER, code="28252").first()
    if former is not None:  # a record kept under its former commune
        make_product(make_producer(former), unit=former)
    client = world.client("commune_hn1")
    response = client.post(
        reverse("registry:product_image_add", args=[plain.pk]),
        {"image": SimpleUploadedFile("a.png", _png()), "caption": "Bao bì", "position": 0},
    )
    assert response.status_code == 302

    products = list(_products().order_by("pk"))
    assert len(products) >= 3
    expected = [ProductOut.model_validate(product).model_dump() for product in products]
    keys = [product.pk for product in reversed(products)]  # the rows follow the keys' order
    rows = product_rows(_products().order_by("name"), keys)
    assert _as_json(rows) == _as_json(expected[::-1])
    assert [list(row) for row in rows] == [list(row) for row in expected]  # the schema's key order
    assert product_rows(_products(), [*keys, 10**9]) == rows  # a key gone meanwhile is left out


def test_the_list_endpoint_answers_with_those_rows(world: World, client) -> None:
    from ocop.accounts.models import ApiToken

    make_product(make_producer(world.places["hn1"]), name="Gạo nếp cái hoa vàng")
    _token, key = ApiToken.issue(world.users["central"])
    response = client.get("/api/v1/products/", {"q": "gao"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    product = Product.objects.get(name="Gạo nếp cái hoa vàng")
    assert body["count"] == 1
    assert body["items"] == _as_json([ProductOut.model_validate(_products().get(pk=product.pk)).model_dump()])


def test_a_search_pages_and_counts_in_one_reading_of_its_conditions(world: World, client) -> None:
    """With ``q`` the keys come with the number of matches (no COUNT running the search again), and
    the rows of the page are read by key without the search's conditions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ocop.accounts.models import ApiToken

    producer = make_producer(world.places["hn1"])
    for i in range(5):
        make_product(producer, name=f"Gạo tám thơm {i}")
    make_product(producer, name="Trà sen")
    _token, key = ApiToken.issue(world.users["central"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/products/", {"q": "gao tam", "limit": 2, "offset": 1}, **auth).json()
    assert body["count"] == 5 and len(body["items"]) == 2
    assert {item["name"] for item in body["items"]} <= {f"Gạo tám thơm {i}" for i in range(5)}
    searching = [
        q["sql"] for q in queries.captured_queries if "tam" in str(q["sql"]).lower() or "MATCH" in q["sql"]
    ]
    assert len([sql for sql in searching if "COUNT(" in sql.upper()]) == 1  # the keys, with their count
    # past the last match: no row carries the number, which a COUNT then gives
    body = client.get("/api/v1/products/", {"q": "gao tam", "offset": 10}, **auth).json()
    assert (body["count"], body["items"]) == (5, [])
    assert client.get("/api/v1/products/", {"q": "khong co gi"}, **auth).json() == {"items": [], "count": 0}
