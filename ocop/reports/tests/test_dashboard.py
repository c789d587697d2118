"""Tổng quan (dashboard): right numbers for a known dataset, scoped to the user's unit, in fixed queries.

The dataset (today is the real date; certificates are valid 36 months from issue):

    Hà Nội, commune hn1   producer A (HTX)     p1 4★ valid · p2 3★ expired · p3 no certificate (B14, ngành II)
    Hà Nội, commune hn2   producer B (DN_SME)  p4 3★ valid (B21, ngành IV)
    TP HCM, commune hcm1  producer C (HO_SX)   p5 5★ valid · p7 4★ revoked
                          producer E (HTX, dissolved: not counted)
    former commune of Tiền Giang → Đồng Tháp (82)
                          producer D (THT)     p6 3★ valid (former classification only)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocop.accounts.models import Role, User
from ocop.certification.models import AuthorityLevel, Certificate, Decision, DecisionKind, RevocationGround
from ocop.core import queues
from ocop.geo.models import Level, Structure, Unit
from ocop.registry.classification import LegalBasis, ProducerType
from ocop.registry.models import Producer, ProducerStatus, Product
from ocop.reports import dashboard, extensions, statistics
from ocop.reports.statistics import levels as statistics_levels

from .conftest import World, current_unit, make_producer, make_product

TODAY = timezone.localdate()
RECENT = TODAY - dt.timedelta(days=400)  # valid for about two more years
OLD = dt.date(2021, 3, 1)  # expired in 2024


@pytest.fixture(autouse=True)
def _on_today(monkeypatch) -> None:
    """TODAY is read at import: when a run crosses midnight (Vietnam time) before a test, the test's
    records would be made on the next day, after the figures' day. The clock goes back whole days."""
    days = (timezone.localdate() - TODAY).days
    if days:
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() - dt.timedelta(days=days))


def certify(product: Product, star: int, issue: dt.date, **fields) -> Certificate:
    central = star == 5
    decision = Decision(
        number=f"{Decision.objects.count() + 1}/QĐ-UBND",
        date=issue,
        kind=DecisionKind.RECOGNITION,
        authority="Bộ Nông nghiệp và Môi trường" if central else "UBND tỉnh",
        authority_level=AuthorityLevel.CENTRAL if central else AuthorityLevel.PROVINCE,
        legal_basis=LegalBasis.QD148 if issue >= dt.date(2023, 2, 24) else LegalBasis.QD1048_781,
        province=None if central else product.province,
    )
    decision.full_clean()
    decision.save()
    certificate = Certificate(
        product=product,
        decision=decision,
        star=star,
        issue_date=issue,
        legal_basis=decision.legal_basis,
        **fields,
    )
    certificate.full_clean()
    certificate.save()
    return certificate


def former_commune_of(province_code: str) -> Unit:
    """A former commune now in `province_code` that went into exactly one current commune."""
    candidates = (
        Unit.objects.filter(
            structure=Structure.FORMER, level=Level.COMMUNE, current_province__code=province_code
        )
        .annotate(n=Count("successions"))
        .filter(n=1, successions__current__level=Level.COMMUNE)
        .order_by("code")
    )
    return candidates.first()


@dataclass
class Data:
    world: World
    products: dict[str, Product]
    former: Unit


