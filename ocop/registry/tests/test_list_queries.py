"""The registry lists run the same queries whatever the number of rows, and show the labels of
the active language (choice labels come from a per-language cache, ocop.core.choices)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from ocop.registry.classification import ProductStatus
from ocop.registry.models import ChangeRequest, Product

from .conftest import communes_of, make_producer, make_product


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def assert_constant(client: Client, url: str, grow: Callable[[int], None]) -> None:
    """The same number of queries with 3 rows and with 60 (more than a page of 50)."""
    grow(3)
    client.get(url)  # warm the per-process caches (labels, templates)
    few = count_queries(client, url)
    grow(57)
    assert count_queries(client, url) == few


def _grow_products(world) -> Callable[[int], None]:
    communes = communes_of(world.places["hn"], 10)

    def grow(n: int) -> None:
        for i in range(n):
            producer = make_producer(communes[i % len(communes)])
            make_product(producer, unit=communes[(i + 1) % len(communes)])

    return grow


@pytest.mark.parametrize(
    "url",
    [
        "/registry/products/",
        "/registry/products/?sort=-code",
        "/registry/producers/",
        "/registry/producers/?sort=-product_count",
    ],
)
def test_registry_lists_query_count_does_not_grow_with_rows(world, url) -> None:
    assert_constant(world.client("central"), url, _grow_products(world))


def test_change_request_list_query_count_does_not_grow_with_rows(world) -> None:
    communes = communes_of(world.places["hn"], 5)
    requester = world.users["producer_hn1"]

    def grow(n: int) -> None:
        for i in range(n):
            product = make_product(make_producer(communes[i % len(communes)]))
            ChangeRequest.objects.create(
                product=product, changes={"name": f"Tên mới {i}"}, reason="Đổi tên", requested_by=requester
            )

    assert_constant(world.client("central"), "/registry/change-requests/", grow)


def test_producer_list_counts_products_of_the_shown_rows(world) -> None:
    hn1 = world.places["hn1"]
    busy, idle = make_producer(hn1, name="HTX Ba sản phẩm"), make_producer(hn1, name="HTX Chưa có")
    for _ in range(3):
        make_product(busy)
    client = world.client("central")
    for url in ("/registry/producers/", "/registry/producers/?sort=-product_count"):
        rows = {
            row.record.pk: row.record.product_count
            for row in client.get(url).context["table"].page.object_list
        }
        assert rows[busy.pk] == 3
        assert rows[idle.pk] == 0
    ordered = client.get("/registry/producers/?sort=-product_count").context["table"].page.object_list
    assert [row.record.pk for row in ordered][0] == busy.pk


@pytest.mark.parametrize(("language", "former"), [("vi", "đơn vị cũ"), ("en", "former unit")])
def test_product_list_labels_in_the_active_language(
    world, former_province_tien_giang, language, former
) -> None:
    hn1 = world.places["hn1"]
    producer = make_producer(hn1)
    make_product(producer, name="Chè búp")
    make_product(producer, name="Xoài cát", unit=former_province_tien_giang)
    client = world.client("central")
    client.get("/registry/products/")  # the labels cached in Vietnamese first
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/registry/products/").content.decode()
    product = Product.objects.with_programme_status().get(name="Chè búp")
    with translation.override(language):  # what Django itself says, without the cache
        set_label = escape(product.get_classification_set_display())
        status_label = escape(str(ProductStatus(product.programme_status).label))
    assert f'<span title="{set_label}">B07</span>' in html
    assert f"<td >{status_label}</td>" in html
    assert f"<td >{hn1.short_name}, {hn1.current_province.short_name}</td>" in html
    province = former_province_tien_giang.current_province or former_province_tien_giang
    assert f"{former_province_tien_giang.name} ({former}), " in html
    assert province.short_name in html
    if language == "en":
        assert "Đang" not in status_label
