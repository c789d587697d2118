# ruff: noqa: F811  (tests take the dashboard's `data` fixture, imported below, as their argument)
"""The province map: its asset (34 current provinces, merged along the loaded succession table,
Hoàng Sa and Trường Sa Vietnamese), the officers' page /reports/map/, the home page's map and the
public /tinh/ page, with numbers equal to the dashboard's and a fixed number of queries.

The dataset is the dashboard's (test_dashboard.data): Hà Nội p1 4★, p2 expired, p3 none, p4 3★;
TP HCM p5 5★, p7 revoked; Đồng Tháp p6 3★ (recorded at a former commune).
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocop.core import clock
from ocop.geo.models import Level, Structure, Unit, UnitSuccession
from ocop.registry.tests.conftest import communes_of
from ocop.reports import dashboard, extensions
from ocop.reports import map as province_map

from .conftest import World, make_producer, make_product
from .test_dashboard import RECENT, Data, certify, data  # noqa: F401  (the dashboard's dataset)

MAP_URL = "/reports/map/"


def current_provinces() -> dict[str, str]:
    return dict(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).values_list("code", "name")
    )


class Svg(HTMLParser):
    """The map's areas: code → (tag, class, href, title), and the label texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.areas: dict[str, dict] = {}
        self.labels: list[str] = []
        self.legend: list[str] = []
        self._area: dict | None = None
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "g") and "ocop-map-area" in (attrs.get("class") or ""):
            self._area = {"tag": tag, **attrs, "title": "", "dots": 0}
            self.areas[attrs["data-province"]] = self._area
        elif tag == "title" and self._area is not None:
            self._in = "title"
        elif tag == "circle" and self._area is not None:
            self._area["dots"] += 1
        elif tag == "text" and "ocop-map-label" in (attrs.get("class") or ""):
            self.labels.append("")
            self._in = "label"
        elif tag == "li" and "data-legend" in attrs:
            self.legend.append("")
            self._in = "legend"

    def handle_data(self, data):
        if self._in == "title":
            self._area["title"] += data
        elif self._in == "label":
            self.labels[-1] += data + " "
        elif self._in == "legend":
            self.legend[-1] += data

    def handle_endtag(self, tag):
        if tag in ("title", "text", "li"):
            self._in = None
        elif tag in ("a", "g") and self._area is not None:
            self._area = None