@pytest.fixture
def data(world: World) -> Data:
    places = world.places
    a = make_producer(places["hn1"], producer_type=ProducerType.HTX)
    b = make_producer(places["hn2"], producer_type=ProducerType.DN_SME, legal_form="llc")
    c = make_producer(places["hcm1"], producer_type=ProducerType.HO_SX)
    make_producer(places["hcm1"], producer_type=ProducerType.HTX, status=ProducerStatus.DISSOLVED)
    former = former_commune_of("82")
    d = make_producer(former, producer_type=ProducerType.THT)
    products = {
        "p1": make_product(a),
        "p2": make_product(a),
        "p3": make_product(a, classification_set="B14"),
        "p4": make_product(b, classification_set="B21"),
        "p5": make_product(c),
        "p6": make_product(d, classification_set="", legacy_classification="Nhóm thực phẩm (QĐ 1048)"),
        "p7": make_product(c),
    }
    certify(products["p1"], 4, RECENT)
    certify(products["p2"], 3, OLD)
    certify(products["p4"], 3, RECENT)
    certify(products["p5"], 5, RECENT)
    certify(products["p6"], 3, RECENT)
    certify(
        products["p7"],
        4,
        RECENT,
        revoked_on=RECENT + dt.timedelta(days=30),
        revocation_ground=RevocationGround.B,
    )
    world.users["producer_hn1"].producer = a
    world.users["producer_hn1"].save()
    return Data(world, products, former)


def counts(rows) -> dict[str, int]:
    return {row.key: row.count for row in rows}


def province_rows(board: dashboard.Dashboard) -> dict[str, tuple[int, int, int, int]]:
    return {row.code: (row.three, row.four, row.five, row.unrated) for row in board.by_province}


# --- numbers --------------------------------------------------------------------------------------


def test_national_numbers(data: Data) -> None:
    board = dashboard.build(data.world.users["central"])
    assert counts(board.by_star) == {"3": 2, "4": 1, "4p": 0, "5": 1, "revoked": 1, "none": 2}
    assert board.products_total == 7 and board.products_ocop == 4

    sectors = {row.key: (row.count, row.ocop) for row in board.by_sector}
    assert sectors == {
        "I": (4, 2),
        "II": (1, 0),
        "III": (0, 0),
        "IV": (1, 1),
        "V": (0, 0),
        "VI": (0, 0),
        "": (1, 1),
    }

    # Every current province is listed (zeros included); the former-commune product is in Đồng Tháp.
    rows = province_rows(board)
    assert len(rows) == Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).count() == 34
    assert rows["01"] == (1, 1, 0, 2)
    assert rows["79"] == (0, 0, 1, 1)
    assert rows["82"] == (1, 0, 0, 0)
    assert sum(sum(r) for r in rows.values()) == 7

    assert counts(board.producers_by_type) == {
        "HTX": 1,
        "THT": 1,
        "DN_SME": 1,
        "TRANG_TRAI": 0,
        "HO_SX": 1,
        "TOURISM_ORG": 0,
    }
    assert board.producers_total == 4
    assert board.cooperatives_and_enterprises == 2
    assert board.cooperatives_and_enterprises_share == 50.0

    # hn1 (p1), hn2 (p4), hcm1 (p5) and the current commune the former one went into (p6).
    assert board.communes_with_ocop == 4
    assert (
        board.communes_in_scope
        == Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE).count()
    )


def test_former_unit_rolls_up_to_the_current_province(data: Data) -> None:
    p6 = data.products["p6"]
    assert p6.unit == data.former and p6.province.code == "82" and p6.commune is not None
    officer = User.objects.create(username="dong_thap", role=Role.PROVINCE, scope_unit=current_unit("82"))
    board = dashboard.build(officer)
    assert counts(board.by_star) == {"3": 1, "4": 0, "4p": 0, "5": 0, "revoked": 0, "none": 0}
    assert province_rows(board) == {"82": (1, 0, 0, 0)}
    assert board.communes_with_ocop == 1
    assert counts(board.producers_by_type)["THT"] == 1 and board.producers_total == 1


def test_expired_and_revoked_certificates_give_no_star(data: Data) -> None:
    products = Product.objects.with_current_star().in_bulk([p.pk for p in data.products.values()])
    stars = {name: products[p.pk].current_star for name, p in data.products.items()}
    assert stars == {"p1": 4, "p2": None, "p3": None, "p4": 3, "p5": 5, "p6": 3, "p7": None}


