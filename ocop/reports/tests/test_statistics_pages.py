"""The statistics where people read them: the dashboard (`/?date=&unit=&year=`), the API
(`/api/v1/statistics/`) and the public province page (`/tinh/<code>/?ngay=`) — scoped like
everything else, the same numbers from the same code, in a fixed number of queries.

Uses the Hà Nội history of test_statistics (11 products in Hà Nội, one in TP HCM).
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ocop.accounts.models import ApiToken, Role, User
from ocop.core import clock
from ocop.reports import dashboard, statistics
from ocop.reports.statistics import Scope

from .conftest import D, History, World, issue, make_producer, make_product, supersede
from .test_dashboard import Tables
from .test_statistics import categories


@pytest.fixture
def history(shared_history: History) -> History:
    """One history for the module's tests (reports/tests/conftest.py); none builds rows of its own."""
    return shared_history


API = "/api/v1/statistics/"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()  # the public pages' cache lives in the process (locmem) across tests


def token_client(user: User) -> Client:
    _token, key = ApiToken.issue(user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def api_get(world: World, username: str, **params: str):
    return token_client(world.users[username]).get(API, params)


def plain(data: dict) -> dict:
    return json.loads(json.dumps(data))


def years_html(client: Client, params: dict) -> str:
    """The year table the home page loads after its figures (htmx), for the same parameters."""
    response = client.get("/reports/years/", params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def star_rows(html: str) -> dict[str, str]:
    """The dashboard's star table: {label: number}."""
    return {row[0]: row[1] for row in Tables(html).tables["stars"]["rows"]}


# --- the API --------------------------------------------------------------------------------------


def test_api_answers_the_figures_of_a_day_and_the_years(history: History) -> None:
    response = api_get(history.world, "central", date="31/12/2022", unit="01")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scope"] == {"level": "province", "code": "01", "name": "Thành phố Hà Nội"}
    assert data["date"] == "2022-12-31" and data["year"] == 2022
    assert data["products"]["by_star"] == categories(three=5, four=1, potential=1, revoked=1, none=2)
    assert data["products"]["ocop"] == 7 and data["products"]["total"] == 10
    assert data["flows"] == {
        "start": "2022-01-01",
        "end": "2022-12-31",
        "new": 1,
        "reevaluated": 2,
        "upgraded": 1,
        "expired": 1,
        "revoked": 1,
    }
    assert [row["year"] for row in data["years"]] == [2018, 2019, 2020, 2021, 2022]
    assert data["years"][-1]["stock"]["by_star"] == data["products"]["by_star"]
    assert data["years"][-1]["change"]["flows"]["new"] == 1 - 4
    assert {row["code"] for row in data["by_province"]} == {"01"}
    assert len(data["by_commune"]) == data["communes"]["in_scope"]
    assert data["producers"]["cooperatives_and_enterprises_share"] == 50.0
    # ISO dates too, and a year of its own.
    again = api_get(history.world, "central", date="2022-12-31", unit="01", year="2021").json()
    assert again["products"] == data["products"] and again["year"] == 2021
    assert again["flows"]["new"] == 4 and again["years"][-1]["year"] == 2021


def test_api_and_dashboard_give_the_same_numbers_from_the_same_code(history: History) -> None:
    world = history.world
    for username, params in [
        ("central", {"date": "31/12/2022"}),
        ("central", {"date": "30/09/2022", "unit": world.places["hn2"].code, "year": "2021"}),
        ("province_hn", {"date": "31/12/2021"}),
        ("commune_hn1", {}),
    ]:
        data = api_get(world, username, **params).json()
        asked = dashboard.read_request(world.users[username], params)
        assert not asked.errors
        assert data == plain(dashboard.figures(asked.scope, asked.day, asked.year).to_dict()), username
        html = world.client(username).get("/", params).content.decode()
        shown = star_rows(html)
        labels = {row.key: row.label for row in statistics.snapshot(Scope(), D(2022, 1, 1)).by_star}
        assert {key: shown[labels[key]] for key in statistics.CATEGORIES} == {
            key: str(count) for key, count in data["products"]["by_star"].items()
        }, username
        assert 'id="dashboard-years-slot"' in html and "/reports/years/" in html
        table = Tables(years_html(world.client(username), params)).tables["years"]
        years = {int(row[0].split(" ")[0]): row for row in table["rows"]}
        assert list(years) == [row["year"] for row in data["years"]]
        for row in data["years"]:
            cells = years[row["year"]]
            assert cells[1].split(" ")[0] == str(row["stock"]["ocop"])
            assert cells[5:] == [str(row["flows"][kind]) for kind in statistics.KINDS]


@pytest.mark.parametrize(
    ("username", "params", "status", "message"),
    [
        ("province_hn", {"unit": "79"}, 403, "ngoài phạm vi"),
        ("commune_hn1", {"unit": "01"}, 403, "ngoài phạm vi"),
        ("viewer_hn1", {"unit": "01"}, 403, "ngoài phạm vi"),
        ("producer_hn1", {"unit": "01"}, 403, "ngoài phạm vi"),
        ("central", {"unit": "99999"}, 404, "Không có tỉnh/thành phố"),
        ("central", {"date": "31/02/2022"}, 422, "dd/mm/yyyy"),
        ("central", {"date": "2999-01-01"}, 422, "chưa tới"),
        ("central", {"year": "hai"}, 422, "Năm"),
        ("central", {"year": "2999"}, 422, "Năm 2999"),
    ],
)
def test_api_refusals_say_why_in_vietnamese(
    history: History, username: str, params: dict, status: int, message: str
) -> None:
    response = api_get(history.world, username, **params)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_api_scope_matrix(history: History) -> None:
    world = history.world
    world.users["producer_hn1"].producer = history.producers["P1"]
    world.users["producer_hn1"].save()
    levels = {}
    for username in (
        "admin",
        "central",
        "province_hn",
        "commune_hn1",
        "council_hn",
        "viewer_hn",
        "viewer_hn1",
        "producer_hn1",
    ):
        response = api_get(world, username, date="31/12/2022")
        assert response.status_code == 200, username
        data = response.json()
        levels[username] = (data["scope"]["level"], data["scope"]["code"], data["products"]["total"])
    hn1 = world.places["hn1"].code
    assert levels == {
        "admin": ("country", "", 11),
        "central": ("country", "", 11),
        "province_hn": ("province", "01", 10),
        "commune_hn1": ("commune", hn1, 5),
        "council_hn": ("province", "01", 10),
        "viewer_hn": ("province", "01", 10),
        "viewer_hn1": ("commune", hn1, 5),
        "producer_hn1": ("producer", "", 5),
    }
    # A province officer reads its communes; nobody reads beyond their scope.
    assert api_get(world, "province_hn", unit=world.places["hn2"].code).json()["scope"]["level"] == "commune"
    assert Client().get(API).status_code == 401
    nowhere = User.objects.create(username="nowhere", role=Role.VIEWER)
    response = token_client(nowhere).get(API)
    assert response.status_code == 403 and "phạm vi số liệu" in response.json()["detail"]


def test_api_queries_do_not_grow_with_the_data(history: History) -> None:
    client = token_client(history.world.users["central"])
    client.get(API)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(API, {"date": "31/12/2022"}).status_code == 200
        return len(queries)

    before = count()
    assert before <= 10  # token, snapshot (4), years (2)…
    for index in range(9):
        producer = make_producer(history.world.places[["hn1", "hn2", "hcm1"][index % 3]])
        for star in (3, 4, 5):
            first = issue(make_product(producer), star, D(2020, 1 + index, 5))
            supersede(first, issue(first.product, 3, D(2022, 1 + index, 6)))
    assert count() == before


# --- the dashboard ----------------------------------------------------------------------------------


def test_dashboard_as_of_a_past_day(history: History) -> None:
    client = history.world.client("province_hn")
    html = client.get("/", {"date": "30/09/2022"}).content.decode()
    assert star_rows(html) == {
        "3 sao": "4",
        "4 sao": "1",
        "4 sao tiềm năng 5 sao": "1",
        "5 sao": "0",
        "Bị thu hồi": "1",
        "Chưa có sao": "3",
        "Tổng": "10",
    }
    assert 'value="30/09/2022"' in html and "Tính đến ngày 30/09/2022." in html
    page = Tables(html + years_html(client, {"date": "30/09/2022"}))
    assert set(page.tables) == {"stars", "producers", "sectors", "provinces", "communes", "years"}
    # The comparison: five years up to the day's year, this year's flows in its row.
    years = {row[0]: row for row in page.tables["years"]["rows"]}
    assert list(years) == ["2018", "2019", "2020", "2021", "2022"]
    assert years["2022"] == ["2022", "7 (0)", "0", "1", "1", "1", "2", "1", "1", "1"]
    assert page.tables["years"]["head"][1:] == [
        "Sản phẩm OCOP cuối năm",
        "Trong đó 5 sao",
        "4 sao tiềm năng 5 sao",
        "Bị thu hồi (sản phẩm)",
        "Mới công nhận",
        "Đánh giá lại",
        "Trong đó nâng hạng",
        "Hết hạn",
        "Giấy bị thu hồi",
    ]


def test_dashboard_unit_and_year(history: History) -> None:
    world = history.world
    hn2 = world.places["hn2"]
    html = (
        world.client("central")
        .get("/", {"unit": hn2.code, "date": "2022-12-31", "year": "2021"})
        .content.decode()
    )
    assert star_rows(html)["Tổng"] == "5"
    assert f"Phạm vi số liệu: {hn2.name}, Thành phố Hà Nội." in html
    params = {"unit": hn2.code, "date": "2022-12-31", "year": "2021"}
    assert f"/reports/years/?date=2022-12-31&amp;unit={hn2.code}&amp;year=2021" in html
    years = Tables(years_html(world.client("central"), params)).tables["years"]
    assert [row[0] for row in years["rows"]] == [
        "2017",
        "2018",
        "2019",
        "2020",
        "2021",
    ]
    # The unit picker: the country, its provinces and the chosen province's communes.
    assert f'<option value="{hn2.code}" selected>' in html and '<option value="79">' in html
    province_html = world.client("province_hn").get("/").content.decode()
    assert '<option value="79">' not in province_html and f'<option value="{hn2.code}">' in province_html
    assert 'id="dashboard-unit"' not in world.client("commune_hn1").get("/").content.decode()


@pytest.mark.parametrize(
    ("username", "unit", "status"),
    [
        ("central", "79", 200),
        ("province_hn", "01", 200),
        ("province_hn", "79", 403),
        ("commune_hn1", "01", 403),
        ("viewer_hn", "79", 403),
        ("council_hn", "79", 403),
        ("producer_hn1", "01", 403),
    ],
)
def test_dashboard_unit_scope_matrix(history: History, username: str, unit: str, status: int) -> None:
    assert history.world.client(username).get("/", {"unit": unit}).status_code == status


def test_anonymous_visitors_get_the_public_home(history: History) -> None:
    response = Client().get("/", {"date": "31/12/2022"})
    assert response.status_code == 200 and 'data-table="stars"' not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date": "31/13/2022"}, "dd/mm/yyyy"),
        ({"date": "01/01/2999"}, "chưa tới"),
        ({"year": "2999"}, "Năm 2999"),
        ({"unit": "99999"}, "99999"),
    ],
)
def test_dashboard_bad_parameters_fall_back_with_a_message(
    history: History, params: dict, message: str
) -> None:
    response = history.world.client("central").get("/", params)
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(r'data-testid="dashboard-errors">(.*?)</div>', html, re.S)
    assert errors and message in errors.group(1)
    assert f"Tính đến ngày {clock.today():%d/%m/%Y}." in html