def table_rows(html: str, name: str) -> list[list[str]]:
    """The body rows of table `data-table=name`, cell texts normalised."""
    body = re.search(rf'data-table="{name}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(href)).query)


# --- the asset ------------------------------------------------------------------------------------


def test_asset_holds_exactly_the_34_current_provinces_of_the_loaded_units(db) -> None:
    shapes = province_map.geometry().shapes
    loaded = current_provinces()
    assert len(loaded) == 34 and set(shapes) == set(loaded)
    for code, shape in shapes.items():
        assert re.fullmatch(r"(M[\d. ]+L[\d. ]+Z)+", shape.d), code
    width, height = (float(n) for n in province_map.geometry().view_box.split()[2:])
    numbers = [float(n) for s in shapes.values() for n in re.findall(r"[\d.]+", s.d)]
    assert min(numbers) >= 0 and max(numbers) <= max(width, height)
    assert province_map.ASSET.stat().st_size < 300_000  # a few hundred KB at most
    assert (province_map.ASSET.parent / "SOURCE.md").exists()


def test_every_former_province_is_merged_into_exactly_one_current_one(db) -> None:
    shapes = province_map.geometry().shapes
    merged = Counter(former for shape in shapes.values() for former in shape.former)
    formers = set(
        Unit.objects.filter(structure=Structure.FORMER, level=Level.PROVINCE).values_list("code", flat=True)
    )
    assert len(formers) == 63 and set(merged) == formers and set(merged.values()) == {1}
    # ... and into the current province the loaded succession table names.
    successions = UnitSuccession.objects.filter(
        former__structure=Structure.FORMER, former__level=Level.PROVINCE, current__level=Level.PROVINCE
    ).values_list("former__code", "current__code")
    assert {(former, shape.code) for shape in shapes.values() for former in shape.former} == set(successions)
    assert shapes["82"].former == ("82", "87")  # Đồng Tháp = former Tiền Giang (82) + Đồng Tháp (87)


def test_hoang_sa_and_truong_sa_are_drawn_as_part_of_da_nang_and_khanh_hoa(db) -> None:
    geo = province_map.geometry()
    drawn = {key: code for key, code, _, _ in geo.archipelagos}
    special_zones = dict(
        Unit.objects.filter(
            structure=Structure.CURRENT,
            level=Level.COMMUNE,
            name__in=["Đặc khu Hoàng Sa", "Đặc khu Trường Sa"],
        ).values_list("name", "current_province__code")
    )
    assert drawn == {
        "hoang_sa": special_zones["Đặc khu Hoàng Sa"],
        "truong_sa": special_zones["Đặc khu Trường Sa"],
    }
    assert drawn == {"hoang_sa": "48", "truong_sa": "56"}
    # Their islands are dots of those provinces, far out at sea (east of 111°E on the map).
    east_of_111 = (111 - 101.8) * 34 * 0.9613
    for code in drawn.values():
        assert sum(1 for x, _ in geo.shapes[code].dots if x > east_of_111) >= 5


# --- the officers' page ---------------------------------------------------------------------------


def test_national_page_shades_the_34_provinces_each_linking_to_its_product_list(data: Data) -> None:
    response = data.world.client("central").get(MAP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    svg = Svg(html)
    names = current_provinces()
    assert set(svg.areas) == set(names)
    assert all(area["tag"] == "a" for area in svg.areas.values()) and html.count("<a href=") >= 34
    for code, area in svg.areas.items():
        assert area["href"] == f"/registry/products/?province={code}"
        assert area["title"] == area["aria-label"] and area["title"].startswith(names[code] + ": ")
    assert svg.areas["01"]["title"] == "Thành phố Hà Nội: 4 sản phẩm"
    assert svg.areas["79"]["title"] == "Thành phố Hồ Chí Minh: 2 sản phẩm"
    assert "ocop-map-zero" in svg.areas["04"]["class"]  # Cao Bằng: no product
    assert "ocop-map-b4" in svg.areas["01"]["class"]  # the most products: the darkest colour
    assert svg.legend[0] == "0"
    # The islands are labelled as Vietnamese, with their province.
    labels = " ".join(svg.labels)
    assert "Quần đảo Hoàng Sa (Đà Nẵng)" in " ".join(labels.split())
    assert "Quần đảo Trường Sa (Khánh Hòa)" in " ".join(labels.split())
    assert len(re.findall(r"<circle ", html)) == sum(area["dots"] for area in svg.areas.values()) > 10
    # Coordinates stay SVG numbers in Vietnamese (decimal comma) and English.
    assert not re.search(r'c[xy]="\d+,\d', html)
    # The table beside the map: the same numbers, ranked, all 34 provinces.
    rows = table_rows(html, "map-provinces")
    assert len(rows) == 34
    assert rows[0][:5] == ["1", "Thành phố Hà Nội", "4", "2", "0"]
    assert rows[1][:5] == ["2", "Thành phố Hồ Chí Minh", "2", "1", "1"]
    assert rows[2][0] == "3" and rows[2][1] == "Tỉnh Đồng Tháp"
    assert rows[3][0] == "4" and rows[-1][0] == "4"  # ties share their rank
    assert "chart.umd.min.js" not in html  # no JavaScript library for the map


def test_metric_values_match_the_dashboard_figures(data: Data) -> None:
    user = data.world.users["central"]
    board = {row.code: row for row in dashboard.build(user).by_province}
    page = province_map.build_page(user, province_map.PRODUCTS, clock.today())
    assert len(page.provinces) == 34
    for figures in page.provinces:
        row = board[figures.code]
        assert (figures.counts.total, figures.counts.ocop, figures.counts.five) == (
            row.total,
            row.ocop,
            row.five,
        )
        assert figures.value == row.total
    communes = Counter(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE).values_list(
            "current_province__code", flat=True
        )
    )
    per_100 = province_map.build_page(user, province_map.PER_100_COMMUNES, clock.today())
    for figures in per_100.provinces:
        assert figures.value == round(100 * board[figures.code].ocop / communes[figures.code], 1)
    five = province_map.build_page(user, province_map.FIVE_STAR, clock.today())
    assert {f.code: f.value for f in five.provinces if f.value} == {"79": 1.0}


def test_metric_switch_changes_values_legend_and_links(data: Data) -> None:
    client = data.world.client("central")
    html = client.get(MAP_URL, {"metric": "five_star"}).content.decode()
    svg = Svg(html)
    assert svg.areas["79"]["title"] == "Thành phố Hồ Chí Minh: 1 sản phẩm 5 sao"
    assert query(svg.areas["79"]["href"]) == {"province": ["79"], "star": ["5"]}
    assert 'data-metric="five_star" aria-current="page"' in html
    assert {"products", "per_100_communes", "five_star"} <= set(re.findall(r'data-metric="(\w+)"', html))

    html = client.get(MAP_URL, {"metric": "per_100_communes"}).content.decode()
    hanoi = Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE, current_province__code="01")
    expected = f"{100 * 2 / hanoi.count():.1f}".replace(".", ",")
    assert Svg(html).areas["01"]["title"] == f"Thành phố Hà Nội: {expected} sản phẩm OCOP/100 xã"
    # An unknown metric falls back to the number of products.
    assert (
        Svg(client.get(MAP_URL, {"metric": "nonsense"}).content.decode())
        .areas["01"]["title"]
        .endswith(": 4 sản phẩm")
    )