def test_star_counts_agree_with_the_evaluation_modules_current_star(world: World) -> None:
    """The dashboard's set-based star must be Product.current_star, also for upgrades and overlaps."""
    producer = make_producer(world.places["hn1"])
    upgraded, overlapping, superseded_only, later_lower = (make_product(producer) for _ in range(4))
    old = certify(upgraded, 3, RECENT)
    old.superseded_by = certify(upgraded, 4, RECENT + dt.timedelta(days=60))
    old.save()
    certify(overlapping, 3, RECENT)  # two valid certificates, no supersession link: the higher counts
    certify(overlapping, 4, RECENT + dt.timedelta(days=10))
    first = certify(superseded_only, 4, OLD)
    first.superseded_by = certify(superseded_only, 3, RECENT)
    first.save()
    certify(later_lower, 5, RECENT)
    certify(later_lower, 3, RECENT + dt.timedelta(days=20))
    expected = Counter(
        star if star is not None else "none"
        for star in Product.objects.with_current_star().values_list("current_star", flat=True)
    )
    board = dashboard.build(world.users["central"])
    zeros = {3: 0, 4: 0, "4p": 0, 5: 0, "revoked": 0, "none": 0}
    assert counts(board.by_star) == {str(k): v for k, v in {**zeros, **expected}.items()}
    assert counts(board.by_star) == {"3": 1, "4": 2, "4p": 0, "5": 1, "revoked": 0, "none": 0}


def test_commune_officer_counts_only_their_commune(data: Data) -> None:
    board = dashboard.build(data.world.users["commune_hn1"])
    assert counts(board.by_star) == {"3": 0, "4": 1, "4p": 0, "5": 0, "revoked": 0, "none": 2}
    assert province_rows(board) == {"01": (0, 1, 0, 2)}
    assert counts(board.producers_by_type)["HTX"] == 1 and board.producers_total == 1
    assert board.cooperatives_and_enterprises_share == 100.0
    assert (board.communes_with_ocop, board.communes_in_scope) == (1, 1)


def test_province_officer_counts_only_their_province(data: Data) -> None:
    board = dashboard.build(data.world.users["province_hn"])
    assert counts(board.by_star) == {"3": 1, "4": 1, "4p": 0, "5": 0, "revoked": 0, "none": 2}
    assert province_rows(board) == {"01": (1, 1, 0, 2)}
    assert {row.key: row.count for row in board.producers_by_type if row.count} == {"HTX": 1, "DN_SME": 1}
    hanoi_communes = Unit.objects.filter(
        structure=Structure.CURRENT, level=Level.COMMUNE, current_province=data.world.places["hn"]
    ).count()
    assert (board.communes_with_ocop, board.communes_in_scope) == (2, hanoi_communes)
    # Council and viewer accounts of the province see the same figures.
    assert counts(dashboard.build(data.world.users["council_hn"]).by_star) == counts(board.by_star)


def test_producer_sees_their_own_organisation(data: Data) -> None:
    board = dashboard.build(data.world.users["producer_hn1"])
    assert counts(board.by_star) == {"3": 0, "4": 1, "4p": 0, "5": 0, "revoked": 0, "none": 2}
    assert board.producers_total == 1
    assert board.communes_in_scope is None  # "communes of an organisation" means nothing


def test_producer_account_without_organisation_sees_nothing(data: Data) -> None:
    user = User.objects.create(username="lonely", role=Role.PRODUCER, scope_unit=data.world.places["hn1"])
    board = dashboard.build(user)
    assert board.products_total == 0 and board.producers_total == 0 and board.by_province == []