def test_dashboard_queries_do_not_grow_with_a_past_day(history: History) -> None:
    client = history.world.client("province_hn")
    client.get("/", {"date": "31/12/2022"})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get("/", {"date": "31/12/2022", "unit": history.world.places["hn1"].code}).status_code
                == 200
            )
        return len(queries)

    before = count()
    for index in range(9):
        producer = make_producer(history.world.places[["hn1", "hn2"][index % 2]])
        for star in (3, 4, 5):
            issue(make_product(producer), star, D(2021, 1 + index, 5), potential_5_star=star == 4)
    assert count() == before


# --- the public province page -------------------------------------------------------------------------


def public_figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)"><dt>.*?</dt><dd>([\d.]+)</dd>', html))


def test_public_province_page_as_of_a_day(history: History) -> None:
    anonymous = Client()
    response = anonymous.get("/tinh/01/", {"ngay": "31/12/2022"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sản phẩm OCOP tính đến ngày 31/12/2022" in html
    api = api_get(history.world, "central", unit="01", date="31/12/2022").json()
    by_star = api["products"]["by_star"]
    assert public_figures(html) == {
        "ocop": str(api["products"]["ocop"]),
        **{key: str(by_star[key]) for key in ("5", "4p", "4", "3", "revoked")},
        "communes": str(api["communes"]["with_ocop"]),
    }
    # ?date= in ISO works too, and the day is part of the cached page's variant.
    assert public_figures(
        anonymous.get("/tinh/01/", {"date": "2022-12-31"}).content.decode()
    ) == public_figures(html)
    today = public_figures(anonymous.get("/tinh/01/").content.decode())
    assert today["revoked"] == "1" and today["ocop"] == "0" != public_figures(html)["ocop"]
    earlier = public_figures(anonymous.get("/tinh/01/", {"ngay": "31/12/2021"}).content.decode())
    assert earlier["5"] == "1" and earlier["revoked"] == "0"
    with CaptureQueriesContext(connection) as queries:
        assert public_figures(
            anonymous.get("/tinh/01/", {"ngay": "31/12/2022"}).content.decode()
        ) == public_figures(html)
    assert len(queries) <= 1  # served from the page cache


@pytest.mark.parametrize("value", ["31/02/2022", "hôm qua", "01/01/2999", "<script>"])
def test_public_province_page_refuses_bad_days_clearly(history: History, value: str) -> None:
    response = Client().get("/tinh/01/", {"ngay": value})
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'data-testid="date-error">(.*?)</div>', html, re.S).group(1)
    assert "Số liệu dưới đây tính đến hôm nay." in error
    assert "<script>" not in html.split('data-testid="date-error">')[1][:300]
    assert public_figures(html) == public_figures(Client().get("/tinh/01/").content.decode())