def test_province_officer_sees_the_country_with_their_province_and_its_communes(data: Data) -> None:
    client = data.world.client("province_hn")
    html = client.get(MAP_URL, {"province": "79"}).content.decode()  # another province: ignored
    svg = Svg(html)
    assert len(svg.areas) == 34
    hanoi = svg.areas.pop("01")
    assert hanoi["tag"] == "a" and "ocop-map-highlight" in hanoi["class"]
    assert hanoi["title"] == "Thành phố Hà Nội: 4 sản phẩm"
    # The other provinces: drawn, outside the account's scope, without figure or link.
    assert all(a["tag"] == "g" and "ocop-map-out" in a["class"] for a in svg.areas.values())
    assert all(a["title"].endswith(": ngoài phạm vi") for a in svg.areas.values())
    assert "Ngoài phạm vi của tài khoản" in svg.legend
    # The highlighted province is drawn last, its outline on top.
    assert re.findall(r'data-province="(\d+)"', html.split("<svg", 1)[1])[33] == "01"

    (only,) = table_rows(html, "map-provinces")
    assert only[:5] == ["1", "Thành phố Hà Nội", "4", "2", "0"]
    communes = table_rows(html, "map-communes")
    hanoi_communes = list(communes_of(data.world.places["hn"], 200))
    assert len(communes) == len(hanoi_communes)
    hn1, hn2 = data.world.places["hn1"], data.world.places["hn2"]
    # Ranked by OCOP products (the default metric's commune column is all products): hn1 has 3.
    assert communes[0][:5] == ["1", hn1.name, "3", "1", "0"]
    assert communes[1][:5] == ["2", hn2.name, "1", "1", "0"]
    assert {row[0] for row in communes[2:]} == {"3"}  # the others tie with zero products
    links = re.findall(r'data-commune="(\d+)">.*?href="([^"]+)"', html, re.S)
    assert query(dict(links)[hn1.code]) == {"province": ["01"], "commune": [hn1.code]}
    assert "Chưa có bản đồ cấp xã" in html