# --- page -----------------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Tables of a page: caption, column headers (with scope), row headers and cells, by data-table."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table: dict | None = None
        self._cell: list[str] | None = None
        self._row: list[tuple[str, dict, str]] | None = None
        self._tag: tuple[str, dict] | None = None
        self._in_caption = False
        self.json_blocks: dict[str, str] = {}
        self._json: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = {"caption": "", "head": [], "rows": []}
            self.tables[attrs["data-table"]] = self._table
        elif self._table is not None and tag == "caption":
            self._in_caption = True
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._table is not None and tag in ("th", "td"):
            self._tag, self._cell = (tag, attrs), []
        elif tag == "script" and attrs.get("type") == "application/json":
            self._json = attrs["id"]
            self.json_blocks[self._json] = ""

    def handle_data(self, data):
        if self._in_caption:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)
        elif self._json is not None:
            self.json_blocks[self._json] += data

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append((self._tag[0], self._tag[1], " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if all(kind == "th" and attrs.get("scope") == "col" for kind, attrs, _ in self._row):
                self._table["head"] = [text for _, _, text in self._row]
            else:
                assert self._row[0][0] == "th" and self._row[0][1].get("scope") == "row", self._row
                self._table["rows"].append([text for _, _, text in self._row])
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "script":
            self._json = None


def test_page_shows_tables_with_headers_and_vietnamese_numbers(data: Data) -> None:
    response = data.world.client("central").get(reverse("core:home"))
    assert response.status_code == 200
    page = Tables(response.content.decode())
    assert set(page.tables) == {"stars", "producers", "sectors", "provinces"}  # years: loaded after
    years = data.world.client("central").get(reverse("reports:years"), HTTP_HX_REQUEST="true")
    assert "<html" not in years.content.decode()  # the fragment the page swaps in
    page.tables.update(Tables(years.content.decode()).tables)
    assert "years" in page.tables
    full = data.world.client("central").get(reverse("reports:years"))  # without JavaScript: a page
    assert "<html" in full.content.decode() and 'data-table="years"' in full.content.decode()
    for table in page.tables.values():
        assert table["caption"].strip() and table["head"]

    stars = page.tables["stars"]
    assert stars["head"] == ["Hạng sao", "Số sản phẩm"]
    assert stars["rows"] == [
        ["3 sao", "2"],
        ["4 sao", "1"],
        ["4 sao tiềm năng 5 sao", "0"],
        ["5 sao", "1"],
        ["Bị thu hồi", "1"],
        ["Chưa có sao", "2"],
        ["Tổng", "7"],
    ]

    sectors = page.tables["sectors"]
    assert sectors["head"] == ["Ngành", "Số sản phẩm", "Trong đó sản phẩm OCOP"]
    assert sectors["rows"][0] == ["I. Thực phẩm", "4", "2"]
    assert sectors["rows"][-1] == ["Tổng", "7", "4"]

    provinces = page.tables["provinces"]
    assert provinces["head"] == [
        "Tỉnh, thành phố",
        "3 sao",
        "4 sao",
        "4 sao tiềm năng 5 sao",
        "5 sao",
        "Bị thu hồi",
        "Chưa có sao",
        "Tổng",
    ]
    assert ["Thành phố Hà Nội", "1", "1", "0", "0", "0", "2", "4"] in provinces["rows"]
    assert ["Thành phố Hồ Chí Minh", "0", "0", "0", "1", "1", "0", "2"] in provinces["rows"]
    assert len(provinces["rows"]) == 34

    producers = page.tables["producers"]
    assert producers["head"] == ["Loại hình chủ thể", "Số chủ thể", "Có sản phẩm OCOP"]
    assert ["Hợp tác xã", "1", "1"] in producers["rows"] and producers["rows"][-1] == ["Tổng", "4", "4"]

    html = response.content.decode()
    # 3.321 communes nationwide: Vietnamese thousands separator; 50,0 % of producers are HTX or DN.
    communes = Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE).count()
    assert communes > 999
    assert f"{communes:,}".replace(",", ".") in html
    assert re.search(r'data-stat="htx-dn">\s*50,0 %', html)


def test_chart_data_is_valid_json_and_matches_the_tables(data: Data) -> None:
    response = data.world.client("province_hn").get(reverse("core:home"))
    page = Tables(response.content.decode())
    charts = json.loads(page.json_blocks["dashboard-data"])
    assert charts["stars"] == {
        "labels": ["3 sao", "4 sao", "4 sao tiềm năng 5 sao", "5 sao", "Bị thu hồi", "Chưa có sao"],
        "values": [1, 1, 0, 0, 0, 2],
    }
    assert charts["provinces"]["labels"] == ["Thành phố Hà Nội"]
    assert [s["values"] for s in charts["provinces"]["series"]] == [[1], [1], [0], [0], [0], [2]]
    assert charts["producers"]["values"][charts["producers"]["labels"].index("Hợp tác xã")] == 1
    assert len(charts["sectors"]["labels"]) == 6
    html = response.content.decode()
    # Chart.js only on this page, from the vendored file; charts are hidden from assistive technology.
    assert "vendor/chartjs/chart.umd.min.js" in html and "core/js/dashboard.js" in html
    assert re.search(r'<canvas id="chart-stars" data-chart="stars" aria-hidden="true">', html)
    # One province: no province chart, the table says it all.
    assert 'data-chart="provinces"' not in html


def test_other_pages_do_not_load_chartjs(data: Data) -> None:
    html = data.world.client("central").get(reverse("registry:product_list")).content.decode()
    assert "chart.umd.min.js" not in html


def test_commune_officer_page_counts_only_their_commune(data: Data) -> None:
    page = Tables(data.world.client("commune_hn1").get(reverse("core:home")).content.decode())
    assert page.tables["stars"]["rows"][-1] == ["Tổng", "3"]
    assert page.tables["provinces"]["rows"] == [["Thành phố Hà Nội", "0", "1", "0", "0", "0", "2", "3"]]
    assert page.tables["communes"]["rows"] == [["Phường Ba Đình", "0", "1", "0", "0", "0", "2", "3"]]


def test_empty_database_shows_zeros(world: World) -> None:
    response = world.client("admin").get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    page = Tables(html)
    assert page.tables["stars"]["rows"] == [
        ["3 sao", "0"],
        ["4 sao", "0"],
        ["4 sao tiềm năng 5 sao", "0"],
        ["5 sao", "0"],
        ["Bị thu hồi", "0"],
        ["Chưa có sao", "0"],
        ["Tổng", "0"],
    ]
    assert page.tables["producers"]["rows"][-1] == ["Tổng", "0", "0"]
    assert all(row[1:] == ["0"] * 7 for row in page.tables["provinces"]["rows"])
    assert re.search(r'data-stat="htx-dn">\s*—', html)
    assert "<canvas" not in html  # nothing to draw
    assert json.loads(page.json_blocks["dashboard-data"])["stars"]["values"] == [0] * 6


def test_scoped_account_without_unit_gets_an_empty_dashboard(world: World) -> None:
    user = User.objects.create(username="nowhere", role=Role.VIEWER)
    board = dashboard.build(user)
    assert board.products_total == 0 and board.communes_in_scope == 0 and board.by_province == []


# --- queries --------------------------------------------------------------------------------------


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:home")).status_code == 200
    return len(queries)


def test_query_count_is_fixed_whatever_the_data_size(data: Data, django_assert_max_num_queries) -> None:
    client = data.world.client("central")
    # The page's 12 (session, user, notifications; the snapshot's 3 or 4, the years table's 2, the unit
    # picker's 1; room to spare), one aggregate per item of the role's "Việc cần làm"
    # (ocop.core.queues) and the budgets of the sections apps above add (ocop.reports.extensions).
    with django_assert_max_num_queries(
        12 + len(queues.providers.for_role("central")) + extensions.sections.query_budget()
    ):
        client.get(reverse("core:home"))
    before = _home_queries(client)
    # Ten times more products, producers and certificates in more places: the same number of queries.
    for index, place in enumerate(["hn1", "hn2", "hcm1"] * 4):
        producer = make_producer(data.world.places[place], producer_type=list(ProducerType)[index % 5])
        for star in (3, 4, 5):
            certify(make_product(producer), star, RECENT)
    assert Product.objects.count() > 40
    assert _home_queries(client) == before
    province_client = data.world.client("province_hn")
    with django_assert_max_num_queries(
        12 + len(queues.providers.for_role("province")) + extensions.sections.query_budget()
    ):
        province_client.get(reverse("core:home"))


def test_dashboard_build_queries(data: Data, django_assert_max_num_queries) -> None:
    user = User.objects.select_related("scope_unit").get(username="province_hn")
    with django_assert_max_num_queries(5):
        dashboard.build(user)
    producer_user = User.objects.select_related("scope_unit").get(username="producer_hn1")
    with django_assert_max_num_queries(4):
        dashboard.build(producer_user)


def test_producer_share_rounding() -> None:
    """The share of HTX + DN is among the producers with an OCOP product, to one decimal."""
    board = dashboard.Dashboard(
        scope=statistics.Scope(),
        day=TODAY,
        by_star=[],
        by_sector=[],
        by_province=[],
        by_commune=[],
        producers_by_type=[
            dashboard.Row("HTX", "Hợp tác xã", 2, 1),
            dashboard.Row("DN_SME", "Doanh nghiệp", 1, 1),
            dashboard.Row("HO_SX", "Hộ", 5, 1),
        ],
        communes_with_ocop=0,
        communes_in_scope=0,
    )
    assert board.cooperatives_and_enterprises_share == 66.7
    assert (board.producers_total, board.producers_ocop, board.cooperatives_and_enterprises) == (8, 3, 2)


def test_dissolved_producers_are_not_counted(data: Data) -> None:
    assert Producer.objects.filter(status=ProducerStatus.DISSOLVED).count() == 1
    board = dashboard.build(data.world.users["commune_hcm1"])
    assert counts(board.producers_by_type) == {**dict.fromkeys(map(str, ProducerType), 0), "HO_SX": 1}
    # The whole country counts its producers in the products' statement: the same rule.
    country = dashboard.build(data.world.users["central"])
    assert country.producers_total == Producer.objects.exclude(status=ProducerStatus.DISSOLVED).count()


@pytest.mark.parametrize("username", ["central", "province_hn", "commune_hn1", "producer_hn1"])
def test_every_scope_takes_the_same_queries_whatever_the_data_size(data: Data, username: str) -> None:
    """Central, province, commune and producer dashboards: the page's query count does not grow."""
    client = data.world.client(username)
    client.get(reverse("core:home"))  # session and caches warm
    before = _home_queries(client)
    producer = data.world.users["producer_hn1"].producer
    for index, place in enumerate(["hn1", "hn2", "hcm1"] * 3):
        other = make_producer(data.world.places[place], producer_type=list(ProducerType)[index % 5])
        for star in (3, 4, 5):
            certify(make_product(other), star, RECENT)
        certify(make_product(producer), 3 + index % 3, RECENT)
    assert _home_queries(client) == before


def test_product_counts_are_one_query_on_indexes(data: Data) -> None:
    """The products' figures are one statement whose plan reads the certificates' index."""
    scope = statistics.Scope(province=data.world.places["hn"])
    with CaptureQueriesContext(connection) as queries:
        counts = statistics_levels._count_products(scope, TODAY)
    assert len(queries) == 1
    assert counts["communes"] == 2
    assert sum(n for _p, _c, n in counts["province"]) == sum(n for _s, _c, n in counts["set"]) == 4
    assert sum(n for _u, _c, n in counts["commune"]) == 4
    if connection.vendor != "sqlite":
        return  # PostgreSQL picks sequential scans on tables this small (plans: docs/indexes.md)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + queries[0]["sql"])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "evaluation_cert_valid" in plan
