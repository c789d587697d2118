"""The officers' scan report (/scans/) and the "Trang công khai" box of a product page: scoped
like the products, a fixed number of queries, chart data and the same numbers as a table."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from ocop.core.scoping import restrict
from ocop.public.models import ScanCount

from .conftest import TODAY

pytestmark = pytest.mark.django_db

URL = reverse("public:scan_report")


@pytest.fixture
def counts(catalogue) -> dict[str, int]:
    """Scans in Hà Nội (valid product: 7 QR + 2 web today, 4 QR five days ago; revoked: 3 web)
    and in TP HCM (hcm product: 5 API), plus an old count outside the default 30 days."""
    p, c = catalogue.products, catalogue.certificates
    rows = [
        (TODAY, "product", p["valid"].pk, "qr", 7, p["valid"]),
        (TODAY, "certificate", c["valid"].pk, "web", 2, p["valid"]),
        (TODAY - dt.timedelta(days=5), "certificate", c["valid"].pk, "qr", 4, p["valid"]),
        (TODAY - dt.timedelta(days=1), "product", p["revoked"].pk, "web", 3, p["revoked"]),
        (TODAY, "certificate", c["hcm"].pk, "api", 5, p["hcm"]),
        (TODAY - dt.timedelta(days=60), "product", p["valid"].pk, "qr", 100, p["valid"]),
    ]
    for day, kind, object_id, source, count, product in rows:
        ScanCount.objects.create(
            day=day, kind=kind, object_id=object_id, source=source, count=count, product=product
        )
    return {"hn": 16, "hcm": 5}


def total(client, **query) -> int:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.context["report"].totals["total"]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("admin", 21),
        ("central", 21),
        ("province_hn", 16),
        ("province_hcm", 5),
        ("commune_hn1", 16),  # the Hà Nội products are in hn1
        ("commune_hn2", 0),
        ("council_hn", 16),
        ("viewer_hn", 16),
        ("producer_hn1", 0),  # acts for no organisation
    ],
)
def test_each_role_sees_its_scope(world, counts, user, expected) -> None:
    assert total(world.client(user)) == expected


def test_producer_sees_its_own_products(world, catalogue, counts) -> None:
    user = world.users["producer_hn1"]
    user.producer = catalogue.producer
    user.save()
    assert total(world.client("producer_hn1")) == 16
    assert restrict(ScanCount.objects.all(), user, "view").count() == 5  # all but the HCM row
    assert restrict(ScanCount.objects.all(), user, "change").count() == 0  # nobody edits counters


def test_login_required(anonymous, counts) -> None:
    response = anonymous.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_figures_chart_and_tables(world, catalogue, counts) -> None:
    client = world.client("central")
    response = client.get(URL)
    report = response.context["report"]
    assert report.totals == {"qr": 11, "web": 5, "api": 5, "total": 21}
    assert len(report.by_day) == 30 and report.by_day[-1]["day"] == TODAY
    assert report.by_day[-1] | {} == {"day": TODAY, "qr": 7, "web": 2, "api": 5, "total": 14}
    provinces = {row["product__province__code"]: row["total"] for row in report.by_province}
    assert provinces == {"01": 16, "79": 5}
    assert report.top_products[0]["product_id"] == catalogue.products["valid"].pk
    html = response.content.decode()
    data = json.loads(html.split('id="scan-data" type="application/json">')[1].split("</script>")[0])
    assert data["labels"][-1] == TODAY.strftime("%d/%m") and [s["key"] for s in data["series"]] == [
        "qr",
        "web",
        "api",
    ]
    assert sum(data["series"][0]["values"]) == 11
    assert "vendor/chartjs/chart.umd.min.js" in html and "public/js/scans.js" in html
    assert 'data-table="days"' in html and 'data-table="provinces"' in html and "Thành phố Hà Nội" in html
    assert "<script>" not in html.split("</main>")[0].split("<main")[-1]  # no inline script (CSP)
    # A longer period reaches the old count; a source, a province narrow it.
    assert total(client, days=90) == 121
    assert total(client, source="api") == 5
    assert total(client, province="79") == 5


def test_one_product(world, catalogue, counts) -> None:
    product = catalogue.products["valid"]
    client = world.client("province_hn")
    response = client.get(URL, {"product": product.pk})
    assert response.status_code == 200 and response.context["report"].totals["total"] == 13
    assert product.name in response.content.decode()
    # Another province's product: as if it did not exist.
    assert client.get(URL, {"product": catalogue.products["hcm"].pk}).status_code == 404


def test_query_count_is_fixed(world, catalogue, counts, django_assert_max_num_queries) -> None:
    client = world.client("central")
    client.get(URL)
    with django_assert_max_num_queries(9):
        assert client.get(URL, {"days": 365}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"product": catalogue.products["valid"].pk}).status_code == 200


def test_product_page_shows_scans_and_qr_links(world, catalogue, counts) -> None:
    product = catalogue.products["valid"]
    html = world.client("province_hn").get(product.get_absolute_url()).content.decode()
    assert 'data-testid="public-panel"' in html
    assert f"/qr/p/{product.code}.svg" in html and f"/qr/p/{product.code}.png" in html
    assert f'href="/p/{product.code}"' in html
    assert f"{URL}?product={product.pk}" in html
    assert "Lượt quét (30 ngày qua)" in html and "trong đó 11 lượt quét mã QR" in html
    unpublished = catalogue.products["unpublished"]
    html = world.client("province_hn").get(unpublished.get_absolute_url()).content.decode()
    assert "Sản phẩm chưa có trên trang công khai" in html and "/qr/" not in html


def test_product_page_query_budget_holds(world, catalogue, counts, django_assert_max_num_queries) -> None:
    client = world.client("province_hn")
    product = catalogue.products["valid"]
    client.get(product.get_absolute_url())
    with django_assert_max_num_queries(20):  # the registry's budget for a product page
        assert client.get(product.get_absolute_url()).status_code == 200