def test_commune_officer_sees_their_commune_only(data: Data) -> None:
    html = data.world.client("commune_hn1").get(MAP_URL).content.decode()
    svg = Svg(html)
    assert [code for code, a in svg.areas.items() if a["tag"] == "a"] == ["01"]
    assert svg.areas["01"]["title"] == "Thành phố Hà Nội: 3 sản phẩm"
    assert [row[1:5] for row in table_rows(html, "map-communes")] == [
        [data.world.places["hn1"].name, "3", "1", "0"]
    ]


def test_national_user_opens_a_provinces_communes(data: Data) -> None:
    html = (
        data.world.client("central").get(MAP_URL, {"province": "82", "metric": "five_star"}).content.decode()
    )
    svg = Svg(html)
    assert "ocop-map-highlight" in svg.areas["82"]["class"]
    assert all(a["tag"] == "a" for a in svg.areas.values())  # the whole country stays shaded
    communes = table_rows(html, "map-communes")
    p6 = data.products["p6"]
    assert p6.commune.current_province.code == "82"
    top = next(row for row in communes if row[1] == p6.commune.name)
    assert top[2:5] == ["1", "1", "0"]
    # The metric switch keeps the chosen province.
    assert 'href="/reports/map/?metric=products&amp;province=82"' in html


def test_products_without_a_current_commune_are_counted_apart(data: Data) -> None:
    producer = make_producer(data.world.places["hcm"])  # recorded at the province itself
    make_product(producer)
    html = data.world.client("province_hcm").get(MAP_URL).content.decode()
    rows = table_rows(html, "map-communes")
    assert rows[-1] == ["", "Chưa xác định xã", "1", "0", "0"]
    assert sum(int(row[2]) for row in rows) == 3  # p5, p7 and this one


def test_who_may_open_the_map(data: Data) -> None:
    assert Client().get(MAP_URL).status_code == 302
    assert data.world.client("producer_hn1").get(MAP_URL).status_code == 403
    for name in ("admin", "central", "province_hn", "commune_hn1", "council_hn", "viewer_hn"):
        assert data.world.client(name).get(MAP_URL).status_code == 200, name
    assert data.world.client("central").post(MAP_URL).status_code == 405


def test_page_runs_a_fixed_number_of_queries(world: World) -> None:
    client = world.client("central")
    communes = communes_of(world.places["hn"], 4) + communes_of(world.places["hcm"], 4)

    def grow(n: int) -> None:
        for i in range(n):
            product = make_product(make_producer(communes[i % len(communes)]))
            certify(product, 3 + i % 3, RECENT)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = [MAP_URL, MAP_URL + "?metric=per_100_communes", MAP_URL + "?province=01&metric=five_star"]
    grow(2)
    client.get(MAP_URL)
    few = [count(url) for url in urls]
    grow(20)
    assert [count(url) for url in urls] == few
    # session, user, provinces, products by province, communes per province (+ 2 for a province)
    assert few[0] <= 6 and few[2] <= few[0] + 2


@pytest.fixture
def on_track():
    calls = []

    def values(day, user):
        calls.append((day, user))
        return {Unit.objects.get(structure=Structure.CURRENT, code="01").pk: 62.5}

    registered = extensions.map_metrics.get("on_track")  # the plans app's, put back afterwards
    extensions.map_metrics.register(extensions.MapMetric("on_track", "Chỉ tiêu đạt tiến độ", "%", values))
    yield calls
    extensions.map_metrics.unregister("on_track")
    if registered is not None:
        extensions.map_metrics.register(registered)


@pytest.fixture
def without_on_track():
    registered = extensions.map_metrics.get("on_track")
    extensions.map_metrics.unregister("on_track")
    yield
    if registered is not None:
        extensions.map_metrics.register(registered)


