"""The plans pages as officers use them: entering a plan and its targets, seeing live progress and
the records behind each number, the roll-up of lower plans, exports, history; query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ocop.plans.models import ManualValue, Plan, PlanLevel, Target

from .conftest import TODAY, Data, make_plan, make_target

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_of(html: str, code: str) -> str:
    match = re.search(rf'<tr id="target-\d+" data-target="{code}".*?</tr>', html, re.S)
    assert match, code
    return match.group(0)


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the check -------------------------------------------------------------------------------


def test_a_province_enters_its_plan_and_sees_progress_and_the_products_behind(data: Data) -> None:
    """Hà Nội enters its 2026–2030 plan with a target of 3 % 5★ and ≥ 70 % cooperatives and
    enterprises, and sees its current values, on-track flags and the products behind each number."""
    client = data.world.client("province_hn")
    hn = data.places["hn"]
    response = client.post(
        reverse("plans:plan_add"),
        {
            "unit": str(hn.pk),
            "title": "Kế hoạch thực hiện Chương trình OCOP giai đoạn 2026–2030",
            "start_year": "2026",
            "end_year": "2030",
            "document_number": "125/KH-UBND",
            "document_date": "15/03/2026",
            "document_issuer": "UBND thành phố Hà Nội",
            "budget": "12000000000",
            "_reason": "Kế hoạch được UBND thành phố ban hành",
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert (plan.level, plan.province, plan.commune, plan.created_by) == (
        PlanLevel.PROVINCE,
        hn,
        None,
        data.world.users["province_hn"],
    )
    assert plan.history.get().history_change_reason == "Kế hoạch được UBND thành phố ban hành"
    for indicator, value in (("share_5_star", "3"), ("share_cooperatives_enterprises", "70")):
        response = client.post(
            reverse("plans:target_add", args=[plan.pk]),
            {"indicator": indicator, "value": value, "deadline": "31/12/2030", "_reason": "Theo kế hoạch"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert plan.targets.count() == 2

    html = html_of(client.get(plan.get_absolute_url()))
    five = row_of(html, "share_5_star")
    assert 'data-value="current">16,67 %' in five  # 1 of the 6 OCOP products
    assert 'data-flag="on-track"' in five  # above its target already
    cooperatives = row_of(html, "share_cooperatives_enterprises")
    assert 'data-value="current">66,67 %' in cooperatives  # 2 of 3 producers
    assert "50 %" in cooperatives  # the baseline on 01/01/2026: 2 of 4
    assert 'data-flag="on-track"' in cooperatives  # ahead of the line from 50 % to 70 %
    assert 'data-value="share">95,2 %' in cooperatives

    # The products behind the 5★ share: the six OCOP products, the 5★ one marked.
    target = plan.targets.get(indicator="share_5_star")
    link = reverse("plans:target_records", args=[target.pk])
    assert link in five
    records = html_of(client.get(link, {"day": "23/11/2026"}))
    assert 'data-count="6"' in records
    assert records.count("<tr data-record=") == 6
    five_star = data.products["five"]
    assert re.search(rf'<tr data-record="{five_star.pk}">\s*<td data-counted="1">', records)
    assert reverse("registry:product_detail", args=[five_star.pk]) in records
    assert "Mứt sen" not in records and "Miến dong" not in records  # removed, revoked
    # And the producers behind the cooperatives' share: 3, two of them counted.
    target = plan.targets.get(indicator="share_cooperatives_enterprises")
    records = html_of(client.get(reverse("plans:target_records", args=[target.pk])))
    assert records.count('data-counted="1"') == 2 and records.count('data-counted="0"') == 1
    assert reverse("registry:producer_detail", args=[data.producers["ho_hn1"].pk]) in records


# --- progress --------------------------------------------------------------------------------------


def test_progress_rows_flags_and_a_day_in_the_past(data: Data) -> None:
    plan = make_plan(province=data.places["hn"])
    make_target(plan, "products_recognised", 12)
    make_target(plan, "revocations", 0)
    make_target(plan, "new_products", 40)
    client = data.world.client("viewer_hn")
    html = html_of(client.get(plan.get_absolute_url()))
    recognised = row_of(html, "products_recognised")
    # Baseline 6 on 01/01/2026, 6 today, the line at ~7.1 by now (to 12 at the end of 2030).
    assert 'data-value="current">6<' in recognised and 'data-flag="behind"' in recognised
    revocations = row_of(html, "revocations")
    assert "≤ 0" in revocations and 'data-flag="behind"' in revocations  # one revoked: over the cap
    new = row_of(html, "new_products")
    assert 'data-value="current">1<' in new
    # As of 31/03/2026 nothing was revoked yet: within the cap.
    html = html_of(client.get(plan.get_absolute_url(), {"day": "31/03/2026"}))
    assert 'data-flag="on-track"' in row_of(html, "revocations")
    assert "31/03/2026" in html
    # No edit buttons for a viewer.
    assert reverse("plans:plan_edit", args=[plan.pk]) not in html


def test_a_manual_indicator_on_the_page(data: Data) -> None:
    p = data.places
    plan = make_plan(province=p["hn"])
    make_target(plan, "training_classes", 40)
    html = html_of(data.world.client("province_hn").get(plan.get_absolute_url()))
    row = row_of(html, "training_classes")
    assert 'data-value="current">—' in row and 'data-flag="unknown"' in row
    ManualValue.objects.create(
        indicator="training_classes",
        level="commune",
        province=p["hn"],
        commune=p["hn1"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        value=6,
    )
    html = html_of(data.world.client("province_hn").get(plan.get_absolute_url()))
    row = row_of(html, "training_classes")
    # 6 classes by 23/11/2026, the line from 0 to 40 at the end of 2030 is at 7.1: behind.
    assert 'data-value="current">6<' in row and 'data-flag="behind"' in row and 'data-current="6.0"' in row
    records = html_of(
        data.world.client("province_hn").get(reverse("plans:target_records", args=[plan.targets.get().pk]))
    )
    assert 'data-count="1"' in records and p["hn1"].name in records


def test_the_progress_export(data: Data) -> None:
    plan = make_plan(province=data.places["hn"])
    make_target(plan, "share_5_star", 3)
    make_target(plan, "communes_with_ocop", 10)
    client = data.world.client("province_hn")
    response = client.get(reverse("plans:plan_progress_export", args=[plan.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(content(response).decode("utf-8-sig"))))
    by_code = {row["Mã chỉ tiêu"]: row for row in rows}
    assert by_code["share_5_star"]["Giá trị hiện tại"] == "16.67"
    assert by_code["communes_with_ocop"]["Giá trị hiện tại"] == "2.0"
    assert by_code["communes_with_ocop"]["Đúng tiến độ"] == "Không"
    response = client.get(
        reverse("plans:plan_progress_export", args=[plan.pk, "xlsx"]), {"day": "01/06/2026"}
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content(response))).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "Mã kế hoạch" and len(sheet) == 3
    assert "01/06/2026" in sheet[1]
    assert client.get(reverse("plans:plan_progress_export", args=[plan.pk, "pdf"])).status_code == 404
    assert (
        data.world.client("province_hcm")
        .get(reverse("plans:plan_progress_export", args=[plan.pk, "csv"]))
        .status_code
        == 404
    )


# --- roll-up ---------------------------------------------------------------------------------------


def test_a_province_plan_rolls_up_its_communes_plans(data: Data) -> None:
    p = data.places
    plan = make_plan(province=p["hn"])
    commune_plan = make_plan(
        level=PlanLevel.COMMUNE, province=p["hn"], commune=p["hn2"], title="Kế hoạch xã 2"
    )
    make_target(commune_plan, "products_recognised", 3)
    make_target(commune_plan, "share_5_star", 40)
    make_plan(
        level=PlanLevel.COMMUNE,
        province=p["hn"],
        commune=p["hn1"],
        title="Cũ",
        start_year=2021,
        end_year=2025,
    )
    html = html_of(data.world.client("province_hn").get(plan.get_absolute_url()))
    section = html[html.index('id="rollup"') :]
    assert f'data-child-plan="{commune_plan.pk}"' in section
    assert "Cũ" not in section  # 2021–2025 does not overlap 2026–2030
    # hn2: 2 OCOP products (target 3, baseline 2 → behind the line? 2 < 2.18), 5★ 50 % (≥ 40 %).
    assert 'data-on-track="1/2"' in section
    assert p["hn1"].name in section  # among the communes without a plan
    # A commune sees its own plan, without a roll-up.
    html = html_of(data.world.client("commune_hn2").get(commune_plan.get_absolute_url()))
    assert 'id="rollup"' not in html


def test_the_country_plan_lists_provinces_plans_and_those_without(data: Data) -> None:
    p = data.places
    country = make_plan(level=PlanLevel.COUNTRY, title="Chương trình OCOP quốc gia 2026–2030")
    province = make_plan(province=p["hn"])
    make_target(province, "products_recognised", 5)
    html = html_of(data.world.client("central").get(country.get_absolute_url()))
    section = html[html.index('id="rollup"') :]
    assert f'data-child-plan="{province.pk}"' in section and 'data-on-track="1/1"' in section
    assert 'data-uncovered="33"' in section  # 34 provinces, Hà Nội has a plan
    assert p["hcm"].name in section


# --- list, export, history -----------------------------------------------------------------------


def test_the_list_its_filters_export_and_uncovered_units(data: Data) -> None:
    p = data.places
    hn = make_plan(province=p["hn"], title="Kế hoạch Hà Nội", document_number="125/KH-UBND")
    make_target(hn, "share_5_star", 3)
    make_plan(province=p["hcm"], title="Kế hoạch TP HCM")
    make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=p["hn1"], title="Kế hoạch xã Một")
    central = data.world.client("central")
    html = html_of(central.get(reverse("plans:plan_list")))
    assert "Kế hoạch Hà Nội" in html and "Kế hoạch TP HCM" in html and "Kế hoạch xã Một" in html
    assert 'data-uncovered="province"' in html and "32 tỉnh, thành phố" in html
    html = html_of(central.get(reverse("plans:plan_list"), {"q": "125/KH"}))
    assert "Kế hoạch Hà Nội" in html and "Kế hoạch TP HCM" not in html
    html = html_of(central.get(reverse("plans:plan_list"), {"level": "commune"}))
    assert "Kế hoạch xã Một" in html and "Kế hoạch Hà Nội" not in html
    # A province office: its own and its communes', and its communes without a plan.
    html = html_of(data.world.client("province_hn").get(reverse("plans:plan_list")))
    assert "Kế hoạch TP HCM" not in html and 'data-uncovered="commune"' in html
    response = central.get(reverse("plans:plan_list"), {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(content(response).decode("utf-8-sig"))))
    assert {row["Tên kế hoạch / đề án"] for row in rows} == {
        "Kế hoạch Hà Nội",
        "Kế hoạch TP HCM",
        "Kế hoạch xã Một",
    }
    assert next(row for row in rows if row["Số văn bản"] == "125/KH-UBND")["Số chỉ tiêu"] == "1"
    response = data.world.client("commune_hn1").get(reverse("plans:plan_list"), {"export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content(response))).get_sheet_by_index(0).to_python()
    assert [row[1] for row in sheet[1:]] == ["Kế hoạch xã Một"]


def test_history_of_plan_and_targets_with_reasons(data: Data) -> None:
    plan = make_plan(province=data.places["hn"])
    client = data.world.client("province_hn")
    client.post(
        reverse("plans:target_add", args=[plan.pk]),
        {
            "indicator": "products_5_star",
            "value": "2",
            "deadline": "31/12/2030",
            "_reason": "Mục tiêu ban đầu",
        },
    )
    target = plan.targets.get()
    response = client.post(
        reverse("plans:target_edit", args=[target.pk]),
        {"indicator": "products_5_star", "value": "4", "deadline": "31/12/2030", "_reason": "Nâng mục tiêu"},
    )
    assert response.status_code == 302
    response = client.post(reverse("plans:target_delete", args=[target.pk]), {"_reason": "Bỏ chỉ tiêu"})
    assert response.status_code == 302 and not Target.objects.exists()
    html = html_of(client.get(plan.get_absolute_url(), {"tab": "history"}))
    for reason in ("Mục tiêu ban đầu", "Nâng mục tiêu", "Bỏ chỉ tiêu"):
        assert reason in html
    assert "Sản phẩm 5 sao (31/12/2030)" in html
    assert "<del>2,00</del>" in html or "<del>2.00</del>" in html


def test_target_form_refuses_bad_input(data: Data) -> None:
    plan = make_plan(province=data.places["hn"], start_year=2026, end_year=2030)
    make_target(plan, "share_5_star", 3)
    client = data.world.client("province_hn")
    url = reverse("plans:target_add", args=[plan.pk])
    cases = [
        ({"indicator": "share_5_star", "value": "3", "deadline": "31/12/2030"}, "cùng thời hạn"),
        ({"indicator": "share_5_star", "value": "130", "deadline": "31/12/2029"}, "không quá 100"),
        (
            {"indicator": "products_5_star", "value": "3", "deadline": "31/12/2031"},
            "trong thời gian của kế hoạch",
        ),
        ({"indicator": "nope", "value": "3", "deadline": "31/12/2030"}, "Select a valid choice|Hãy chọn"),
        ({"indicator": "products_5_star", "value": "-1", "deadline": "31/12/2030"}, "không được âm"),
    ]
    for post, message in cases:
        response = client.post(url, post)
        assert response.status_code == 200
        assert re.search(message, response.content.decode()), message
    assert plan.targets.count() == 1


def test_plan_form_refuses_bad_input(data: Data) -> None:
    client = data.world.client("province_hn")
    base = {"title": "KH", "start_year": "2026", "end_year": "2030"}
    # Another province, the country: not among the choices.
    for unit in (str(data.places["hcm"].pk), "country", "abc"):
        response = client.post(reverse("plans:plan_add"), {**base, "unit": unit})
        assert response.status_code == 200 and not Plan.objects.exists(), unit
    response = client.post(
        reverse("plans:plan_add"), {**base, "unit": str(data.places["hn"].pk), "end_year": "2025"}
    )
    assert "Năm kết thúc phải từ năm bắt đầu trở đi" in response.content.decode()
    # Shortening a plan that has a target beyond its new end.
    plan = make_plan(province=data.places["hn"])
    make_target(plan, "share_5_star", 3, dt.date(2030, 12, 31))
    response = client.post(
        reverse("plans:plan_edit", args=[plan.pk]), {**base, "unit": "ignored", "end_year": "2028"}
    )
    assert "hãy sửa chỉ tiêu trước" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).end_year == 2030


def test_manual_values_pages(data: Data) -> None:
    p = data.places
    client = data.world.client("province_hn")
    response = client.post(
        reverse("plans:manual_value_add"),
        {
            "indicator": "training_classes",
            "unit": str(p["hn1"].pk),
            "period_start": "01/01/2026",
            "period_end": "30/06/2026",
            "value": "4",
            "source": "Báo cáo 6 tháng của xã",
            "_reason": "Số liệu 6 tháng đầu năm",
        },
    )
    assert response.status_code == 302
    value = ManualValue.objects.get()
    assert (value.level, value.province, value.commune, value.entered_by) == (
        "commune",
        p["hn"],
        p["hn1"],
        data.world.users["province_hn"],
    )
    # The same unit and period again: refused with a clear message.
    response = client.post(
        reverse("plans:manual_value_add"),
        {
            "indicator": "training_classes",
            "unit": str(p["hn1"].pk),
            "period_start": "01/01/2026",
            "period_end": "30/06/2026",
            "value": "5",
        },
    )
    assert "Đã có số liệu của chỉ tiêu này" in response.content.decode()
    # A computed indicator is not entered by hand.
    response = client.post(
        reverse("plans:manual_value_add"),
        {
            "indicator": "share_5_star",
            "unit": str(p["hn"].pk),
            "period_start": "01/01/2026",
            "period_end": "30/06/2026",
            "value": "5",
        },
    )
    assert ManualValue.objects.count() == 1
    html = html_of(client.get(reverse("plans:manual_value_list")))
    assert "Lớp tập huấn" in html and "Báo cáo 6 tháng của xã" in html
    assert reverse("plans:manual_value_edit", args=[value.pk]) in html
    # The commune reads and corrects it; another province does not see it.
    commune = data.world.client("commune_hn1")
    response = commune.post(
        reverse("plans:manual_value_edit", args=[value.pk]),
        {
            "period_start": "01/01/2026",
            "period_end": "30/06/2026",
            "value": "6",
            "source": "Sửa",
            "_reason": "Sai số",
        },
    )
    assert response.status_code == 302 and ManualValue.objects.get().value == 6
    assert "Sai số" in {h.history_change_reason for h in value.history.all()}
    html = html_of(data.world.client("province_hcm").get(reverse("plans:manual_value_list")))
    assert "Báo cáo 6 tháng" not in html


def test_indicator_list(data: Data) -> None:
    html = html_of(data.world.client("viewer_hn").get(reverse("plans:indicator_list")))
    assert html.count("data-indicator=") == 16
    assert "tiềm năng 5 sao" in html


# --- query counts ------------------------------------------------------------------------------------


def test_list_pages_take_a_constant_number_of_queries(data: Data, django_assert_max_num_queries) -> None:
    p = data.places
    for index in range(30):
        plan = make_plan(province=p["hn"], title=f"KH {index}")
        make_target(plan, "share_5_star", 3)
        ManualValue.objects.create(
            indicator="points_of_sale",
            level="commune",
            province=p["hn"],
            commune=p["hn1"],
            period_start=dt.date(2000 + index, 1, 1),
            period_end=dt.date(2000 + index, 12, 31),
            value=index,
        )
    client = data.world.client("province_hn")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("plans:plan_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("plans:manual_value_list")).status_code == 200


def test_the_plan_page_costs_at_most_two_queries_per_target(
    data: Data, django_assert_max_num_queries
) -> None:
    p = data.places
    plan = make_plan(province=p["hn"])
    codes = [
        "products_recognised",
        "share_5_star",
        "share_cooperatives_enterprises",
        "new_products",
        "traceable_products",
        "inspections_done",
        "points_of_sale",
    ]
    for code in codes:
        make_target(plan, code, 50)
    client = data.world.client("province_hn")
    client.get(plan.get_absolute_url())  # session, caches
    with django_assert_max_num_queries(12 + 2 * len(codes)):
        assert client.get(plan.get_absolute_url()).status_code == 200


def test_the_roll_up_costs_the_same_for_many_plans(data: Data, django_assert_max_num_queries) -> None:
    from ocop.geo.models import Unit

    p = data.places
    plan = make_plan(province=p["hn"])
    make_target(plan, "products_recognised", 10)
    communes = list(
        Unit.objects.filter(structure="current", level="commune", current_province=p["hn"]).order_by("code")[
            :25
        ]
    )

    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = data.world.client("province_hn")
        client.get(plan.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan.get_absolute_url()).status_code == 200
        return len(queries)

    for commune in communes[:2]:
        child = make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=commune, title=commune.name)
        make_target(child, "products_recognised", 2)
        make_target(child, "points_of_sale", 2)
    few = page_queries()
    for commune in communes[2:]:
        child = make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=commune, title=commune.name)
        make_target(child, "products_recognised", 2)
        make_target(child, "points_of_sale", 2)
    assert page_queries() == few


def test_records_page_takes_a_constant_number_of_queries(data: Data, django_assert_max_num_queries) -> None:
    plan = make_plan(province=data.places["hn"])
    targets = {
        code: make_target(plan, code, 5)
        for code in (
            "products_recognised",
            "share_cooperatives_enterprises",
            "communes_with_ocop",
            "reevaluated_on_time",
            "revocations",
            "inspections_done",
        )
    }
    client = data.world.client("province_hn")
    for code, target in targets.items():
        with django_assert_max_num_queries(10):
            assert client.get(reverse("plans:target_records", args=[target.pk])).status_code == 200, code
    assert (
        client.get(
            reverse("plans:target_records", args=[targets["revocations"].pk]), {"page": "9"}
        ).status_code
        == 404
    )


def test_day_is_today_by_default() -> None:
    assert dt.date(2026, 11, 23) == TODAY
