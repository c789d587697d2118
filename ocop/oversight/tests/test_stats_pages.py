# ruff: noqa: F811 - the dataset fixtures come from test_stats
"""The figures' page /oversight/stats/, its XLSX export, the API and the home page's card.

Dataset: test_stats.data (Hà Nội 41/50 producers, 82 products; TP HCM 1/3).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ocop.reports import extensions as report_extensions

from .test_stats import (  # noqa: F401
    YEAR,
    Data,
    _data_of_the_module,
    data,
    fixed_today,
    make_inspection,
    make_producer,
    make_product,
    shared_data,
    world,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response) -> CalamineWorkbook:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(content))


# --- page -------------------------------------------------------------------------------------------


def test_province_page_shows_the_headline(data: Data) -> None:
    response = data.world.client("province_hn").get(reverse("oversight:stats"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "41/50 chủ thể, 82 sản phẩm" in html
    assert "thu hồi 4, đưa 2 ra khỏi chương trình" in html
    assert 'data-table="provinces"' not in html
    assert reverse("registry:import", args=["inspections"]) in html  # the history import
    # The unit selector lists the province and its communes, nothing else.
    choices = dict(response.context["form"].fields["unit"].choices)
    assert data.world.places["hn"].pk in choices and data.world.places["hn1"].pk in choices
    assert data.world.places["hcm"].pk not in choices


def test_central_page_has_the_province_table_and_narrows(data: Data) -> None:
    client = data.world.client("central")
    html = client.get(reverse("oversight:stats")).content.decode()
    assert 'data-table="provinces"' in html and 'data-province="79"' in html
    assert "42/53 chủ thể" in html
    viewer = data.world.client("viewer_hn").get(reverse("oversight:stats")).content.decode()
    assert reverse("registry:import", args=["inspections"]) not in viewer
    hn1 = data.world.places["hn1"]
    response = client.get(reverse("oversight:stats"), {"unit": hn1.pk, "year": "2026"})
    assert "25/30 chủ thể" in response.content.decode()
    # A period by dates (dd/mm/yyyy): 2025 only.
    response = client.get(reverse("oversight:stats"), {"start": "01/01/2025", "end": "31/12/2025"})
    assert "1/1 chủ thể" in response.content.decode()


def test_out_of_scope_or_bad_input_falls_back_to_the_default(data: Data) -> None:
    client = data.world.client("province_hn")
    response = client.get(reverse("oversight:stats"), {"unit": data.world.places["hcm"].pk})
    assert response.status_code == 200 and response.context["f"]["unit"]["code"] == "01"
    assert response.context["form"].errors
    response = client.get(reverse("oversight:stats"), {"start": "31/12/2026", "end": "01/01/2026"})
    assert (
        response.status_code == 200
        and "Ngày kết thúc phải từ ngày bắt đầu trở đi." in response.content.decode()
    )


@pytest.mark.parametrize(
    ("username", "status"), [("producer_hn1", 403), ("council_hn", 403), ("viewer_hn", 200)]
)
def test_who_may_see_the_page(data: Data, username: str, status: int) -> None:
    client = data.world.client(username)
    assert client.get(reverse("oversight:stats")).status_code == status
    assert client.get(reverse("oversight:stats_export")).status_code == status


def test_anonymous_is_sent_to_login(data: Data, client) -> None:
    response = client.get(reverse("oversight:stats"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_page_queries_do_not_grow(data: Data, django_assert_max_num_queries) -> None:
    client = data.world.client("central")
    client.get(reverse("oversight:stats"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("oversight:stats"))
    for index in range(4):
        producer = make_producer(data.world.places["hcm1"])
        make_inspection(
            data.hn_plan, producer, [make_product(producer)], inspected_on=dt.date(YEAR, 3, index + 1)
        )
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("oversight:stats"))


# --- export -----------------------------------------------------------------------------------------


def test_export_writes_the_figures(data: Data) -> None:
    response = data.world.client("central").get(reverse("oversight:stats_export"), {"year": "2026"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="so-lieu-kiem-tra-giam-sat-toan-quoc' in response["Content-Disposition"]
    book = workbook(response)
    summary = book.get_sheet_by_index(0).to_python()
    assert summary[1][:2] == ["Địa bàn", "Toàn quốc"]
    assert summary[2][1] == "01/01/2026 – 31/12/2026"
    lines = {(row[0], row[1]): row[2] for row in summary[5:]}
    assert lines[("Chủ thể", "Theo kế hoạch")] == 53
    assert lines[("Chủ thể", "Đã kiểm tra")] == 42
    assert lines[("Đưa ra khỏi chương trình", "Sản phẩm")] == 2
    assert lines[("Thu hồi giấy chứng nhận", "Tổng số")] == 5
    provinces = book.get_sheet_by_index(1).to_python()
    assert provinces[0][:3] == ["Tỉnh, thành phố", "Chủ thể theo kế hoạch", "Chủ thể đã kiểm tra"]
    by_name = {row[0]: row for row in provinces[1:]}
    assert by_name[data.world.places["hn"].name][1:3] == [50, 41]


def test_province_export_has_no_province_sheet(data: Data) -> None:
    response = data.world.client("province_hn").get(reverse("oversight:stats_export"))
    book = workbook(response)
    assert len(book.sheet_names) == 1
    lines = {(row[0], row[1]): row[2] for row in book.get_sheet_by_index(0).to_python()[5:]}
    assert lines[("Sản phẩm", "Đã kiểm tra")] == 82


# --- API --------------------------------------------------------------------------------------------


def test_api_returns_the_figures(data: Data) -> None:
    client = data.world.client("province_hn")
    response = client.get("/api/v1/oversight/stats")
    assert response.status_code == 200
    body = response.json()
    assert body["producers"] == {"planned": 50, "inspected": 41}
    assert body["products"]["inspected"] == 82
    assert body["start"] == "2026-01-01" and body["unit"]["code"] == "01"
    assert body["revocations"]["by_ground"]["b"] == 2 and body["by_province"] is None
    response = client.get(
        "/api/v1/oversight/stats",
        {"unit": data.world.places["hn2"].pk, "start": "2026-01-01", "end": "2026-06-30"},
    )
    assert response.json()["producers"] == {"planned": 20, "inspected": 16}


def test_api_scope_and_errors(data: Data) -> None:
    client = data.world.client("province_hn")
    assert client.get("/api/v1/oversight/stats", {"unit": data.world.places["hcm"].pk}).status_code == 403
    response = client.get("/api/v1/oversight/stats", {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 422 and "detail" in response.json()
    assert data.world.client("producer_hn1").get("/api/v1/oversight/stats").status_code == 403
    assert client.get("/api/v1/oversight/stats", {"unit": 0}).status_code == 403
    central = data.world.client("central").get("/api/v1/oversight/stats").json()
    assert {row["province"]["code"] for row in central["by_province"]} >= {"01", "79"}


# --- home page --------------------------------------------------------------------------------------


def test_home_page_card(data: Data) -> None:
    html = data.world.client("province_hn").get(reverse("core:home")).content.decode()
    assert 'data-testid="dashboard-oversight"' in html
    assert 'data-stat="oversight-producers">41/50<' in html
    assert 'data-stat="oversight-products">82/100<' in html
    assert "điểm b: 2" in html and "điểm d: 1" in html
    assert reverse("oversight:stats") in html


def test_home_page_card_is_not_for_producers(data: Data) -> None:
    html = data.world.client("producer_hn1").get(reverse("core:home")).content.decode()
    assert 'data-testid="dashboard-oversight"' not in html


def test_home_page_card_budget(data: Data, django_assert_max_num_queries) -> None:
    from ocop.accounts.models import User
    from ocop.oversight.registrations.stats import dashboard_card

    section = {s.key: s for s in report_extensions.sections.all()}["oversight"]
    user = User.objects.select_related("scope_unit").get(username="central")
    with django_assert_max_num_queries(section.queries):
        card = dashboard_card(user)
    assert card["figures"]["producers"] == {"planned": 53, "inspected": 42}