def test_an_app_above_adds_a_metric(data: Data, on_track) -> None:
    client = data.world.client("central")
    html = client.get(MAP_URL).content.decode()
    assert 'data-metric="on_track"' in html and not on_track  # offered, not computed
    html = client.get(MAP_URL, {"metric": "on_track"}).content.decode()
    svg = Svg(html)
    assert svg.areas["01"]["title"] == "Thành phố Hà Nội: 62,5 %"
    assert svg.areas["79"]["title"] == "Thành phố Hồ Chí Minh: không có số liệu"
    assert "ocop-map-none" in svg.areas["79"]["class"] and "Không có số liệu" in svg.legend
    assert on_track[0][1] == data.world.users["central"]
    assert "Chỉ tiêu đạt tiến độ" in html and "62,5 %" in table_rows(html, "map-provinces")[0][-2]
    with pytest.raises(ValueError):
        extensions.map_metrics.register(extensions.MapMetric("products", "x", "", lambda day, user: {}))


def test_without_the_extension_there_is_no_on_track_metric(data: Data, without_on_track) -> None:
    html = data.world.client("central").get(MAP_URL, {"metric": "on_track"}).content.decode()
    assert 'data-metric="on_track"' not in html
    assert Svg(html).areas["01"]["title"].endswith(": 4 sản phẩm")


# --- the home page and the public site ------------------------------------------------------------


def test_home_page_shows_the_map_instead_of_the_province_chart_for_national_users(data: Data) -> None:
    html = data.world.client("central").get(reverse("core:home")).content.decode()
    svg = Svg(html)
    assert len([a for a in svg.areas.values() if a["tag"] == "a"]) == 34
    assert svg.areas["01"]["title"] == "Thành phố Hà Nội: 4 sản phẩm"
    assert 'data-chart="provinces"' not in html and 'data-table="provinces"' in html
    assert 'href="/reports/map/"' in html
    # A province officer has no map there (one province: the table says it all), a link to it.
    html = data.world.client("province_hn").get(reverse("core:home")).content.decode()
    assert "ocop-map-area" not in html and 'href="/reports/map/" data-map-more' in html


def test_home_page_map_adds_no_query(data: Data, django_assert_num_queries) -> None:
    """The map is drawn from the dashboard's own province rows."""
    board = dashboard.build(data.world.users["central"])
    with django_assert_num_queries(0):
        html = Template("{% load map_tags %}{% dashboard_map board %}").render(Context({"board": board}))
    assert html.count('class="ocop-map-area') == 34


def test_public_province_list_shows_the_map_linking_to_province_pages(data: Data) -> None:
    cache.clear()
    anonymous = Client()
    url = reverse("public:provinces")
    with CaptureQueriesContext(connection) as first:
        html = anonymous.get(url).content.decode()
    svg = Svg(html)
    assert len(svg.areas) == 34
    for code, area in svg.areas.items():
        assert area["href"] == f"/tinh/{code}/"
    # Valid recognised products, as in the table below the map (p1 and p4 in Hà Nội, p5 in HCM).
    assert svg.areas["01"]["title"] == "Thành phố Hà Nội: 2 sản phẩm"
    assert svg.areas["79"]["title"] == "Thành phố Hồ Chí Minh: 1 sản phẩm"
    assert "Quần đảo Hoàng Sa" in " ".join(svg.labels)
    # Inside the page cache: the second visitor costs no query for the map.
    with CaptureQueriesContext(connection) as second:
        assert anonymous.get(url).content.decode() == html
    assert len(second) < len(first) and not any("geo_unit" in q["sql"] for q in second.captured_queries)


def test_public_map_in_english(data: Data) -> None:
    cache.clear()
    html = Client(headers={"accept-language": "en"}).get(reverse("public:provinces")).content.decode()
    svg = Svg(html)
    assert svg.areas["01"]["title"] == "Thành phố Hà Nội: 2 products"
    labels = " ".join(" ".join(svg.labels).split())
    assert "Hoàng Sa archipelago (Đà Nẵng)" in labels and "Trường Sa archipelago (Khánh Hòa)" in labels
    assert not re.search(r'c[xy]="\d+,\d', html)
